package inspect

import (
	"net/http"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestSDKVersionBoundaries has one case on each side of every version
// boundary in the SDK tables (domain.md §3.1–3.5, §4.2).
func TestSDKVersionBoundaries(t *testing.T) {
	none := -1
	tests := []struct {
		name, sdk, version, scenario string
		raises                       string // exact Raises
		status                       int    // -1: none
		typeAt                       string // substring of ErrorTypeAt ("" = must be empty)
		typeField                    bool
		retry                        bool
		advice                       string // substring of Advice
	}{
		// anthropic-python: .type from 0.87.0 (PR #1587); OverloadedError from 0.47.0; AsyncAnthropic maps 529 from 0.85.0.
		{"python 0.86.0 has no e.type", "anthropic-python", "0.86.0", "midstream_overloaded", "anthropic.APIStatusError", 200, `e.body["error"]["type"]`, true, false, "Upgrade to anthropic 0.87.0"},
		{"python 0.87.0 has e.type", "anthropic-python", "0.87.0", "midstream_overloaded", "anthropic.APIStatusError", 200, "e.type", true, false, "never OverloadedError"},
		{"python 0.46.0 HTTP 529 is InternalServerError", "anthropic-python", "0.46.0", "http_529_overloaded", "anthropic.InternalServerError", 529, `e.body["error"]["type"]`, true, true, "OverloadedError exists from anthropic 0.47.0"},
		{"python 0.47.0 HTTP 529 is OverloadedError", "anthropic-python", "0.47.0", "http_529_overloaded", "anthropic.OverloadedError", 529, `e.body`, true, true, "built-in retry fires"},
		{"python first event is still APIStatusError 200", "anthropic-python", "0.121.0", "first_event_overloaded", "anthropic.APIStatusError", 200, "e.type", true, false, "re-sending the request is safe"},

		// anthropic-typescript: APIConnectionError until 0.27.2, with the JSON from 0.27.3, APIError from 0.50.0, .type from 0.81.0.
		{"ts 0.27.2 loses the detail", "anthropic-typescript", "0.27.2", "midstream_overloaded", "Anthropic.APIConnectionError", none, "not exposed", false, false, "0.81.0"},
		{"ts 0.27.3 keeps the JSON in the message", "anthropic-typescript", "0.27.3", "midstream_overloaded", "Anthropic.APIConnectionError", none, "JSON.parse(e.message)", false, false, "raw event data"},
		{"ts 0.41.0 still APIConnectionError", "anthropic-typescript", "0.41.0", "midstream_overloaded", "Anthropic.APIConnectionError", none, "JSON.parse(e.message)", false, false, "connection-error retry wrappers"},
		{"ts 0.50.0 is the base APIError", "anthropic-typescript", "0.50.0", "midstream_overloaded", "Anthropic.APIError", none, "e.error?.error?.type", true, false, "Upgrade to @anthropic-ai/sdk 0.81.0"},
		{"ts 0.80.1 still has no e.type", "anthropic-typescript", "0.80.1", "midstream_overloaded", "Anthropic.APIError", none, "e.error?.error?.type", true, false, "status undefined"},
		{"ts 0.81.0 has e.type", "anthropic-typescript", "0.81.0", "midstream_overloaded", "Anthropic.APIError", none, "e.type", true, false, "Branch on e.type"},
		{"ts 0.137.0 HTTP 529 is InternalServerError", "anthropic-typescript", "0.137.0", "http_529_overloaded", "Anthropic.InternalServerError", 529, "e.type", true, true, "maxRetries"},
		{"ts 1.14.0 HTTP 529 is OverloadedError", "anthropic-typescript", "1.14.0", "http_529_overloaded", "Anthropic.OverloadedError", 529, "e.type", true, true, "maxRetries"},
		{"ts 0.32.1 dropped connection", "anthropic-typescript", "0.32.1", "truncated_abort", "Error (Premature close)", none, "", false, false, "last delta"},
		{"ts 0.137.0 dropped connection", "anthropic-typescript", "0.137.0", "truncated_abort", "TypeError (terminated)", none, "", false, false, "terminated"},

		// anthropic-go: fmt error before v1.38.0; *anthropic.Error with StatusCode 200 from v1.38.0 and in v2.
		{"go v1.37.2 is a plain error", "anthropic-go", "1.37.2", "midstream_overloaded", "*errors.errorString", none, "received error while streaming", false, false, "Upgrade to anthropic-sdk-go v1.38.0"},
		{"go v1.38.0 is *anthropic.Error 200", "anthropic-go", "1.38.0", "midstream_overloaded", "*anthropic.Error", 200, "err.Type()", true, false, "StatusCode 200"},
		{"go v2.15.0 keeps *anthropic.Error 200", "anthropic-go", "2.15.0", "midstream_overloaded", "*anthropic.Error", 200, "err.Type()", true, false, "StatusCode 200"},
		{"go v1.37.2 HTTP 529 has no Type()", "anthropic-go", "1.37.2", "http_529_overloaded", "*anthropic.Error", 529, "RawJSON", false, true, "option.WithMaxRetries"},
		{"go v1.38.0 HTTP 529 has Type()", "anthropic-go", "1.38.0", "http_529_overloaded", "*anthropic.Error", 529, "err.Type()", true, true, "option.WithMaxRetries"},

		// anthropic-java: AnthropicException before 0.9.0; SseException 200 from 0.9.0; errorType() from 2.19.0.
		{"java 0.8.9 AnthropicException", "anthropic-java", "0.8.9", "midstream_overloaded", "AnthropicException", none, "Error while streaming", false, false, "2.19.0"},
		{"java 0.9.0 SseException", "anthropic-java", "0.9.0", "midstream_overloaded", "SseException", 200, "e.body()", true, false, "Upgrade to anthropic-java 2.19.0"},
		{"java 2.18.3 SseException without errorType", "anthropic-java", "2.18.3", "midstream_overloaded", "SseException", 200, "e.body()", true, false, "Upgrade to anthropic-java 2.19.0"},
		{"java 2.19.0 errorType()", "anthropic-java", "2.19.0", "midstream_overloaded", "SseException", 200, "e.errorType()", true, false, "branch on errorType()"},
		{"java HTTP 529 is InternalServerException", "anthropic-java", "2.57.0", "http_529_overloaded", "InternalServerException", 529, "e.body()", true, true, "no 529 class"},

		// vercel-ai, named by the `ai` version (paired with @ai-sdk/anthropic by vercelPairs): TypeValidationError before
		// @ai-sdk/anthropic 0.0.34; error part; first-chunk APICallError from 2.0.50 / 3.0.0(-beta.64).
		{"vercel ai 3.2.35 (@ai-sdk/anthropic 0.0.14) TypeValidationError", "vercel-ai", "3.2.35", "midstream_overloaded", "TypeValidationError", none, "e.value", true, false, "0.0.34"},
		{"vercel ai 3.3.2 (@ai-sdk/anthropic 0.0.37+) error part", "vercel-ai", "3.3.2", "midstream_overloaded", "error stream part (plain {type, message} object)", none, "part.error.type", true, false, "Not retried"},
		{"vercel ai 5.0.103 (@ai-sdk/anthropic 2.0.49) first chunk is still an error part", "vercel-ai", "5.0.103", "first_event_overloaded", "error stream part (plain {type, message} object)", none, "part.error.type", true, false, "Not retried"},
		{"vercel ai 5.0.104 (@ai-sdk/anthropic 2.0.50) first chunk overload is a retried APICallError 529", "vercel-ai", "5.0.104", "first_event_overloaded", "APICallError", 529, "responseBody", false, true, "maxRetries"},
		{"vercel ai 5.0.104 first chunk rate limit is APICallError 500, not retried", "vercel-ai", "5.0.104", "first_event_rate_limit", "APICallError", 500, "responseBody", false, false, "isRetryable false"},
		{"vercel ai 5.0.104 later errors stay error parts", "vercel-ai", "5.0.104", "midstream_overloaded", "error stream part (plain {type, message} object)", none, "part.error.type", true, false, "Not retried"},
		{"vercel ai 6.0.0-beta.119 (@ai-sdk/anthropic 3.0.0-beta.62) first chunk is an error part", "vercel-ai", "6.0.0-beta.119", "first_event_overloaded", "error stream part (plain {type, message} object)", none, "part.error.type", true, false, "Not retried"},
		{"vercel ai 6.0.0-beta.124 (@ai-sdk/anthropic 3.0.0-beta.66) first chunk is APICallError", "vercel-ai", "6.0.0-beta.124", "first_event_overloaded", "APICallError", 529, "responseBody", false, true, "RetryError"},
		{"vercel ai 6.0.0 (@ai-sdk/anthropic 3.x) first chunk is APICallError", "vercel-ai", "6.0.0", "first_event_overloaded", "APICallError", 529, "responseBody", false, true, "RetryError"},
		{"vercel ai 7.0.173 (@ai-sdk/anthropic 4.x) mid-stream StreamProviderError with mapped status", "vercel-ai", "7.0.173", "midstream_rate_limit", "StreamProviderError (error stream part)", 429, "e.type", true, false, "streamRetries"},

		// openai-node: data.error thrown from 4.12.2.
		{"openai-node 4.12.1 yields the error", "openai-node", "4.12.1", "openai_midstream_error", "", none, "chunk.error.type", true, false, "4.12.2"},
		{"openai-node 4.12.2 throws APIError", "openai-node", "4.12.2", "openai_midstream_error", "OpenAI.APIError", none, "e.type", true, false, "status undefined"},
		{"openai-node 7.5.0 yields a top-level Responses error", "openai-node", "7.5.0", "responses_top_level_error", "", none, "event.code", true, false, "up to 7.5.0"},
		{"openai-node 7.5.1 throws on a top-level Responses error", "openai-node", "7.5.1", "responses_top_level_error", "OpenAI.APIError", none, "e.error?.code", true, false, "After 7.5.0"},

		// openai-go: fmt error before v3.17.0, *ssestream.StreamError from v3.17.0.
		{"openai-go 3.16.0 plain error", "openai-go", "3.16.0", "openai_midstream_error", "*errors.errorString", none, "received error while streaming", false, false, "v3.17.0"},
		{"openai-go 3.17.0 StreamError", "openai-go", "3.17.0", "openai_midstream_error", "*ssestream.StreamError", none, "se.Event.Data", false, false, "not *openai.Error"},

		// openai-python: APIError from 1.0.0; top-level Responses error events are yielded.
		{"openai-python 0.28.1 not covered", "openai-python", "0.28.1", "openai_midstream_error", "", none, "", false, false, "not covered"},
		{"openai-python 1.0.0 APIError without status", "openai-python", "1.0.0", "openai_midstream_error", "openai.APIError", none, "e.type", true, false, "no status_code"},
		{"openai-python yields a top-level Responses error", "openai-python", "3.3.1", "responses_top_level_error", "", none, "", false, false, "yielded"},
		{"openai SDKs do not raise on a Portkey finish_reason rewrite", "openai-python", "3.3.1", "portkey_finish_reason", "", none, "", false, false, "Nothing is raised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer(t, scenario(t, tt.scenario), tt.sdk, tt.version)
			if a.Raises != tt.raises {
				t.Errorf("Raises = %q, want %q", a.Raises, tt.raises)
			}
			if got := statusOf(a); got != tt.status {
				t.Errorf("StatusReported = %d, want %d (-1 = none)", got, tt.status)
			}
			if tt.typeAt == "" && a.ErrorTypeAt != "" || !strings.Contains(a.ErrorTypeAt, tt.typeAt) {
				t.Errorf("ErrorTypeAt = %q, want it to contain %q", a.ErrorTypeAt, tt.typeAt)
			}
			if a.TypeField != tt.typeField {
				t.Errorf("TypeField = %v, want %v (ErrorTypeAt %q)", a.TypeField, tt.typeField, a.ErrorTypeAt)
			}
			if a.BuiltinRetry != tt.retry {
				t.Errorf("BuiltinRetry = %v, want %v", a.BuiltinRetry, tt.retry)
			}
			if !strings.Contains(a.Advice, tt.advice) {
				t.Errorf("Advice = %q, want it to contain %q", a.Advice, tt.advice)
			}
			if a.Version != tt.version || a.DetectedFrom != "flag" {
				t.Errorf("answer names %s %s from %q, want %s from flag", a.Name, a.Version, a.DetectedFrom, tt.version)
			}
		})
	}
}

