package inspect

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// gemURL is the Gemini API's SSE streaming endpoint.
const gemURL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"

// gemText is a Gemini chunk with one text part, an optional finishReason
// and running usage totals.
func gemText(text, finish string, out int) string {
	fr := ""
	if finish != "" {
		fr = fmt.Sprintf(`"finishReason": %q,`, finish)
	}
	return fmt.Sprintf(`data: {"candidates": [{"content": {"parts": [{"text": %q}],"role": "model"},%s"index": 0}],"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": %d,"totalTokenCount": %d},"modelVersion": "gemini-2.5-flash","responseId": "r1"}`+"\r\n\r\n", text, fr, out, out+4)
}

func gemErr(code int, status string) string {
	return fmt.Sprintf(`data: {"error": {"code": %d, "message": "m", "status": %q}}`+"\r\n\r\n", code, status)
}

func gemVerdict(body string) *Verdict {
	x := withRequest(stream.FromBody("g", []byte(body)), "POST", gemURL, "")
	withResponse(x, 200, "Content-Type", "text/event-stream")
	return Diagnose(x, Options{})
}

// TestGeminiStatus: an error object maps by its code when that is an HTTP
// status, else by its google.rpc status name (Google's table).
func TestGeminiStatus(t *testing.T) {
	tests := []struct {
		code   int
		status string
		want   int
	}{
		{503, "UNAVAILABLE", 503},
		{429, "RESOURCE_EXHAUSTED", 429},
		{0, "UNAVAILABLE", 503},
		{0, "RESOURCE_EXHAUSTED", 429},
		{0, "INTERNAL", 500},
		{0, "DEADLINE_EXCEEDED", 504},
		{0, "INVALID_ARGUMENT", 400},
		{0, "FAILED_PRECONDITION", 400},
		{0, "PERMISSION_DENIED", 403},
		{0, "UNAUTHENTICATED", 401},
		{0, "NOT_FOUND", 404},
		{0, "CANCELLED", 499},
		{0, "UNIMPLEMENTED", 501},
		{14, "UNAVAILABLE", 503}, // a gRPC code number, not an HTTP status
		{500, "", 500},
		{0, "", 0},
		{0, "NOT_A_CODE", 0},
		{0, "OK", 0},
	}
	for _, tt := range tests {
		if got := GeminiStatus(tt.code, tt.status); got != tt.want {
			t.Errorf("GeminiStatus(%d, %q) = %d, want %d", tt.code, tt.status, got, tt.want)
		}
	}
}

