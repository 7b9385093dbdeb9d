package inspect

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// verdictWithRequest returns a copy of v whose exchange carries a request with
// headers h, as the SDK sent it.
func verdictWithRequest(v *Verdict, url string, h http.Header) *Verdict {
	vv := *v
	x := *v.Exchange
	x.Request = &stream.Request{Method: "POST", URL: url, Header: h}
	vv.Exchange = &x
	return &vv
}

// TestTSStreamHelperByHeader: a request carrying X-Stainless-Helper-Method:
// stream came from messages.stream(), whose finalMessage() rejects with
// AnthropicError on a truncated stream and which wraps transport errors
// in AnthropicError (lib/MessageStream.ts, @anthropic-ai/sdk 1.17.0;
// sdk-matrix ts-*-helper columns). Without the header the answer stays
// the raw-iteration one.
func TestTSStreamHelperByHeader(t *testing.T) {
	const msgs = "https://api.anthropic.com/v1/messages"
	ts := func(ver string, helper bool) http.Header {
		h := hdr("X-Stainless-Lang", "js", "X-Stainless-Package-Version", ver, "Anthropic-Version", "2023-06-01")
		if helper {
			h.Set("X-Stainless-Helper-Method", "stream")
		}
		return h
	}
	tests := []struct {
		name, scenario, ver string
		helper              bool
		flag                bool // also name the SDK with --sdk
		raises, advice      string
	}{
		{"helper: truncated stream rejects finalMessage", "truncated_clean", "1.14.0", true, false,
			"AnthropicError (stream ended without producing a Message with role=assistant)", "X-Stainless-Helper-Method: stream"},
		{"helper: truncated stream on 0.32.1 too", "truncated_clean", "0.32.1", true, false,
			"AnthropicError (stream ended without producing a Message with role=assistant)", "not an APIError"},
		{"raw create: truncated stream raises nothing", "truncated_clean", "1.14.0", false, false,
			"", "Nothing is thrown by raw iteration"},
		{"helper: dropped connection wraps TypeError", "truncated_abort", "1.14.0", true, false,
			"AnthropicError (wrapping TypeError: terminated as .cause)", "e.cause"},
		{"helper: dropped connection on 0.32.1 wraps Premature close", "truncated_abort", "0.32.1", true, false,
			"AnthropicError (wrapping Error: Premature close as .cause)", "e.cause"},
		{"raw create: dropped connection is the TypeError", "truncated_abort", "1.14.0", false, false,
			"TypeError (terminated)", "terminated"},
		{"helper: an error event is the same APIError as raw iteration", "midstream_overloaded", "1.14.0", true, false,
			"Anthropic.APIError", "Branch on e.type"},
		{"--sdk keeps the helper the headers show", "truncated_clean", "1.14.0", true, true,
			"AnthropicError (stream ended without producing a Message with role=assistant)", "messages.stream()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verdictWithRequest(scenario(t, tt.scenario), msgs, ts(tt.ver, tt.helper))
			opt := Options{}
			if tt.flag {
				opt.SDK = &SDKRef{Name: SDKAnthropicTypeScript, Version: tt.ver}
			}
			a := SDKFor(v, opt)
			if a == nil {
				t.Fatal("no answer")
			}
			if a.Raises != tt.raises || !strings.Contains(a.Advice, tt.advice) {
				t.Errorf("Raises %q, advice %q; want %q and advice containing %q", a.Raises, a.Advice, tt.raises, tt.advice)
			}
			if a.StatusReported != nil || a.BuiltinRetry {
				t.Errorf("status %v retry %v, want no status and no retry", a.StatusReported, a.BuiltinRetry)
			}
		})
	}
}

