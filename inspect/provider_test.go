package inspect

import (
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestDetectProvider covers every detection path: URL, response headers,
// request headers and event shapes, and the gateways.
func TestDetectProvider(t *testing.T) {
	chat := sse("", `{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}`, "", "[DONE]")
	plain := sse("tick", `{"n":1}`)
	rows := []struct {
		name    string
		x       *stream.Exchange
		want    Provider
		gateway string
	}{
		{"URL api.anthropic.com", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://api.anthropic.com/v1/messages", ""), ProviderAnthropic, ""},
		{"URL /v1/messages on a proxy", withRequest(stream.FromBody("t", []byte(plain)), "POST", "http://127.0.0.1:8080/v1/messages", ""), ProviderAnthropic, ""},
		{"URL Vertex", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1/publishers/anthropic/models/claude:streamRawPredict", ""), ProviderAnthropic, GatewayVertex},
		{"URL Bedrock", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://bedrock-runtime.us-west-2.amazonaws.com/model/m/invoke-with-response-stream", ""), ProviderAnthropic, GatewayBedrock},
		{"URL OpenRouter", withRequest(stream.FromBody("t", []byte(chat)), "POST", "https://openrouter.ai/api/v1/chat/completions", ""), ProviderOpenRouter, ""},
		{"URL chat completions", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://api.openai.com/v1/chat/completions", ""), ProviderOpenAIChat, ""},
		{"URL responses", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://api.openai.com/v1/responses", ""), ProviderOpenAIResponses, ""},
		{"URL Portkey chat", withRequest(stream.FromBody("t", []byte(chat)), "POST", "https://api.portkey.ai/v1/chat/completions", ""), ProviderOpenAIChat, GatewayPortkey},
		{"URL Portkey messages", withRequest(stream.FromBody("t", []byte(plain)), "POST", "https://api.portkey.ai/v1/messages", ""), ProviderAnthropic, GatewayPortkey},
		{"response header request-id req_", withResponse(stream.FromBody("t", []byte(plain)), 200, "Request-Id", "req_1"), ProviderAnthropic, ""},
		{"response header anthropic-ratelimit", withResponse(stream.FromBody("t", []byte(plain)), 200, "Anthropic-Ratelimit-Requests-Limit", "50"), ProviderAnthropic, ""},
		{"response header x-generation-id", withResponse(stream.FromBody("t", []byte(chat)), 200, "X-Generation-Id", "gen-1"), ProviderOpenRouter, ""},
		{"response header openai-processing-ms", withResponse(stream.FromBody("t", []byte(plain)), 200, "Openai-Processing-Ms", "12"), ProviderOpenAIChat, ""},
		{"request header anthropic-version", withRequest(stream.FromBody("t", []byte(plain)), "POST", "", "", "Anthropic-Version", "2023-06-01"), ProviderAnthropic, ""},
		{"request header x-portkey-provider", withRequest(stream.FromBody("t", []byte(chat)), "POST", "", "", "X-Portkey-Provider", "anthropic"), ProviderOpenAIChat, GatewayPortkey},
		{"events message_start", stream.FromBody("t", []byte(good)), ProviderAnthropic, ""},
		{"events bare Anthropic error", stream.FromBody("t", []byte(ant(evErr("overloaded_error")))), ProviderAnthropic, ""},
		{"events chat chunk", stream.FromBody("t", []byte(chat)), ProviderOpenAIChat, ""},
		{"events chat error object", stream.FromBody("t", []byte(sse("", `{"error":{"message":"x","type":"server_error"}}`))), ProviderOpenAIChat, ""},
		{"events responses", stream.FromBody("t", []byte(sse("response.created", `{"type":"response.created","sequence_number":0}`))), ProviderOpenAIResponses, ""},
		{"events responses error", stream.FromBody("t", []byte(sse("error", `{"type":"error","sequence_number":1,"code":"x","message":"y"}`))), ProviderOpenAIResponses, ""},
		{"events OpenRouter comment", stream.FromBody("t", []byte(": OPENROUTER PROCESSING\n\n"+chat)), ProviderOpenRouter, ""},
		{"events OpenRouter gen- id", stream.FromBody("t", []byte(sse("", `{"id":"gen-123","object":"chat.completion.chunk","choices":[]}`))), ProviderOpenRouter, ""},
		{"events OpenRouter finish_reason error", stream.FromBody("t", []byte(sse("", `{"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"error"}]}`))), ProviderOpenRouter, ""},
		{"events Portkey rewrite", stream.FromBody("t", []byte(sse("", `{"id":"p","object":"chat.completion.chunk","provider":"anthropic","choices":[{"index":0,"delta":{},"finish_reason":"overloaded_error"}]}`))), ProviderOpenAIChat, GatewayPortkey},
		{"events generic", stream.FromBody("t", []byte(plain)), ProviderGeneric, ""},
		{"nothing at all", stream.FromBody("t", nil), ProviderGeneric, ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{})
			if v.Provider != r.want || v.Gateway != r.gateway {
				t.Errorf("provider = %s/%q, want %s/%q", v.Provider, v.Gateway, r.want, r.gateway)
			}
			if DetectProvider(r.x) != r.want && r.want != ProviderOpenRouter {
				t.Errorf("DetectProvider = %s, want %s", DetectProvider(r.x), r.want)
			}
		})
	}
}
