package inspect

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestConverseAndHostFixtures reads the Bedrock and OpenAI-compatible
// host fixtures (testdata/SOURCES.md names the real source of each) and
// checks what a user reads: dialect, gateway and host, outcome, the
// error's type and mapped status, the exit code of `midstream diagnose`,
// and the exact set of findings — no false finding.
func TestConverseAndHostFixtures(t *testing.T) {
	const (
		converseURL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1:0/converse-stream"
		llamaURL    = "https://bedrock-runtime.us-west-2.amazonaws.com/model/meta.llama3-1-70b-instruct-v1:0/converse-stream"
		claudeURL   = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-7-sonnet-20250219-v1:0/converse-stream"
		invokeURL   = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1:0/invoke-with-response-stream"
		groqURL     = "https://api.groq.com/openai/v1/chat/completions"
		vllmURL     = "http://127.0.0.1:8000/v1/chat/completions"
		liteURL     = "http://127.0.0.1:4000/v1/chat/completions"
		azureURL    = "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
		deepseekURL = "https://api.deepseek.com/chat/completions"
		xaiURL      = "https://api.x.ai/v1/chat/completions"
		ollamaURL   = "http://127.0.0.1:11434/v1/chat/completions"
	)
	cases := []struct {
		name, file, url string
		provider        Provider
		gateway, host   string
		outcome         Outcome
		errType         string
		mapped          int
		retryable       bool
		output          bool // content before the error
		exit            int
		findings        []string
	}{
		{name: "Converse from Amazon Nova, complete", file: "bedrock-converse-nova-complete.http", url: converseURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, host: "", outcome: OutcomeComplete},
		{name: "Converse complete, detected from its frames without a URL", file: "bedrock-converse-nova-complete.http",
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeComplete},
		{name: "Converse Claude reasoning then tool use", file: "bedrock-converse-claude-tool-use.http", url: claudeURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeComplete},
		{name: "Converse recorded by vercel/ai, Claude text", file: "bedrock-converse-claude-strawberry.http", url: claudeURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeComplete},
		{name: "Converse recorded modelStreamErrorException frame, the model's 500 wins", file: "bedrock-converse-model-stream-error.http",
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeErrorEvent,
			errType: "modelStreamErrorException", mapped: 500, retryable: true, output: true, exit: 1, findings: []string{"C-exception-frame"}},
		{name: "Converse throttlingException frame mid-stream", file: "bedrock-converse-llama-throttling.http", url: llamaURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeErrorEvent,
			errType: "throttlingException", mapped: 429, retryable: true, output: true, exit: 1, findings: []string{"C-exception-frame"}},
		{name: "Converse cut before messageStop", file: "bedrock-converse-nova-cut.http", url: converseURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeTruncated, exit: 1, findings: []string{"C-truncated"}},
		{name: "Converse HTTP 400 JSON body", file: "bedrock-converse-400-validation.http", url: converseURL,
			provider: ProviderBedrockConverse, gateway: GatewayBedrock, outcome: OutcomeHTTPError,
			errType: "ValidationException", mapped: 400, exit: 1, findings: []string{"H-http-error"}},
		{name: "InvokeModelWithResponseStream keeps Anthropic grammar", file: "bedrock-invoke-claude-complete.http", url: invokeURL,
			provider: ProviderAnthropic, gateway: GatewayBedrock, outcome: OutcomeComplete},
		{name: "Invoke stream detected from its chunk frames without a URL", file: "bedrock-invoke-claude-complete.http",
			provider: ProviderAnthropic, gateway: GatewayBedrock, outcome: OutcomeComplete},
		{name: "Groq error chunk mid-stream", file: "groq-midstream-error.http", url: groqURL,
			provider: ProviderOpenAIChat, host: HostGroq, outcome: OutcomeErrorEvent,
			errType: "invalid_request_error", mapped: 400, output: true, exit: 1, findings: []string{"O-error-object"}},
		{name: "Groq named by x-groq-region and x_groq without a URL", file: "groq-midstream-error.http",
			provider: ProviderOpenAIChat, host: HostGroq, outcome: OutcomeErrorEvent,
			errType: "invalid_request_error", mapped: 400, output: true, exit: 1, findings: []string{"O-error-object"}},
		{name: "vLLM error data with a numeric code", file: "vllm-midstream-error-code.http", url: vllmURL,
			provider: ProviderOpenAIChat, host: HostVLLM, outcome: OutcomeErrorEvent,
			errType: "InternalServerError", mapped: 500, retryable: true, output: true, exit: 1, findings: []string{"O-error-object"}},
		{name: "LiteLLM error with the status as a string code", file: "litellm-midstream-rate-limit.http", url: liteURL,
			provider: ProviderOpenAIChat, host: HostLiteLLM, outcome: OutcomeErrorEvent,
			errType: "None", mapped: 429, retryable: true, output: true, exit: 1, findings: []string{"O-error-object"}},
		{name: "Azure content_filter finish_reason", file: "azure-openai-content-filter.http", url: azureURL,
			provider: ProviderOpenAIChat, host: HostAzure, outcome: OutcomeComplete, findings: []string{"X-content-filter"}},
		{name: "DeepSeek keep-alives then success", file: "deepseek-keepalive-then-success.http", url: deepseekURL,
			provider: ProviderOpenAIChat, host: HostDeepSeek, outcome: OutcomeComplete, findings: []string{"X-deepseek-keepalive"}},
		{name: "xAI answers a stream request with a 200 JSON error (gRPC description as code)", file: "xai-200-json-error.http", url: xaiURL,
			provider: ProviderOpenAIChat, host: HostXAI, outcome: OutcomeHTTPError,
			errType: "The service is currently unavailable", mapped: 503, retryable: true, exit: 1, findings: []string{"H-json-error-body"}},
		{name: "Ollama /v1 complete stream with a usage chunk", file: "ollama-v1-complete.http", url: ollamaURL,
			provider: ProviderOpenAIChat, host: HostOllama, outcome: OutcomeComplete},
		{name: "Ollama /v1 HTTP 500 OpenAI-style error before the stream", file: "ollama-v1-500-memory.http", url: ollamaURL,
			provider: ProviderOpenAIChat, host: HostOllama, outcome: OutcomeHTTPError,
			errType: "api_error", mapped: 500, retryable: true, exit: 1, findings: []string{"H-http-error"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := loadExchange(t, filepath.Join("testdata", c.file))
			if c.url != "" {
				withRequest(x, "POST", c.url, `{"stream":true}`)
			}
			v := Diagnose(x, Options{})
			if v.Provider != c.provider || v.Gateway != c.gateway || v.Host != c.host {
				t.Errorf("provider/gateway/host = %s/%q/%q, want %s/%q/%q", v.Provider, v.Gateway, v.Host, c.provider, c.gateway, c.host)
			}
			if v.Outcome != c.outcome || v.MappedStatus != c.mapped {
				t.Errorf("outcome %s mapped %d, want %s %d", v.Outcome, v.MappedStatus, c.outcome, c.mapped)
			}
			switch {
			case c.errType == "" && v.Error != nil:
				t.Errorf("error %+v, want none", *v.Error)
			case c.errType != "" && v.Error == nil:
				t.Errorf("no error, want %s", c.errType)
			case c.errType != "" && (v.Error.Type != c.errType || v.Error.Retryable != c.retryable || v.Error.OutputBeforeError != c.output):
				t.Errorf("error %+v, want type %s retryable %v output %v", *v.Error, c.errType, c.retryable, c.output)
			}
			d := &Diagnosis{Exchanges: []*Verdict{v}}
			exit := 0
			if d.HasError() || d.HasMismatch() {
				exit = 1
			}
			if exit != c.exit {
				t.Errorf("exit %d, want %d (mismatch %v)", exit, c.exit, v.Mismatch)
			}
			got := codes(v)
			slices.Sort(got)
			want := slices.Clone(c.findings)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, want exactly %v", got, want)
			}
			for _, f := range v.Findings {
				if f.Title == "" || f.Detail == "" || len(f.Fixes) == 0 {
					t.Errorf("finding %s lacks title, detail or fixes: %+v", f.Code, f)
				}
				for _, fix := range f.Fixes {
					if v.Provider != ProviderAnthropic && (strings.Contains(fix, "prefill") || strings.Contains(fix, "Claude")) {
						t.Errorf("%s gives Claude advice on a %s stream: %q", f.Code, v.Provider, fix)
					}
				}
			}
			checkInvariants(t, v)
		})
	}
}