func statusOf(a *SDKAnswer) int {
	if a.StatusReported == nil {
		return -1
	}
	return *a.StatusReported
}

// TestSDKRetryRules checks the HTTP-error retry decision, which the
// x-should-retry header overrides (domain.md §1.3).
func TestSDKRetryRules(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		shouldRetry string
		want        bool
	}{
		{"400 not retried", 400, "", false},
		{"401 not retried", 401, "", false},
		{"408 retried", 408, "", true},
		{"409 retried", 409, "", true},
		{"413 not retried", 413, "", false},
		{"429 retried", 429, "", true},
		{"500 retried", 500, "", true},
		{"529 retried", 529, "", true},
		{"x-should-retry true forces 400", 400, "true", true},
		{"x-should-retry false forbids 529", 529, "false", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.shouldRetry != "" {
				h.Set("X-Should-Retry", tt.shouldRetry)
			}
			for _, sdk := range []string{SDKAnthropicPython, SDKAnthropicTypeScript, SDKAnthropicGo, SDKAnthropicJava} {
				a := answer(t, httpVerdict(ProviderAnthropic, tt.status, "x", h), sdk, CurrentSDKVersions[sdk])
				if a.BuiltinRetry != tt.want {
					t.Errorf("%s: BuiltinRetry = %v, want %v", sdk, a.BuiltinRetry, tt.want)
				}
				if *a.StatusReported != tt.status {
					t.Errorf("%s: status = %d, want %d", sdk, *a.StatusReported, tt.status)
				}
			}
		})
	}
}