// TestVercelAIVersionPairing: --sdk vercel-ai@V takes the `ai` version and
// answers for the @ai-sdk/anthropic release it pairs with (npm dependency
// metadata); a version it cannot pair is rejected with the reason.
func TestVercelAIVersionPairing(t *testing.T) {
	tests := []struct {
		name, ai  string
		span      string // the paired provider range the advice names
		ambiguous bool
		err       string
	}{
		{"ai 3.0.23 is the first paired release", "3.0.23", "0.0.5–0.0.14", false, ""},
		{"ai 3.2.36 straddles the 0.0.34 schema fix", "3.2.36", "0.0.33–0.0.35", true, ""},
		{"ai 4.3.16 pairs with 1.x", "4.3.16", "1.x", false, ""},
		{"ai 5.0.103 pairs before the first-chunk fix", "5.0.103", "2.0.0–2.0.49", false, ""},
		{"ai 5.0.104 pairs with 2.0.50 and later", "5.0.104", "2.0.50 and later", false, ""},
		{"ai 5.0.277 (sdk-matrix vercel-ai5)", "5.0.277", "2.0.50 and later", false, ""},
		{"ai 6.0.0-beta.121 straddles 3.0.0-beta.64", "6.0.0-beta.121", "3.0.0-beta.62–3.0.0-beta.66", true, ""},
		{"ai 6.0.5 pairs with 3.x", "6.0.5", "3.x", false, ""},
		{"ai 7.0.173 (sdk-matrix vercel-ai7)", "7.0.173", "4.x", false, ""},
		{"an @ai-sdk/anthropic version is rejected", "2.0.50", "", false, "takes the version of the ai package, not of @ai-sdk/anthropic"},
		{"ai 8 is not known yet", "8.0.0", "", false, "it knows ai 3.0.23 up to 7.x"},
		{"ai 8 pre-release is not known either", "8.0.0-beta.1", "", false, "8.0.0-beta.1 is not a version of the ai package"},
		{"ai before the provider pairing", "3.0.22", "", false, "not a version of the ai package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := ParseSDKRef("vercel-ai@" + tt.ai)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSDKRef error = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := answer(t, scenario(t, "midstream_overloaded"), ref.Name, ref.Version)
			if a.Version != tt.ai {
				t.Errorf("answer names version %s, want the ai version %s", a.Version, tt.ai)
			}
			if !strings.Contains(a.Advice, "@ai-sdk/anthropic "+tt.span) {
				t.Errorf("advice %q does not name @ai-sdk/anthropic %s", a.Advice, tt.span)
			}
			if got := strings.Contains(a.Advice, "this answer assumes"); got != tt.ambiguous {
				t.Errorf("advice says the pairing is ambiguous = %v, want %v: %q", got, tt.ambiguous, a.Advice)
			}
		})
	}
}

// TestVercelStreamRetriesWording: streamRetries (ai 7.0.91+) is opt-in,
// so the answer never claims a built-in retry for an error part and says
// the SDK retries only if it was enabled; older ai versions have none.
func TestVercelStreamRetriesWording(t *testing.T) {
	v := scenario(t, "midstream_rate_limit")
	tests := []struct {
		name string
		a    *SDKAnswer
		want string
	}{
		{"ai 7.0.173 retries only if enabled", answer(t, v, SDKVercelAI, "7.0.173"), "retries only if you enabled streamRetries (off by default)"},
		{"ai 7.0.91 is the first with streamRetries", answer(t, v, SDKVercelAI, "7.0.91"), "retries only if you enabled streamRetries"},
		{"ai 7.0.90 has none", answer(t, v, SDKVercelAI, "7.0.90"), "this ai version has no streamRetries"},
		{"ai 5.0.277 is not retried", answer(t, v, SDKVercelAI, "5.0.277"), "Not retried."},
		{"provider from the User-Agent: ai version unknown", SDKFor(verdictWithRequest(v, "http://127.0.0.1/messages", hdr("User-Agent", "ai-sdk/anthropic/4.0.105 runtime/node.js/22")), Options{}),
			"retries only if you enabled streamRetries (ai 7.0.91 and later, off by default)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a == nil {
				t.Fatal("no answer")
			}
			if !strings.Contains(tt.a.Advice, tt.want) || tt.a.BuiltinRetry {
				t.Errorf("advice %q (retry %v), want it to contain %q and no built-in retry", tt.a.Advice, tt.a.BuiltinRetry, tt.want)
			}
		})
	}
}

