package inspect

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// Bodies of one or two events in each dialect's shape.
const (
	geminiChunk    = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 4,\"candidatesTokenCount\": 1,\"totalTokenCount\": 5},\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n"
	geminiError    = "data: {\"error\": {\"code\": 503, \"message\": \"high demand\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n"
	responsesBody  = "data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\"},\"sequence_number\":0}\n\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\"},\"sequence_number\":1}\n\n"
	chatBody       = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
	anthropicError = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
	geminiArray    = "[{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}]\n}\n]"
)

// TestDetectDialect: the provider comes from the URL, the headers or the
// events; the dialect follows a clear body shape whatever the host says,
// and the provider's own grammar otherwise.
func TestDetectDialect(t *testing.T) {
	tests := []struct {
		name, url, body string
		headers         []string
		provider        Provider
		gateway         string
		dialect         string
	}{
		{"Gemini API URL", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", geminiChunk, nil, ProviderGemini, "", "gemini"},
		{"Gemini API URL with an error chunk only", "https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent?alt=sse", geminiError, nil, ProviderGemini, "", "gemini"},
		{"Vertex Gemini URL", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse", geminiChunk, nil, ProviderGemini, GatewayVertex, "gemini"},
		{"Claude on Vertex stays anthropic", "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict", anthropicError, nil, ProviderAnthropic, GatewayVertex, "anthropic"},
		{"Gemini's OpenAI-compatible route is chat", "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", chatBody, nil, ProviderOpenAIChat, "", "openai-chat"},
		{"x-goog-api-key header names Gemini", "", geminiChunk, []string{"X-Goog-Api-Key", "k"}, ProviderGemini, "", "gemini"},
		{"Gemini shape without URL", "", geminiChunk, nil, ProviderGemini, "", "gemini"},
		{"Gemini error shape without URL", "", geminiError, nil, ProviderGemini, "", "gemini"},
		{"Gemini JSON array without URL", "", geminiArray, nil, ProviderGemini, "", "gemini"},
		{"OpenRouter Responses shape", "https://openrouter.ai/api/v1/responses", responsesBody, nil, ProviderOpenRouter, "", "openai-responses"},
		{"OpenRouter chat", "https://openrouter.ai/api/v1/chat/completions", chatBody, nil, ProviderOpenRouter, "", "openai-chat"},
		{"LiteLLM chat path carrying Responses events", "http://localhost:4000/v1/chat/completions", responsesBody, nil, ProviderOpenAIChat, "", "openai-responses"},
		{"Azure deployment carrying Responses events", "https://x.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2025-04-01-preview", responsesBody, nil, ProviderOpenAIChat, "", "openai-responses"},
		{"Anthropic error passthrough on a chat path keeps chat", "https://gw.example/v1/chat/completions", anthropicError, nil, ProviderOpenAIChat, "", "openai-chat"},
		{"Anthropic URL, chat chunks: the shape wins", "https://gw.example/v1/messages", chatBody, nil, ProviderAnthropic, "", "openai-chat"},
		{"Responses URL, Responses events", "https://api.openai.com/v1/responses", responsesBody, nil, ProviderOpenAIResponses, "", "openai-responses"},
		{"unknown shape is generic", "", "data: hello\n\n", nil, ProviderGeneric, "", "generic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := stream.FromBody("t", []byte(tt.body))
			if tt.url != "" || tt.headers != nil {
				withRequest(x, "POST", tt.url, "", tt.headers...)
			}
			v := Diagnose(x, Options{})
			if v.Provider != tt.provider || v.Gateway != tt.gateway || v.Dialect != tt.dialect {
				t.Errorf("provider/gateway/dialect = %s/%q/%s, want %s/%q/%s", v.Provider, v.Gateway, v.Dialect, tt.provider, tt.gateway, tt.dialect)
			}
		})
	}
}

// TestDialectRegistry: every grammar of the table has a distinct id and
// name, is found again by both, and answers for its own provider.
func TestDialectRegistry(t *testing.T) {
	ids, names := map[dialect]bool{}, map[string]bool{}
	for _, g := range dialectTable {
		if ids[g.id()] || names[g.name()] {
			t.Errorf("%s: duplicate id %d or name", g.name(), g.id())
		}
		ids[g.id()], names[g.name()] = true, true
		if grammarOf(g.id()).name() != g.name() || dialectNamed(g.name(), "") != g.id() {
			t.Errorf("%s is not found again by id or name", g.name())
		}
		if g.terminator() == "" {
			t.Errorf("%s names no terminator", g.name())
		}
	}
	for p, want := range map[Provider]string{
		ProviderAnthropic: "anthropic", ProviderOpenAIChat: "openai-chat", ProviderOpenRouter: "openai-chat",
		ProviderOpenAIResponses: "openai-responses", ProviderGemini: "gemini", ProviderGeneric: "generic",
		ProviderBedrockConverse: "bedrock-converse",
	} {
		if got := grammarOf(dialectOf(p)).name(); got != want {
			t.Errorf("dialect of %s = %s, want %s", p, got, want)
		}
	}
	if grammarOf(dialectBedrock).name() != "generic" {
		t.Error("the Bedrock frame id must fall back to the generic grammar")
	}
}

// TestTerminatorFollowsDialect: the advice names the terminator of the
// grammar the stream was read with, not the host's usual one.
func TestTerminatorFollowsDialect(t *testing.T) {
	cut := "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\"},\"sequence_number\":0}\n\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"x\",\"sequence_number\":1}\n\ndata: {\"type\":\"response.output_text.delta\""
	x := withRequest(stream.FromBody("t", []byte(cut)), "POST", "https://openrouter.ai/api/v1/responses", "")
	v := Diagnose(x, Options{})
	f := finding(v, "S-unterminated-event")
	if f == nil {
		t.Fatalf("no S-unterminated-event: %v", codes(v))
	}
	joined := strings.Join(f.Fixes, " ")
	if !strings.Contains(joined, "response.completed") || strings.Contains(joined, "[DONE]") {
		t.Errorf("fixes name the wrong terminator: %q", joined)
	}
}

// TestProviderLabel: the UI header names the dialect beside the provider
// whenever its name differs.
func TestProviderLabel(t *testing.T) {
	tests := []struct {
		provider Provider
		dialect  string
		want     string
	}{
		{ProviderGemini, "gemini", "gemini"},
		{ProviderAnthropic, "anthropic", "anthropic"},
		{ProviderAnthropic, "", "anthropic"},
		{ProviderOpenRouter, "openai-chat", "openrouter/openai-chat"},
		{ProviderOpenRouter, "openai-responses", "openrouter/openai-responses"},
		{ProviderOpenAIChat, "openai-responses", "openai-chat/openai-responses"},
	}
	for _, tt := range tests {
		if got := ProviderLabel(&Verdict{Provider: tt.provider, Dialect: tt.dialect}); got != tt.want {
			t.Errorf("ProviderLabel(%s, %q) = %q, want %q", tt.provider, tt.dialect, got, tt.want)
		}
	}
}

// TestShapeOfKeepsFirstDialect: a later event of another dialect's shape
// does not switch a stream whose first chunks named its grammar.
func TestShapeOfKeepsFirstDialect(t *testing.T) {
	chat := "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
	v := Diagnose(stream.FromBody("t", []byte(chat+geminiError)), Options{})
	if v.Dialect != "openai-chat" || v.Provider != ProviderOpenAIChat {
		t.Errorf("chat then a Google-shaped error: %s/%s, want openai-chat/openai-chat", v.Provider, v.Dialect)
	}
	if v.Outcome != OutcomeErrorEvent || v.MappedStatus != 503 || v.Error.Type != "UNAVAILABLE" {
		t.Errorf("outcome %s mapped %d error %+v, want error_event 503 UNAVAILABLE", v.Outcome, v.MappedStatus, v.Error)
	}
	labelled := "data: {\"id\":\"gen-1\",\"provider\":\"OpenAI\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
	if v := Diagnose(stream.FromBody("t", []byte(chat+labelled)), Options{}); v.Provider != ProviderOpenRouter || v.Dialect != "openai-chat" {
		t.Errorf("a later OpenRouter chunk: %s/%s, want openrouter/openai-chat", v.Provider, v.Dialect)
	}
}

// TestDialectOfBedrockCaptures: Bedrock's binary streams are read with
// the grammar of the API that sent them, and the verdict names it.
func TestDialectOfBedrockCaptures(t *testing.T) {
	for file, want := range map[string]string{
		"bedrock-converse-nova-complete.http":     "bedrock-converse",
		"bedrock-converse-llama-throttling.http":  "bedrock-converse",
		"bedrock-invoke-claude-complete.http":     "anthropic",
		"bedrock-converse-claude-strawberry.http": "bedrock-converse",
	} {
		v := Diagnose(loadExchange(t, "testdata/"+file), Options{})
		if v.Dialect != want {
			t.Errorf("%s: dialect %s, want %s", file, v.Dialect, want)
		}
	}
}