// TestPythonAsyncClient: AsyncAnthropic mapped 529 and 413 to their
// classes only from 0.85.0 (PR #1554); the async client is recognised from
// its User-Agent.
func TestPythonAsyncClient(t *testing.T) {
	tests := []struct {
		name, ua string
		status   int
		want     string
	}{
		{"async 0.84.0 529 is InternalServerError", "AsyncAnthropic/Python 0.84.0", 529, "anthropic.InternalServerError"},
		{"async 0.85.0 529 is OverloadedError", "AsyncAnthropic/Python 0.85.0", 529, "anthropic.OverloadedError"},
		{"async 0.84.0 413 is the base class", "AsyncAnthropic/Python 0.84.0", 413, "anthropic.APIStatusError"},
		{"async 0.85.0 413 is RequestTooLargeError", "AsyncAnthropic/Python 0.85.0", 413, "anthropic.RequestTooLargeError"},
		{"sync 0.84.0 529 is OverloadedError", "Anthropic/Python 0.84.0", 529, "anthropic.OverloadedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := httpVerdict(ProviderAnthropic, tt.status, "x", nil)
			v.Exchange.Request = &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{"User-Agent": {tt.ua}}}
			a := SDKFor(v, Options{})
			if a == nil || a.Raises != tt.want {
				t.Fatalf("got %+v, want Raises %q", a, tt.want)
			}
		})
	}
}