// TestVercelProviderVersionFromHeaders: the User-Agent names the provider
// package, whose version is used as it is (no pairing) and said to be
// @ai-sdk/anthropic's.
func TestVercelProviderVersionFromHeaders(t *testing.T) {
	v := verdictWithRequest(scenario(t, "first_event_overloaded"), "http://127.0.0.1/messages", hdr("User-Agent", "ai-sdk/anthropic/2.0.50"))
	a := SDKFor(v, Options{})
	if a == nil || a.Name != SDKVercelAI || a.Version != "2.0.50" || a.DetectedFrom != "headers" {
		t.Fatalf("got %+v", a)
	}
	if a.Raises != "APICallError" || statusOf(a) != 529 || !a.BuiltinRetry {
		t.Errorf("Raises %q status %d retry %v, want @ai-sdk/anthropic 2.0.50's APICallError 529, retried", a.Raises, statusOf(a), a.BuiltinRetry)
	}
	if !strings.Contains(a.Advice, "2.0.50 is the @ai-sdk/anthropic version named in the User-Agent") {
		t.Errorf("advice does not say whose version it is: %q", a.Advice)
	}
}

// geminiVerdict builds the verdict of a Gemini capture the e2e test serves
// to the Go Gen AI SDK, with the outcome fields the Gemini dialect sets.
func geminiVerdict(t *testing.T, file string, outcome Outcome, errType string, mapped int) *Verdict {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "e2e", "testdata", "gemini", file))
	if err != nil {
		t.Fatal(err)
	}
	v := sseVerdict(t, ProviderGemini, string(body))
	v.Outcome = outcome
	if errType != "" {
		v = withError(v, errType, mapped, true)
	}
	return v
}

// TestGenAIGoRows: the google-genai-go answers are what e2e/genai_test.go
// measured with genai v1.79.1 against serve of the same captures.
func TestGenAIGoRows(t *testing.T) {
	none := -1
	tests := []struct {
		name   string
		v      *Verdict
		raises string
		status int
		advice []string
	}{
		{"mid-stream 503 chunk is a genai.APIError with the chunk's code", geminiVerdict(t, "midstream-503.sse", OutcomeErrorEvent, "UNAVAILABLE", 503),
			"genai.APIError", 503, []string{"not from the HTTP 200", "does not stop by itself", "measured: e2e/genai_test.go", "genai v1.79.1"}},
		{"raw JSON tail surfaces the same way", geminiVerdict(t, "raw-tail-503.sse", OutcomeErrorEvent, "UNAVAILABLE", 503),
			"genai.APIError", 503, []string{"raw JSON error tail", "measured"}},
		{"a raw tail a generic reading called complete is still the error", func() *Verdict {
			v := geminiVerdict(t, "raw-tail-503.sse", OutcomeComplete, "", 0)
			v.Provider = ProviderGeneric
			return v
		}(), "genai.APIError", 503, []string{"raw JSON error tail", "do not blindly re-send"}},
		{"cut stream returns nothing", geminiVerdict(t, "cut.sse", OutcomeTruncated, "", 0),
			"", none, []string{"ends without an error", "FinishReason is empty", "Require a final candidate with a FinishReason", "measured"}},
		{"HTTP 429 is a genai.APIError, sent once", httpVerdict(ProviderGemini, 429, "RESOURCE_EXHAUSTED", nil),
			"genai.APIError", 429, []string{"sent the request once", "RetryOptions", "measured"}},
		{"dropped connection is not measured", func() *Verdict { v := geminiVerdict(t, "cut.sse", OutcomeTransportError, "", 0); return v }(),
			"not measured", none, []string{"not measured"}},
		{"complete stream raises nothing", geminiVerdict(t, "cut.sse", OutcomeComplete, "", 0),
			"", none, []string{completeAdvice}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer(t, tt.v, SDKGenAIGo, "1.79.1")
			if a.Raises != tt.raises || statusOf(a) != tt.status || a.BuiltinRetry {
				t.Errorf("Raises %q status %d retry %v, want %q %d no retry", a.Raises, statusOf(a), a.BuiltinRetry, tt.raises, tt.status)
			}
			for _, w := range tt.advice {
				if !strings.Contains(a.Advice, w) {
					t.Errorf("advice %q lacks %q", a.Advice, w)
				}
			}
			if strings.Contains(a.Advice, "message_stop") || strings.Contains(a.Advice, "[DONE]") {
				t.Errorf("advice cites another dialect's terminator: %q", a.Advice)
			}
		})
	}
}

