package inspect

import (
	"net/http"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestAnthropicStatus covers every row of appendix A1, end to end: an
// in-stream error event of each type yields that mapped status.
func TestAnthropicStatus(t *testing.T) {
	rows := []struct {
		typ       string
		status    int
		retryable bool
	}{
		{"invalid_request_error", 400, false},
		{"authentication_error", 401, false},
		{"billing_error", 402, false},
		{"permission_error", 403, false},
		{"not_found_error", 404, false},
		{"conflict_error", 409, true},
		{"request_too_large", 413, false},
		{"rate_limit_error", 429, true},
		{"api_error", 500, true},
		{"timeout_error", 504, true},
		{"overloaded_error", 529, true},
		{"brand_new_error", 0, false},
	}
	for _, r := range rows {
		t.Run(r.typ, func(t *testing.T) {
			if got := AnthropicStatus(r.typ); got != r.status {
				t.Fatalf("AnthropicStatus = %d, want %d", got, r.status)
			}
			v := Diagnose(stream.FromBody("t", []byte(ant(evMS, evErr(r.typ)))), Options{})
			if v.MappedStatus != r.status || v.Error == nil || v.Error.Retryable != r.retryable {
				t.Fatalf("verdict mapped %d error %+v, want %d retryable %v", v.MappedStatus, v.Error, r.status, r.retryable)
			}
			if !v.Mismatch {
				t.Error("an error under HTTP 200 must be a mismatch")
			}
		})
	}
}

// TestBedrockStatus covers appendix A3.
func TestBedrockStatus(t *testing.T) {
	rows := []struct {
		exc      string
		original int
		want     int
	}{
		{"internalServerException", 0, 500},
		{"modelStreamErrorException", 0, 424},
		{"modelStreamErrorException", 529, 529},
		{"modelTimeoutException", 0, 408},
		{"serviceUnavailableException", 0, 503},
		{"throttlingException", 0, 429},
		{"ThrottlingException:http://internal.amazon.com/coral/", 0, 429},
		{"validationException", 0, 400},
		{"accessDeniedException", 0, 0},
	}
	for _, r := range rows {
		if got := BedrockStatus(r.exc, r.original); got != r.want {
			t.Errorf("BedrockStatus(%q, %d) = %d, want %d", r.exc, r.original, got, r.want)
		}
	}
}

// TestOpenAIStatus covers appendix A4 and OpenRouter's numeric codes.
func TestOpenAIStatus(t *testing.T) {
	rows := []struct {
		name, code, typ string
		want            int
	}{
		{"numeric code as-is", "502", "", 502},
		{"three-digit string as-is", "429", "", 429},
		{"insufficient_quota", "insufficient_quota", "", 429},
		{"rate_limit", "rate_limit_exceeded", "", 429},
		{"authentication", "", "authentication_error", 401},
		{"permission", "", "permission_denied", 403},
		{"not_found", "model_not_found", "", 404},
		{"invalid", "invalid_api_key", "", 400},
		{"bad_request", "", "bad_request", 400},
		{"context_length", "context_length_exceeded", "", 400},
		{"overload", "server_is_overloaded", "service_unavailable_error", 503},
		{"timeout", "", "timeout", 504},
		{"anything else", "", "server_error", 500},
		{"nothing", "", "", 500},
		{"four digits are not a status", "5023", "", 500},
	}
	for _, r := range rows {
		if got := OpenAIStatus(r.code, r.typ); got != r.want {
			t.Errorf("%s: OpenAIStatus(%q, %q) = %d, want %d", r.name, r.code, r.typ, got, r.want)
		}
	}
}

// TestRetryable covers appendix A2 with the headers it depends on.
func TestRetryable(t *testing.T) {
	rows := []struct {
		name string
		p    retryPolicy
		want bool
	}{
		{"529", retryPolicy{status: 529}, true},
		{"500", retryPolicy{status: 500}, true},
		{"504", retryPolicy{status: 504}, true},
		{"409 (SDKs retry it)", retryPolicy{status: 409}, true},
		{"408", retryPolicy{status: 408}, true},
		{"429 with retry-after", retryPolicy{status: 429, retryAfter: true}, true},
		{"429 without retry-after", retryPolicy{status: 429}, false},
		{"429 spend cap with retry-after", retryPolicy{status: 429, retryAfter: true, spendCap: true}, false},
		{"in-stream rate_limit_error", retryPolicy{status: 429, inStream: true}, true},
		{"in-stream spend cap", retryPolicy{status: 429, inStream: true, spendCap: true}, false},
		{"400", retryPolicy{status: 400}, false},
		{"401", retryPolicy{status: 401}, false},
		{"402", retryPolicy{status: 402}, false},
		{"403", retryPolicy{status: 403}, false},
		{"404", retryPolicy{status: 404}, false},
		{"413", retryPolicy{status: 413}, false},
		{"x-should-retry true wins over 400", retryPolicy{status: 400, shouldRtry: "true"}, true},
		{"x-should-retry false wins over 529", retryPolicy{status: 529, shouldRtry: "false"}, false},
		{"x-should-retry ignored mid-stream", retryPolicy{status: 529, shouldRtry: "false", inStream: true}, true},
	}
	for _, r := range rows {
		if got := retryable(r.p); got != r.want {
			t.Errorf("%s: retryable = %v, want %v", r.name, got, r.want)
		}
	}
}

// TestRetryAfter parses the header forms the SDKs accept.
func TestRetryAfter(t *testing.T) {
	rows := []struct {
		name string
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{"seconds", http.Header{"Retry-After": {"17"}}, 17 * time.Second, true},
		{"milliseconds first", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"17"}}, 250 * time.Millisecond, true},
		{"http date", http.Header{"Retry-After": {"Fri, 22 Nov 2024 13:44:20 GMT"}, "Date": {"Fri, 22 Nov 2024 13:44:10 GMT"}}, 10 * time.Second, true},
		{"absent", http.Header{}, 0, false},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
	}
	for _, r := range rows {
		got, ok := retryAfter(r.h)
		if got != r.want || ok != r.ok {
			t.Errorf("%s: retryAfter = %v, %v; want %v, %v", r.name, got, ok, r.want, r.ok)
		}
	}
}