// TestSDKJSONErrorUnder2xx: a JSON error body under HTTP 200 is no HTTP
// error to any SDK; the answer says so instead of naming a status class.
func TestSDKJSONErrorUnder2xx(t *testing.T) {
	for _, sdk := range SDKNames[:5] {
		v := httpVerdict(ProviderAnthropic, 200, "overloaded_error", nil)
		a := answer(t, v, sdk, CurrentSDKVersions[sdk])
		if a.Raises != "not measured" || a.BuiltinRetry || a.StatusReported != nil || !strings.Contains(a.Advice, "Content-Type") {
			t.Errorf("%s: got %+v", sdk, a)
		}
	}
}

// TestSDKForSources covers where the SDK comes from: the flag wins over
// headers, headers are used otherwise, and nothing known gives nil.
func TestSDKForSources(t *testing.T) {
	v := scenario(t, "midstream_overloaded")
	v.Exchange.Request = &stagedRequest
	if a := SDKFor(v, Options{}); a == nil || a.Name != SDKAnthropicPython || a.Version != "0.86.0" || a.DetectedFrom != "headers" {
		t.Fatalf("from headers: got %+v", a)
	}
	if a := SDKFor(v, Options{SDK: &SDKRef{Name: SDKAnthropicGo}}); a == nil || a.Name != SDKAnthropicGo || a.Version != CurrentSDKVersions[SDKAnthropicGo] || a.DetectedFrom != "flag" {
		t.Fatalf("flag without version: got %+v", a)
	}
	v.Exchange.Request = nil
	if a := SDKFor(v, Options{}); a != nil {
		t.Fatalf("no request: got %+v, want nil", a)
	}
	if a := SDKFor(nil, Options{}); a != nil {
		t.Fatalf("nil verdict: got %+v", a)
	}
}

// TestSDKWrongProtocol: an Anthropic SDK named for an OpenAI stream says
// so instead of inventing an answer.
func TestSDKWrongProtocol(t *testing.T) {
	a := answer(t, scenario(t, "openai_midstream_error"), SDKAnthropicPython, "0.121.0")
	if a.Raises != "" || a.Snippet != "" || !strings.Contains(a.Advice, "does not speak this openai-chat stream") {
		t.Fatalf("got %+v", a)
	}
}

// TestSDKTable: without a known SDK, reports list the current version of
// every SDK for the stream's protocol.
func TestSDKTable(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		want     []string
	}{
		{"anthropic stream lists the Anthropic SDKs", "midstream_overloaded", []string{"anthropic-python", "anthropic-typescript", "anthropic-go", "anthropic-java", "vercel-ai"}},
		{"openai stream lists the OpenAI SDKs", "openai_midstream_error", []string{"openai-python", "openai-node", "openai-go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := SDKTable(scenario(t, tt.scenario))
			var got []string
			for _, r := range rows {
				got = append(got, r.Name)
				if r.Version != CurrentSDKVersions[r.Name] {
					t.Errorf("%s: version %s, want current %s", r.Name, r.Version, CurrentSDKVersions[r.Name])
				}
				if r.Snippet == "" {
					t.Errorf("%s: no snippet", r.Name)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("rows = %v, want %v", got, tt.want)
			}
		})
	}
}