// TestGenAIJSAndVercelGoogleRows: the @google/genai and ai + @ai-sdk/google
// answers are what e2e/genaijs_test.go measured against serve of the same
// captures; the raw JSON tail is told apart from an error chunk because
// these SDKs surface it differently.
func TestGenAIJSAndVercelGoogleRows(t *testing.T) {
	none := -1
	chunk := geminiVerdict(t, "midstream-503.sse", OutcomeErrorEvent, "UNAVAILABLE", 503)
	tail := geminiVerdict(t, "raw-tail-503.sse", OutcomeErrorEvent, "UNAVAILABLE", 503)
	cut := geminiVerdict(t, "cut.sse", OutcomeTruncated, "", 0)
	http429 := httpVerdict(ProviderGemini, 429, "RESOURCE_EXHAUSTED", nil)
	tests := []struct {
		name, sdk, ver string
		v              *Verdict
		raises         string
		status         int
		retry          bool
		advice         string
	}{
		{"genai-js: error chunk is ApiError with the chunk's code", SDKGenAIJS, "3.3.0", chunk, "ApiError", 503, false, "e2e/genaijs_test.go"},
		{"genai-js: raw tail is a plain Error without status", SDKGenAIJS, "3.3.0", tail, "Error (Incomplete JSON segment at the end)", none, false, "code and status are lost"},
		{"genai-js: cut stream throws nothing", SDKGenAIJS, "3.3.0", cut, "", none, false, "no finishReason"},
		{"genai-js: HTTP 429 is ApiError, sent once", SDKGenAIJS, "3.3.0", http429, "ApiError", 429, false, "sent the request once"},
		{"genai-js 2.x was not run", SDKGenAIJS, "2.0.0", chunk, "not measured", none, false, "only 3.3.0 was run"},
		{"genai-python was not run", SDKGenAIPython, "3.3.0", chunk, "not measured", none, false, "was not measured"},
		{"vercel-google: error chunk is an error part with the chunk's code", SDKVercelAIGoogle, "7.0.173", chunk, "StreamProviderError (error stream part)", 503, false, "retries only if you enabled streamRetries"},
		{"vercel-google: raw tail is dropped silently", SDKVercelAIGoogle, "7.0.173", tail, "", none, false, "dropped silently"},
		{"vercel-google: cut stream finishes interrupted", SDKVercelAIGoogle, "7.0.173", cut, "", none, false, `finishReason "interrupted"`},
		{"vercel-google: HTTP 429 is retried by maxRetries", SDKVercelAIGoogle, "7.0.173", http429, "APICallError (error stream part)", 429, true, "RetryError"},
		{"vercel-google ai 5 was not run", SDKVercelAIGoogle, "5.0.277", chunk, "not measured", none, false, "Only ai 7.0.173"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer(t, tt.v, tt.sdk, tt.ver)
			if a.Raises != tt.raises || statusOf(a) != tt.status || a.BuiltinRetry != tt.retry {
				t.Errorf("Raises %q status %d retry %v, want %q %d %v", a.Raises, statusOf(a), a.BuiltinRetry, tt.raises, tt.status, tt.retry)
			}
			if !strings.Contains(a.Advice, tt.advice) {
				t.Errorf("advice %q lacks %q", a.Advice, tt.advice)
			}
		})
	}
}

