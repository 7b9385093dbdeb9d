package inspect

import (
	"strconv"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// These tests replay sdk-matrix.md: each real SDK run against a loopback
// endpoint, with MAX_RETRIES=0 for the class/status/type cells and default
// retries for the request counts. Each test is one row of the matrix; each
// cell is copied verbatim from it. Our answer describes raw iteration
// (messages.create with stream); where the helper (messages.stream())
// differs, the advice must say so. The vercel-ai7-streamRetries column is
// an opt-in setting, not the default our answer describes: its cells are
// checked by TestMatrixVercelStreamRetries against the advice, which must
// say the SDK retries only if streamRetries was enabled. The "-helper"
// columns are replayed for TypeScript from the X-Stainless-Helper-Method
// header messages.stream() sends.

// matrixClient maps a matrix column to the SDK and version it ran.
var matrixClient = map[string][2]string{
	"ts-0.32.1":           {SDKAnthropicTypeScript, "0.32.1"},
	"ts-0.137.0":          {SDKAnthropicTypeScript, "0.137.0"},
	"ts-1.14.0":           {SDKAnthropicTypeScript, "1.14.0"},
	"vercel-ai5":          {SDKVercelAI, "5.0.277"}, // with @ai-sdk/anthropic 2.0.112
	"vercel-ai7":          {SDKVercelAI, "7.0.173"}, // with @ai-sdk/anthropic 4.0.105
	"go-v1.2.0":           {SDKAnthropicGo, "1.2.0"},
	"go-v1.84.0":          {SDKAnthropicGo, "1.84.0"},
	"go-v2.15.0":          {SDKAnthropicGo, "2.15.0"},
	"py-0.40.0":           {SDKAnthropicPython, "0.40.0"},
	"py-0.121.0":          {SDKAnthropicPython, "0.121.0"},
	"openai-node-4.104.0": {SDKOpenAINode, "4.104.0"},
	"openai-node-7.57.0":  {SDKOpenAINode, "7.57.0"},
	"openai-go-v3.98.0":   {SDKOpenAIGo, "3.98.0"},
}

// matrixCell is one matrix cell: "class, status" (or "ok"), the structured
// error type ("null"/"–" when not exposed as a field), and the request
// count with default retries.
type matrixCell struct {
	client, classStatus, errType, requests string
}

// normClass reduces our Raises text to the class name the matrix prints.
func normClass(raises string) string {
	if raises == "" {
		return "ok"
	}
	if strings.HasPrefix(raises, "error stream part") {
		return "Object" // a plain {type, message} object, no class
	}
	if i := strings.Index(raises, " ("); i > 0 {
		raises = raises[:i]
	}
	switch raises {
	case "*anthropic.Error", "*openai.Error":
		return "*apierror.Error" // type aliases of apierror.Error
	}
	if strings.HasPrefix(raises, "*") {
		return raises
	}
	if i := strings.LastIndex(raises, "."); i >= 0 {
		return raises[i+1:]
	}
	return raises
}

func checkMatrixRow(t *testing.T, scenarioName string, cells []matrixCell) {
	t.Helper()
	v := scenario(t, scenarioName)
	for _, c := range cells {
		t.Run(c.client, func(t *testing.T) {
			sdk := matrixClient[strings.TrimSuffix(c.client, "-helper")]
			var a *SDKAnswer
			if strings.HasSuffix(c.client, "-helper") {
				a = helperAnswer(t, v, sdk[1])
			} else {
				a = answer(t, v, sdk[0], sdk[1])
			}
			got := normClass(a.Raises)
			if got != "ok" {
				got += ", " + map[bool]string{true: "null", false: ""}[a.StatusReported == nil]
				if a.StatusReported != nil {
					got += strconv.Itoa(*a.StatusReported)
				}
			}
			want := c.classStatus
			if strings.HasPrefix(want, "ok") {
				want = "ok"
			}
			if got != want {
				t.Errorf("class, status = %q, matrix says %q", got, want)
			}
			exposed := c.errType != "null" && c.errType != "–"
			if a.TypeField != exposed {
				t.Errorf("type exposed as a field = %v (%q), matrix error_type = %q", a.TypeField, a.ErrorTypeAt, c.errType)
			}
			if retried := strings.HasPrefix(c.requests, "1 → 3"); a.BuiltinRetry != retried {
				t.Errorf("BuiltinRetry = %v, matrix requests = %q", a.BuiltinRetry, c.requests)
			}
			if strings.Contains(c.requests, "RetryError") && !strings.Contains(a.Advice, "RetryError") {
				t.Errorf("advice %q does not say the call ends in RetryError", a.Advice)
			}
		})
	}
}

func TestMatrixOK(t *testing.T) {
	checkMatrixRow(t, "ok", []matrixCell{
		{"ts-0.32.1", "ok", "–", "1 → 1"}, {"ts-0.137.0", "ok", "–", "1 → 1"}, {"ts-1.14.0", "ok", "–", "1 → 1"},
		{"vercel-ai5", "ok", "–", "1 → 1"}, {"vercel-ai7", "ok", "–", "1 → 1"},
		{"go-v1.2.0", "ok", "–", "1 → 1"}, {"go-v1.84.0", "ok", "–", "1 → 1"}, {"go-v2.15.0", "ok", "–", "1 → 1"},
		{"py-0.40.0", "ok", "–", "1 → 1"}, {"py-0.121.0", "ok", "–", "1 → 1"},
	})
}

func TestMatrixMidstreamOverloaded(t *testing.T) {
	checkMatrixRow(t, "midstream_overloaded", []matrixCell{
		{"ts-0.32.1", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-1.14.0", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-0.32.1-helper", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0-helper", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-1.14.0-helper", "APIError, null", "overloaded_error", "1 → 1"},
		{"vercel-ai5", "Object, null", "overloaded_error", "1 → 1"},
		{"vercel-ai7", "StreamProviderError, 529", "overloaded_error", "1 → 1"},
		{"go-v1.2.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v1.84.0", "*apierror.Error, 200", "overloaded_error", "1 → 1"},
		{"go-v2.15.0", "*apierror.Error, 200", "overloaded_error", "1 → 1"},
		{"py-0.40.0", "APIStatusError, 200", "overloaded_error", "1 → 1"},
		{"py-0.121.0", "APIStatusError, 200", "overloaded_error", "1 → 1"},
	})
}

func TestMatrixFirstEventOverloaded(t *testing.T) {
	checkMatrixRow(t, "first_event_overloaded", []matrixCell{
		{"ts-0.32.1", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-1.14.0", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-0.32.1-helper", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0-helper", "APIError, null", "overloaded_error", "1 → 1"},
		{"ts-1.14.0-helper", "APIError, null", "overloaded_error", "1 → 1"},
		{"vercel-ai5", "APICallError, 529", "null", "1 → 3; RetryError, 529 (6.5s)"},
		{"vercel-ai7", "APICallError, 529", "null", "1 → 3; RetryError, 529 (6.5s)"},
		{"go-v1.2.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v1.84.0", "*apierror.Error, 200", "overloaded_error", "1 → 1"},
		{"go-v2.15.0", "*apierror.Error, 200", "overloaded_error", "1 → 1"},
		{"py-0.40.0", "APIStatusError, 200", "overloaded_error", "1 → 1"},
		{"py-0.121.0", "APIStatusError, 200", "overloaded_error", "1 → 1"},
	})
}

func TestMatrixHTTP529Overloaded(t *testing.T) {
	checkMatrixRow(t, "http_529_overloaded", []matrixCell{
		{"ts-0.32.1", "InternalServerError, 529", "overloaded_error", "1 → 3"},
		{"ts-0.137.0", "InternalServerError, 529", "overloaded_error", "1 → 3"},
		{"ts-1.14.0", "OverloadedError, 529", "overloaded_error", "1 → 3"},
		{"ts-0.32.1-helper", "InternalServerError, 529", "overloaded_error", "1 → 3"},
		{"ts-0.137.0-helper", "InternalServerError, 529", "overloaded_error", "1 → 3"},
		{"ts-1.14.0-helper", "OverloadedError, 529", "overloaded_error", "1 → 3"},
		{"vercel-ai5", "APICallError, 529", "overloaded_error", "1 → 3; RetryError, 529 (6.4s)"},
		{"vercel-ai7", "APICallError, 529", "overloaded_error", "1 → 3; RetryError, 529 (6.5s)"},
		{"go-v1.2.0", "*apierror.Error, 529", "null", "1 → 3"},
		{"go-v1.84.0", "*apierror.Error, 529", "overloaded_error", "1 → 3"},
		{"go-v2.15.0", "*apierror.Error, 529", "overloaded_error", "1 → 3"},
		{"py-0.40.0", "InternalServerError, 529", "overloaded_error", "1 → 3"},
		{"py-0.121.0", "OverloadedError, 529", "overloaded_error", "1 → 3"},
	})
}

func TestMatrixMidstreamRateLimit(t *testing.T) {
	checkMatrixRow(t, "midstream_rate_limit", []matrixCell{
		{"ts-0.32.1", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0", "APIError, null", "rate_limit_error", "1 → 1"},
		{"ts-1.14.0", "APIError, null", "rate_limit_error", "1 → 1"},
		{"vercel-ai5", "Object, null", "rate_limit_error", "1 → 1"},
		{"vercel-ai7", "StreamProviderError, 429", "rate_limit_error", "1 → 1"},
		{"go-v1.2.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v1.84.0", "*apierror.Error, 200", "rate_limit_error", "1 → 1"},
		{"go-v2.15.0", "*apierror.Error, 200", "rate_limit_error", "1 → 1"},
		{"py-0.40.0", "APIStatusError, 200", "rate_limit_error", "1 → 1"},
		{"py-0.121.0", "APIStatusError, 200", "rate_limit_error", "1 → 1"},
	})
}

func TestMatrixMidstreamAPIError(t *testing.T) {
	checkMatrixRow(t, "midstream_api_error", []matrixCell{
		{"ts-0.32.1", "APIConnectionError, null", "null", "1 → 1"},
		{"ts-0.137.0", "APIError, null", "api_error", "1 → 1"},
		{"ts-1.14.0", "APIError, null", "api_error", "1 → 1"},
		{"vercel-ai5", "Object, null", "api_error", "1 → 1"},
		{"vercel-ai7", "StreamProviderError, 500", "api_error", "1 → 1"},
		{"go-v1.2.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v1.84.0", "*apierror.Error, 200", "api_error", "1 → 1"},
		{"go-v2.15.0", "*apierror.Error, 200", "api_error", "1 → 1"},
		{"py-0.40.0", "APIStatusError, 200", "api_error", "1 → 1"},
		{"py-0.121.0", "APIStatusError, 200", "api_error", "1 → 1"},
	})
}

func TestMatrixTruncatedClean(t *testing.T) {
	checkMatrixRow(t, "truncated_clean", []matrixCell{
		{"ts-0.32.1", "ok (stop_reason=null)", "–", "1 → 1"},
		{"ts-0.137.0", "ok (stop_reason=null)", "–", "1 → 1"},
		{"ts-1.14.0", "ok (stop_reason=null)", "–", "1 → 1"},
		{"ts-0.32.1-helper", "AnthropicError, null", "null", "1 → 1"},
		{"ts-0.137.0-helper", "AnthropicError, null", "null", "1 → 1"},
		{"ts-1.14.0-helper", "AnthropicError, null", "null", "1 → 1"},
		{"vercel-ai5", `ok (finish="unknown")`, "–", "1 → 1"},
		{"vercel-ai7", `ok (finish="interrupted")`, "–", "1 → 1"},
		{"go-v1.2.0", `ok (stop_reason="")`, "–", "1 → 1"},
		{"go-v1.84.0", `ok (stop_reason="")`, "–", "1 → 1"},
		{"go-v2.15.0", `ok (stop_reason="")`, "–", "1 → 1"},
		{"py-0.40.0", "ok (stop_reason=null)", "–", "1 → 1"},
		{"py-0.121.0", "ok (stop_reason=null)", "–", "1 → 1"},
	})
	// Without the helper header the TypeScript answer describes raw
	// iteration, and still says what messages.stream() does.
	v := scenario(t, "truncated_clean")
	for _, ver := range []string{"0.32.1", "0.137.0", "1.14.0"} {
		if a := answer(t, v, SDKAnthropicTypeScript, ver); !strings.Contains(a.Advice, "AnthropicError") {
			t.Errorf("ts %s create: advice %q does not mention messages.stream()'s AnthropicError", ver, a.Advice)
		}
	}
	for _, c := range []struct{ sdk, ver, finish string }{{SDKVercelAI, "5.0.277", `"unknown"`}, {SDKVercelAI, "7.0.173", `"interrupted"`}} {
		if a := answer(t, v, c.sdk, c.ver); !strings.Contains(a.Advice, c.finish) {
			t.Errorf("%s %s: advice %q does not name finishReason %s", c.sdk, c.ver, a.Advice, c.finish)
		}
	}
}

func TestMatrixTruncatedAbort(t *testing.T) {
	checkMatrixRow(t, "truncated_abort", []matrixCell{
		{"ts-0.32.1", "Error, null", "null", "1 → 1"},
		{"ts-0.137.0", "TypeError, null", "null", "1 → 1"},
		{"ts-1.14.0", "TypeError, null", "null", "1 → 1"},
		{"ts-0.32.1-helper", "AnthropicError, null", "null", "1 → 1"},
		{"ts-0.137.0-helper", "AnthropicError, null", "null", "1 → 1"},
		{"ts-1.14.0-helper", "AnthropicError, null", "null", "1 → 1"},
		{"vercel-ai5", "APICallError, 200", "null", "1 → 1"},
		{"vercel-ai7", "APICallError, 200", "null", "1 → 1"},
		{"go-v1.2.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v1.84.0", "*errors.errorString, null", "null", "1 → 1"},
		{"go-v2.15.0", "*errors.errorString, null", "null", "1 → 1"},
		{"py-0.40.0", "RemoteProtocolError, null", "null", "1 → 1"},
		{"py-0.121.0", "RemoteProtocolError, null", "null", "1 → 1"},
	})
}

func TestMatrixOpenAIOK(t *testing.T) {
	checkMatrixRow(t, "openai_ok", []matrixCell{
		{"openai-node-4.104.0", "ok", "–", "1 → 1"}, {"openai-node-7.57.0", "ok", "–", "1 → 1"}, {"openai-go-v3.98.0", "ok", "–", "1 → 1"},
	})
}

func TestMatrixOpenAIMidstreamError(t *testing.T) {
	checkMatrixRow(t, "openai_midstream_error", []matrixCell{
		{"openai-node-4.104.0", "APIError, null", "server_error", "1 → 1"},
		{"openai-node-7.57.0", "APIError, null", "server_error", "1 → 1"},
		{"openai-go-v3.98.0", "*ssestream.StreamError, null", "null", "1 → 1"},
	})
}

func TestMatrixOpenAIFirstEventError(t *testing.T) {
	checkMatrixRow(t, "openai_first_event_error", []matrixCell{
		{"openai-node-4.104.0", "APIError, null", "server_error", "1 → 1"},
		{"openai-node-7.57.0", "APIError, null", "server_error", "1 → 1"},
		{"openai-go-v3.98.0", "*ssestream.StreamError, null", "null", "1 → 1"},
	})
}

func TestMatrixOpenAIHTTP429(t *testing.T) {
	checkMatrixRow(t, "openai_http_429", []matrixCell{
		{"openai-node-4.104.0", "RateLimitError, 429", "requests", "1 → 3"},
		{"openai-node-7.57.0", "RateLimitError, 429", "requests", "1 → 3"},
		{"openai-go-v3.98.0", "*apierror.Error, 429", "requests", "1 → 3"},
	})
}

func TestMatrixOpenAITruncatedAbort(t *testing.T) {
	checkMatrixRow(t, "openai_truncated_abort", []matrixCell{
		{"openai-node-4.104.0", "Error, null", "null", "1 → 1"},
		{"openai-node-7.57.0", "TypeError, null", "null", "1 → 1"},
		{"openai-go-v3.98.0", "*errors.errorString, null", "null", "1 → 1"},
	})
}

// helperAnswer is the TypeScript answer for a request messages.stream()
// sent: the SDK is detected from its Stainless headers, the helper from
// X-Stainless-Helper-Method.
func helperAnswer(t *testing.T, v *Verdict, ver string) *SDKAnswer {
	t.Helper()
	vv := *v
	x := *v.Exchange
	x.Request = &stream.Request{Method: "POST", URL: "http://127.0.0.1:8788/v1/messages", Header: hdr(
		"X-Stainless-Lang", "js", "X-Stainless-Package-Version", ver, "Anthropic-Version", "2023-06-01",
		"X-Stainless-Helper-Method", "stream")}
	vv.Exchange = &x
	a := SDKFor(&vv, Options{})
	if a == nil || a.Name != SDKAnthropicTypeScript || a.Version != ver || a.DetectedFrom != "headers" {
		t.Fatalf("helper request detected as %+v, want anthropic-typescript %s from headers", a, ver)
	}
	return a
}

// TestMatrixVercelStreamRetries replays the vercel-ai7-streamRetries
// column (ai 7.0.173, streamRetries: 2): each mid-stream error was re-sent
// ("1 → 3") though the class and status stayed those of vercel-ai7. Our
// answer describes the default (no retry) and must say the SDK retries
// only if streamRetries is enabled, with the measured count.
func TestMatrixVercelStreamRetries(t *testing.T) {
	cells := []struct{ scenario, classStatus, requests string }{
		{"midstream_overloaded", "StreamProviderError, 529", "1 → 3"},
		{"midstream_rate_limit", "StreamProviderError, 429", "1 → 3"},
		{"midstream_api_error", "StreamProviderError, 500", "1 → 3"},
	}
	for _, c := range cells {
		t.Run(c.scenario, func(t *testing.T) {
			a := answer(t, scenario(t, c.scenario), SDKVercelAI, "7.0.173")
			got := normClass(a.Raises) + ", " + strconv.Itoa(statusOf(a))
			if got != c.classStatus {
				t.Errorf("class, status = %q, matrix says %q", got, c.classStatus)
			}
			if a.BuiltinRetry {
				t.Error("BuiltinRetry = true: streamRetries is off unless enabled")
			}
			for _, want := range []string{"retries only if you enabled streamRetries", "streamRetries: 2 sent 3 requests"} {
				if !strings.Contains(a.Advice, want) {
					t.Errorf("advice %q lacks %q (matrix requests %s)", a.Advice, want, c.requests)
				}
			}
		})
	}
}
