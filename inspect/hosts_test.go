package inspect

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

const chatOK = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"

// TestDetectHost: each host is named from its URL or its response
// headers, apart from the dialect; look-alike hosts are not.
func TestDetectHost(t *testing.T) {
	cases := []struct {
		name, url string
		headers   []string
		want      string
		dialect   Provider
	}{
		{"Groq URL", "https://api.groq.com/openai/v1/chat/completions", nil, HostGroq, ProviderOpenAIChat},
		{"Groq header", "", []string{"X-Groq-Region", "us-east-1"}, HostGroq, ProviderOpenAIChat},
		{"Mistral", "https://api.mistral.ai/v1/chat/completions", nil, HostMistral, ProviderOpenAIChat},
		{"DeepSeek", "https://api.deepseek.com/chat/completions", nil, HostDeepSeek, ProviderOpenAIChat},
		{"xAI", "https://api.x.ai/v1/chat/completions", nil, HostXAI, ProviderOpenAIChat},
		{"Together .xyz", "https://api.together.xyz/v1/chat/completions", nil, HostTogether, ProviderOpenAIChat},
		{"Together .ai", "https://api.together.ai/v1/chat/completions", nil, HostTogether, ProviderOpenAIChat},
		{"Fireworks", "https://api.fireworks.ai/inference/v1/chat/completions", nil, HostFireworks, ProviderOpenAIChat},
		{"Ollama /v1 on its default port", "http://localhost:11434/v1/chat/completions", nil, HostOllama, ProviderOpenAIChat},
		{"Ollama native API is not the OpenAI route", "http://localhost:11434/api/chat", nil, "", ProviderOpenAIChat},
		{"Azure resource host", "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", nil, HostAzure, ProviderOpenAIChat},
		{"Azure AI Foundry host", "https://contoso.services.ai.azure.com/openai/v1/chat/completions", nil, HostAzure, ProviderOpenAIChat},
		{"Azure header", "", []string{"Apim-Request-Id", "x"}, HostAzure, ProviderOpenAIChat},
		{"Azure Responses keeps the Responses dialect", "https://contoso.openai.azure.com/openai/v1/responses", nil, HostAzure, ProviderOpenAIResponses},
		{"LiteLLM headers win over the upstream's", "https://api.groq.com/openai/v1/chat/completions", []string{"X-Litellm-Call-Id", "c"}, HostLiteLLM, ProviderOpenAIChat},
		{"look-alike host", "https://api.groq.com.evil.example/openai/v1/chat/completions", nil, "", ProviderOpenAIChat},
		{"look-alike Azure suffix", "https://openai.azure.com.evil.example/chat/completions", nil, "", ProviderOpenAIChat},
		{"OpenAI itself is no host", "https://api.openai.com/v1/chat/completions", nil, "", ProviderOpenAIChat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := withResponse(stream.FromBody("s.sse", []byte(chatOK)), 200, append([]string{"Content-Type", "text/event-stream"}, c.headers...)...)
			if c.url != "" {
				withRequest(x, "POST", c.url, `{"model":"m","stream":true}`)
			}
			if c.dialect == ProviderOpenAIResponses {
				x.Chunks = []stream.Chunk{{Data: []byte("event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1,\"response\":{}}\n\n")}}
			}
			v := Diagnose(x, Options{})
			if v.Host != c.want || v.Provider != c.dialect {
				t.Errorf("host %q dialect %s, want %q %s", v.Host, v.Provider, c.want, c.dialect)
			}
		})
	}
}

// TestHostFromBody: hosts that only the body names — Groq's x_groq, vLLM's
// error shape — and error shapes that must not be taken for vLLM's.
func TestHostFromBody(t *testing.T) {
	cases := []struct {
		name, body string
		host       string
		mapped     int
	}{
		{"x_groq on the first chunk", `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}],"x_groq":{"id":"req_1"}}` + "\n\ndata: [DONE]\n\n", HostGroq, 0},
		{"Groq capacity_exceeded maps to 498", `data: {"object":"chat.completion.chunk","choices":[],"x_groq":{"id":"req_2"}}` + "\n\nevent: error\ndata: {\"error\":{\"message\":\"over capacity\",\"type\":\"service_unavailable\",\"code\":\"capacity_exceeded\"}}\n\n", HostGroq, 498},
		{"vLLM error object", "data: {\"choices\":[]}\n\ndata: {\"error\": {\"message\": \"m\", \"type\": \"BadRequestError\", \"param\": null, \"code\": 400}}\n\ndata: [DONE]\n\n", HostVLLM, 400},
		{"OpenRouter numeric code is not vLLM", "data: {\"error\":{\"code\":502,\"message\":\"upstream\"}}\n\n", "", 502},
		{"OpenAI snake_case type is not vLLM", "data: {\"error\":{\"type\":\"server_error\",\"code\":500,\"message\":\"x\"}}\n\n", "", 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := withResponse(stream.FromBody("s.sse", []byte(c.body)), 200, "Content-Type", "text/event-stream")
			withRequest(x, "POST", "http://10.0.0.5:9000/v1/chat/completions", `{"stream":true}`)
			v := Diagnose(x, Options{})
			if v.Error != nil && v.Error.Retryable != (c.mapped >= 498) {
				t.Errorf("retryable %v for %d", v.Error.Retryable, c.mapped)
			}
			if v.Host != c.host || v.MappedStatus != c.mapped {
				t.Errorf("host %q mapped %d, want %q %d (findings %v)", v.Host, v.MappedStatus, c.host, c.mapped, codes(v))
			}
			checkInvariants(t, v)
		})
	}
	v := Diagnose(loadExchange(t, filepath.Join("testdata", "groq-midstream-error.http")), Options{})
	if v.RequestID != "req_01kh52ndshfr2azv0xe6tnv4fx" {
		t.Errorf("Groq request id %q", v.RequestID)
	}
}