// TestHTTPErrorBodies covers each error envelope a pre-stream error uses.
func TestHTTPErrorBodies(t *testing.T) {
	rows := []struct {
		name, body string
		status     int
		hdr        []string
		typ        string
		mapped     int
		mismatch   bool
		retryable  bool
	}{
		{"Anthropic envelope", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 529, nil, "overloaded_error", 529, false, true},
		{"api_error Overloaded on 500", `{"type":"api_error","error":{"type":"api_error","message":"Overloaded"}}`, 500, nil, "api_error", 500, false, true},
		{"type disagrees with status", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 500, nil, "overloaded_error", 529, true, true},
		{"Vertex array envelope", `[{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}]`, 429, []string{"Retry-After", "5"}, "RESOURCE_EXHAUSTED", 429, false, true},
		{"Vertex object envelope", `{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}`, 429, nil, "RESOURCE_EXHAUSTED", 429, false, false},
		{"OpenAI envelope", `{"error":{"message":"Incorrect API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, 401, nil, "invalid_request_error", 400, true, false},
		{"OpenRouter numeric code", `{"error":{"code":402,"message":"Insufficient credits"}}`, 402, nil, "402", 402, false, false},
		{"Bedrock header", `{"message":"Too many requests"}`, 429, []string{"X-Amzn-Errortype", "ThrottlingException:http://x/"}, "ThrottlingException", 429, false, false},
		{"not JSON", `<html>Bad gateway</html>`, 502, nil, "", 502, false, true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(withResponse(stream.FromBody("t", []byte(r.body)), r.status, r.hdr...), Options{})
			if v.Outcome != OutcomeHTTPError || v.Error == nil || v.Error.EventIndex != -1 {
				t.Fatalf("outcome %s error %+v, want http_error at index -1", v.Outcome, v.Error)
			}
			if v.Error.Type != r.typ || v.MappedStatus != r.mapped || v.Mismatch != r.mismatch || v.Error.Retryable != r.retryable {
				t.Errorf("type %q mapped %d mismatch %v retryable %v; want %q %d %v %v",
					v.Error.Type, v.MappedStatus, v.Mismatch, v.Error.Retryable, r.typ, r.mapped, r.mismatch, r.retryable)
			}
		})
	}
}

// TestStatusOverride: a bare body assumes 200 unless --status says.
func TestStatusOverride(t *testing.T) {
	v := Diagnose(stream.FromBody("t", []byte(good)), Options{})
	if v.HTTPStatus != 200 || !v.HTTPStatusAssumed {
		t.Errorf("bare body: status %d assumed %v, want 200 assumed", v.HTTPStatus, v.HTTPStatusAssumed)
	}
	v = Diagnose(stream.FromBody("t", []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)), Options{Status: 529})
	if v.HTTPStatus != 529 || v.HTTPStatusAssumed || v.Outcome != OutcomeHTTPError || v.MappedStatus != 529 || v.Mismatch {
		t.Errorf("--status 529: %d assumed %v outcome %s mapped %d mismatch %v", v.HTTPStatus, v.HTTPStatusAssumed, v.Outcome, v.MappedStatus, v.Mismatch)
	}
	x := withResponse(stream.FromBody("t", []byte(good)), 200, "Content-Type", "text/event-stream")
	if v := Diagnose(x, Options{Status: 500}); v.HTTPStatus != 200 {
		t.Errorf("--status must not override a captured status; got %d", v.HTTPStatus)
	}
}