// TestGeminiVerdicts: what a user reads for each way a Gemini stream ends.
func TestGeminiVerdicts(t *testing.T) {
	blocked := `data: {"promptFeedback": {"blockReason": "SAFETY","safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH"}]},"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 8},"modelVersion": "gemini-2.5-flash"}` + "\r\n\r\n"
	tests := []struct {
		name     string
		body     string
		outcome  Outcome
		errType  string
		mapped   int
		mismatch bool
		retry    bool
		output   bool // output before the error
		findings []string
	}{
		{"clean", gemText("Hi", "", 1) + gemText(" there", "STOP", 2), OutcomeComplete, "", 0, false, false, false, nil},
		{"503 after output", gemText("Hi", "", 1) + gemErr(503, "UNAVAILABLE"), OutcomeErrorEvent, "UNAVAILABLE", 503, true, true, true, []string{"GM-error-chunk"}},
		{"429 first", gemErr(429, "RESOURCE_EXHAUSTED"), OutcomeErrorEvent, "RESOURCE_EXHAUSTED", 429, true, true, false, []string{"GM-error-chunk"}},
		{"400 invalid argument", gemErr(400, "INVALID_ARGUMENT"), OutcomeErrorEvent, "INVALID_ARGUMENT", 400, true, false, false, []string{"GM-error-chunk"}},
		{"status name only", `data: {"error": {"message": "m", "status": "INTERNAL"}}` + "\r\n\r\n", OutcomeErrorEvent, "INTERNAL", 500, true, true, false, []string{"GM-error-chunk"}},
		{"no finishReason", gemText("Hi", "", 1) + gemText(" there", "", 2), OutcomeTruncated, "", 0, true, false, false, []string{"GM-truncated"}},
		{"FINISH_REASON_UNSPECIFIED is no finish", gemText("Hi", "FINISH_REASON_UNSPECIFIED", 1), OutcomeTruncated, "", 0, true, false, false, []string{"GM-truncated"}},
		{"MAX_TOKENS", gemText("Hi", "MAX_TOKENS", 1), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-max-tokens"}},
		{"SAFETY", gemText("", "SAFETY", 0), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-blocked"}},
		{"RECITATION", gemText("Hi", "RECITATION", 1), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-blocked"}},
		{"PROHIBITED_CONTENT", gemText("", "PROHIBITED_CONTENT", 0), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-blocked"}},
		{"MALFORMED_FUNCTION_CALL", gemText("", "MALFORMED_FUNCTION_CALL", 0), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-tool-call"}},
		{"OTHER", gemText("Hi", "OTHER", 1), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-other"}},
		{"an unlisted reason", gemText("Hi", "NEW_REASON_2027", 1), OutcomeComplete, "", 0, false, false, false, []string{"GM-finish-other"}},
		{"prompt blocked", blocked, OutcomeComplete, "", 0, false, false, false, []string{"GM-prompt-blocked"}},
		{"chunk not JSON", "data: {\"candidates\": [\r\n\r\n" + gemText("Hi", "STOP", 1), OutcomeComplete, "", 0, false, false, false, []string{"GM-data-not-json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := gemVerdict(tt.body)
			if v.Outcome != tt.outcome || v.MappedStatus != tt.mapped || v.Mismatch != tt.mismatch {
				t.Errorf("outcome/mapped/mismatch = %s/%d/%v, want %s/%d/%v", v.Outcome, v.MappedStatus, v.Mismatch, tt.outcome, tt.mapped, tt.mismatch)
			}
			typ := ""
			if v.Error != nil {
				typ = v.Error.Type
				if v.Error.Retryable != tt.retry || v.Error.OutputBeforeError != tt.output {
					t.Errorf("retryable/output before = %v/%v, want %v/%v", v.Error.Retryable, v.Error.OutputBeforeError, tt.retry, tt.output)
				}
			}
			if typ != tt.errType {
				t.Errorf("error type %q, want %q", typ, tt.errType)
			}
			got := codes(v)
			slices.Sort(got)
			if !slices.Equal(got, tt.findings) {
				t.Errorf("findings %v, want exactly %v", got, tt.findings)
			}
			for _, f := range v.Findings {
				if len(f.Fixes) == 0 {
					t.Errorf("%s has no fix", f.Code)
				}
				if strings.Contains(f.Title+f.Detail+strings.Join(f.Fixes, ""), "message_stop") {
					t.Errorf("%s cites message_stop on a Gemini stream", f.Code)
				}
			}
		})
	}
}

// TestGeminiAssemble: text parts concatenate, thought parts are thinking,
// a function call is a tool call, usage is the last chunk's (running
// totals), and the finish reason and error are kept.
func TestGeminiAssemble(t *testing.T) {
	thought := `data: {"candidates": [{"content": {"parts": [{"text": "Plan.","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": 0,"totalTokenCount": 9,"thoughtsTokenCount": 5}}` + "\r\n\r\n"
	call := `data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Paris"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 4,"candidatesTokenCount": 9,"totalTokenCount": 18}}` + "\r\n\r\n"
	v := gemVerdict(thought + gemText("Hello", "", 3) + gemText(" world", "", 6) + call)
	m := Assemble(v, v.EventCount)
	if len(m.Blocks) != 3 {
		t.Fatalf("blocks = %+v, want thinking, text, tool_call", m.Blocks)
	}
	if b := m.Blocks[0]; b.Type != "thinking" || b.Text != "Plan." {
		t.Errorf("block 0 = %+v", b)
	}
	if b := m.Blocks[1]; b.Type != "text" || b.Text != "Hello world" {
		t.Errorf("block 1 = %+v", b)
	}
	if b := m.Blocks[2]; b.Type != "tool_call" || b.Name != "get_weather" || b.Input != `{"city": "Paris"}` {
		t.Errorf("block 2 = %+v", b)
	}
	if m.StopReason != "STOP" || m.Usage.InputTokens != 4 || m.Usage.OutputTokens != 9 || m.Model != "gemini-2.5-flash" {
		t.Errorf("stop/usage/model = %q/%+v/%q", m.StopReason, m.Usage, m.Model)
	}
	e := gemVerdict(gemText("Hi", "", 1) + gemErr(503, "UNAVAILABLE"))
	if m := Assemble(e, e.EventCount); m.ErrorType != "UNAVAILABLE" || m.ErrorMessage != "m" || m.Blocks[0].Text != "Hi" {
		t.Errorf("error message = %+v", m)
	}
}

// TestGeminiSummaries: the timeline names each chunk's text, finish
// reason, error and block reason.
func TestGeminiSummaries(t *testing.T) {
	v := gemVerdict(gemText("Hello", "", 1) + gemText(" world", "STOP", 2))
	if s := v.Events.At(0).Summary; !strings.Contains(s, "Hello") {
		t.Errorf("summary 0 = %q", s)
	}
	if s := v.Events.At(1).Summary; !strings.Contains(s, "world") || !strings.Contains(s, "STOP") {
		t.Errorf("summary 1 = %q", s)
	}
	e := gemVerdict(gemErr(503, "UNAVAILABLE"))
	if s := e.Events.At(0).Summary; s != "error 503 UNAVAILABLE" {
		t.Errorf("error summary = %q", s)
	}
}

// TestGeminiErrorAdvice: a Gemini error gets Google's advice for its
// status and leaves SDK behaviour to the SDK answers.
func TestGeminiErrorAdvice(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"503 before output", gemErr(503, "UNAVAILABLE"), "switch to another model"},
		{"429 after output", gemText("Hi", "", 1) + gemErr(429, "RESOURCE_EXHAUSTED"), "quota increase"},
		{"504", gemErr(504, "DEADLINE_EXCEEDED"), "larger timeout"},
		{"400", gemErr(400, "INVALID_ARGUMENT"), "Not retryable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := gemVerdict(tt.body)
			f := finding(v, "GM-error-chunk")
			if f == nil {
				t.Fatalf("no GM-error-chunk: %v", codes(v))
			}
			all := f.Detail + " " + strings.Join(f.Fixes, " ")
			if !strings.Contains(all, tt.want) || !strings.Contains(all, "SDK section") {
				t.Errorf("advice lacks %q or the pointer to the SDK section:\n%s", tt.want, all)
			}
			for _, bad := range []string{"request-id on Anthropic", "message_stop", "SDKs report status"} {
				if strings.Contains(all, bad) {
					t.Errorf("advice says %q on a Gemini stream:\n%s", bad, all)
				}
			}
		})
	}
}