// TestRawJSONErrorTail: only a JSON error object after the last SSE frame
// counts as a raw tail.
func TestRawJSONErrorTail(t *testing.T) {
	tests := []struct {
		name, body string
		want       bool
	}{
		{"pretty-printed tail after LF frames", "data: {\"a\":1}\n\n{\n  \"error\": {\"code\": 503}\n}\n", true},
		{"tail after CRLF frames", "data: {\"a\":1}\r\n\r\n{\"error\":{\"code\":503}}", true},
		{"error as an SSE data frame", "data: {\"a\":1}\n\ndata: {\"error\":{\"code\":503}}\n\n", false},
		{"JSON tail that is no error", "data: {\"a\":1}\n\n{\"candidates\":[]}", false},
		{"bare JSON body", "{\"error\":{\"code\":503}}", false},
		{"empty body", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := rawJSONErrorTail(stream.FromBody("t.sse", []byte(tt.body))); got != tt.want {
				t.Errorf("rawJSONErrorTail = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGenAIDetect: the Gen AI SDKs are named by the label they put in
// User-Agent and x-goog-api-client.
func TestGenAIDetect(t *testing.T) {
	const url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
	tests := []struct {
		name string
		h    http.Header
		want string
	}{
		{"go by User-Agent", hdr("User-Agent", "google-genai-sdk/1.79.1 gl-go/go1.26.0"), "google-genai-go@1.79.1"},
		{"go by x-goog-api-client alone", hdr("X-Goog-Api-Client", "google-genai-sdk/1.79.1 gl-go/go1.26.0"), "google-genai-go@1.79.1"},
		{"go on Vertex", hdr("User-Agent", "google-genai-sdk/1.79.1+vertex-genai-modules/0.1 gl-go/go1.26.0"), "google-genai-go@1.79.1"},
		{"js", hdr("User-Agent", "google-genai-sdk/3.3.0 gl-node/v22.12.0"), "google-genai-js@3.3.0"},
		{"python", hdr("User-Agent", "google-genai-sdk/1.52.0 gl-python/3.12.3"), "google-genai-python@1.52.0"},
		{"an unknown runtime is no SDK", hdr("User-Agent", "google-genai-sdk/1.0.0 gl-ruby/3.3"), ""},
		{"google-adk is not the Gen AI SDK", hdr("User-Agent", "google-adk/1.2.0 gl-python/3.12.3"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if r := DetectSDK(tt.h, url, ""); r != nil {
				got = r.Name + "@" + r.Version
			}
			if got != tt.want {
				t.Errorf("DetectSDK = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSDKTableGemini: a Gemini stream lists the Gen AI SDKs only; a
// generic one lists the Anthropic and OpenAI SDKs as before.
func TestSDKTableGemini(t *testing.T) {
	names := func(rows []SDKAnswer) string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Name)
		}
		return strings.Join(out, ",")
	}
	v := geminiVerdict(t, "midstream-503.sse", OutcomeErrorEvent, "UNAVAILABLE", 503)
	if got, want := names(SDKTable(v)), "google-genai-go,google-genai-js,google-genai-python,vercel-ai-google"; got != want {
		t.Errorf("Gemini rows = %s, want %s", got, want)
	}
	v.Provider = ProviderGeneric
	if got := names(SDKTable(v)); strings.Contains(got, "genai") || !strings.Contains(got, "anthropic-python") {
		t.Errorf("generic rows = %s, want the Anthropic and OpenAI SDKs only", got)
	}
	if a := answer(t, scenario(t, "midstream_overloaded"), SDKGenAIGo, "1.79.1"); !strings.Contains(a.Advice, "does not speak this anthropic stream") {
		t.Errorf("genai on an Anthropic stream: %q", a.Advice)
	}
}

// FuzzRawJSONErrorTail: any body is judged without a panic, and a body
// judged to end in a raw error tail ends in a JSON object after a blank
// line.
func FuzzRawJSONErrorTail(f *testing.F) {
	for _, b := range []string{"data: {}\n\n{\"error\":{}}", "data: {}\r\n\r\n{\n\"error\": 1}", "\n\n{", "{\"error\":{}}\n\n\n"} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, ok := rawJSONErrorTail(stream.FromBody("f.sse", body)); !ok {
			return
		}
		blank := bytes.Contains(body, []byte("\n\n")) || bytes.Contains(body, []byte("\r\n\r\n"))
		if !bytes.HasSuffix(bytes.TrimRight(body, " \t\r\n"), []byte("}")) || !blank {
			t.Fatalf("raw error tail found in %q", body)
		}
	})
}