// TestHostsTable: every host row says its error shape and keep-alive
// habit and cites where that comes from, and the names are unique.
func TestHostsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range Hosts() {
		if h.Name == "" || h.Title == "" || h.ErrorShape == "" || h.KeepAlive == "" || !strings.HasPrefix(h.Doc, "https://") {
			t.Errorf("host row incomplete: %+v", h)
		}
		if seen[h.Name] {
			t.Errorf("host %s listed twice", h.Name)
		}
		seen[h.Name] = true
		if got, ok := HostByName(h.Name); !ok || got != h {
			t.Errorf("HostByName(%q) = %+v, %v", h.Name, got, ok)
		}
	}
	for _, want := range []string{HostGroq, HostMistral, HostDeepSeek, HostXAI, HostTogether, HostFireworks, HostVLLM, HostOllama, HostLiteLLM, HostAzure} {
		if !seen[want] {
			t.Errorf("host %s missing from the table", want)
		}
	}
	if _, ok := HostByName("nope"); ok {
		t.Error("HostByName found an unknown host")
	}
}

// TestHostInReports: the host is named beside the dialect in every report
// format, and the JSON field is absent when no host was recognised.
func TestHostInReports(t *testing.T) {
	groq := Diagnose(loadExchange(t, filepath.Join("testdata", "groq-midstream-error.http")), Options{})
	plain := Diagnose(withResponse(stream.FromBody("p.sse", []byte(chatOK)), 200, "Content-Type", "text/event-stream"), Options{})
	bedrock := Diagnose(loadExchange(t, filepath.Join("testdata", "bedrock-invoke-claude-complete.http")), Options{})
	d := &Diagnosis{ToolVersion: "t", Exchanges: []*Verdict{groq, plain, bedrock}}
	var txt, md, js bytes.Buffer
	for _, err := range []error{WriteText(&txt, d), WriteMarkdown(&md, d), WriteJSON(&js, d)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"(openai-chat via groq)", "(openai-chat)", "(anthropic via bedrock)", "Groq — in-stream errors", "console.groq.com/docs/errors"} {
		if !strings.Contains(txt.String(), want) || !strings.Contains(md.String(), want) {
			t.Errorf("text or markdown report lacks %q", want)
		}
	}
	var out struct {
		Exchanges []map[string]any `json:"exchanges"`
	}
	if err := json.Unmarshal(js.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if h := out.Exchanges[0]["host"]; h != "groq" {
		t.Errorf("JSON host = %v, want groq", h)
	}
	if _, ok := out.Exchanges[1]["host"]; ok {
		t.Error("JSON has a host for a stream from no recognised host")
	}
	if h := out.Exchanges[2]["host"]; h != "bedrock" {
		t.Errorf("JSON host = %v, want the bedrock gateway", h)
	}
}

// TestContentFilterFinding: a content_filter finish is a warning on any
// host, named Azure's when Azure served it, and says which category fired.
func TestContentFilterFinding(t *testing.T) {
	body := "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n" +
		"data: {\"choices\":[{\"content_filter_results\":{\"hate\":{\"filtered\":true,\"severity\":\"high\"}},\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n"
	for _, c := range []struct{ url, title string }{
		{"https://api.openai.com/v1/chat/completions", "The provider's content filter stopped the answer"},
		{"https://contoso.openai.azure.com/openai/deployments/d/chat/completions", "Azure's content filter stopped the answer"},
	} {
		x := withRequest(withResponse(stream.FromBody("cf.sse", []byte(body)), 200, "Content-Type", "text/event-stream"), "POST", c.url, "")
		v := Diagnose(x, Options{})
		f := finding(v, "X-content-filter")
		if v.Outcome != OutcomeComplete || f == nil || f.Title != c.title || f.Severity != SeverityWarning || !strings.Contains(f.Detail, "hate") || len(v.Findings) != 1 {
			t.Errorf("%s: outcome %s findings %+v", c.url, v.Outcome, v.Findings)
		}
	}
}

// TestHostStatusOfCutErrorFrame: an error frame cut before its blank line
// still maps by the host's own table (Groq's 498), though no client saw it.
func TestHostStatusOfCutErrorFrame(t *testing.T) {
	body := `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}],"x_groq":{"id":"req_3"}}` + "\n\n" +
		`data: {"error":{"message":"over capacity","type":"service_unavailable","code":"capacity_exceeded"}}`
	x := withRequest(withResponse(stream.FromBody("cut.sse", []byte(body)), 200, "Content-Type", "text/event-stream"), "POST", "https://api.groq.com/openai/v1/chat/completions", "")
	v := Diagnose(x, Options{})
	if v.Outcome != OutcomeTruncated || v.MappedStatus != 498 || !hasCode(v, "S-unterminated-error") {
		t.Errorf("outcome %s mapped %d findings %v", v.Outcome, v.MappedStatus, codes(v))
	}
}
