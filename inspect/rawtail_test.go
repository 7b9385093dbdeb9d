package inspect

import (
	"slices"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// flexTail is the raw error llmgateway PR #3616 quotes: pretty-printed,
// no data: prefix, after the last event.
const flexTail = "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"This model is currently experiencing high demand. Spikes in demand are usually temporary. Please try again later.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n"

// TestRawJSONErrorTailVerdict: a raw JSON error after the last event is
// the stream's error, with its type and status, in every dialect; the
// outcome stays truncated (no SSE client dispatches it) and MISMATCH
// follows.
func TestRawJSONErrorTailVerdict(t *testing.T) {
	anthropicStart := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"content\":[]}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
	chatStart := "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
	respStart := "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\"},\"sequence_number\":0}\n\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\",\"sequence_number\":1}\n\n"
	tests := []struct {
		name, url, body string
		dialect         string
		errType         string
		mapped          int
		truncCode       string // the dialect's own truncation finding
	}{
		{"gemini, pretty tail", gemURL, gemText("Hi", "", 1) + flexTail, "gemini", "UNAVAILABLE", 503, "GM-truncated"},
		{"gemini, tail then a blank line", gemURL, gemText("Hi", "", 1) + strings.TrimSuffix(flexTail, "\n") + "\r\n\r\n", "gemini", "UNAVAILABLE", 503, "GM-truncated"},
		{"gemini, one-line tail without line end", gemURL, gemText("Hi", "", 1) + `{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}`, "gemini", "RESOURCE_EXHAUSTED", 429, "GM-truncated"},
		{"gemini, array-wrapped tail", gemURL, gemText("Hi", "", 1) + `[{"error":{"code":500,"message":"x","status":"INTERNAL"}}]`, "gemini", "INTERNAL", 500, "GM-truncated"},
		{"anthropic", "https://api.anthropic.com/v1/messages", anthropicStart + `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "anthropic", "overloaded_error", 529, "A-W11-truncated-mid-block"},
		{"openai chat", "https://api.openai.com/v1/chat/completions", chatStart + "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}\n", "openai-chat", "server_error", 500, "O-truncated"},
		{"openai responses", "https://api.openai.com/v1/responses", respStart + "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n", "openai-responses", "rate_limit_exceeded", 429, "R-truncated"},
		{"generic, numeric code", "", "data: hello\n\n" + "{\"error\":{\"message\":\"upstream\",\"code\":502}}\n", "generic", "502", 502, ""},
		{"Google shape inside a chat stream", "https://gw.example/v1/chat/completions", chatStart + flexTail, "openai-chat", "UNAVAILABLE", 503, "O-truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := stream.FromBody("t", []byte(tt.body))
			if tt.url != "" {
				withRequest(x, "POST", tt.url, "")
			}
			v := Diagnose(x, Options{})
			if v.Dialect != tt.dialect {
				t.Errorf("dialect %s, want %s", v.Dialect, tt.dialect)
			}
			if v.Outcome != OutcomeTruncated || !v.Mismatch || v.MappedStatus != tt.mapped {
				t.Errorf("outcome/mismatch/mapped = %s/%v/%d, want truncated/true/%d", v.Outcome, v.Mismatch, v.MappedStatus, tt.mapped)
			}
			if v.Error == nil || v.Error.Type != tt.errType {
				t.Fatalf("error = %+v, want type %s", v.Error, tt.errType)
			}
			if !hasCode(v, "S-raw-json-error") || hasCode(v, "S-unterminated-event") {
				t.Errorf("findings %v: want S-raw-json-error and no S-unterminated-event", codes(v))
			}
			if tt.truncCode != "" && !hasCode(v, tt.truncCode) {
				t.Errorf("findings %v lack %s", codes(v), tt.truncCode)
			}
			last := v.Events.At(v.EventCount - 1)
			if !last.Raw || last.Unterminated || v.Error.EventIndex != v.EventCount-1 || !strings.HasPrefix(string(v.Events.frame(last)), "{") && !strings.HasPrefix(string(v.Events.frame(last)), "[") {
				t.Errorf("tail event = %+v (error at %d)", last, v.Error.EventIndex)
			}
		})
	}
}

// TestRawTailNotAnError: bytes after the last event that are no JSON
// error object stay what they were (a cut frame, or nothing).
func TestRawTailNotAnError(t *testing.T) {
	big := `{"error":{"message":"` + strings.Repeat("x", maxRawTail) + `"}}`
	tests := []struct {
		name, tail string
		want       []string
	}{
		{"JSON without error", "{\"candidates\": []}\n", []string{"GM-truncated", "S-unterminated-event"}},
		{"not JSON", "{\"error\": {\"code\": 503,\n", []string{"GM-truncated", "S-unterminated-event"}},
		{"comment only", ": keepalive\n\n", []string{"GM-truncated"}},
		{"longer than the bound", big, []string{"GM-truncated", "S-unterminated-event"}},
		{"string error", "{\"error\": \"boom\"}\n", []string{"GM-truncated", "S-unterminated-event"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := gemVerdict(gemText("Hi", "", 1) + tt.tail)
			got := codes(v)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || v.Error != nil {
				t.Errorf("findings %v (error %+v), want %v and no error", got, v.Error, tt.want)
			}
		})
	}
	// A body that is only a JSON error is an error document, not a tail.
	v := Diagnose(stream.FromBody("t", []byte(flexTail)), Options{})
	if hasCode(v, "S-raw-json-error") || v.Outcome != OutcomeHTTPError {
		t.Errorf("lone JSON error: outcome %s, findings %v", v.Outcome, codes(v))
	}
}

// TestRawTailAfterErrorEvent: an error event wins; the tail adds nothing.
func TestRawTailAfterErrorEvent(t *testing.T) {
	v := gemVerdict(gemText("Hi", "", 1) + gemErr(503, "UNAVAILABLE") + flexTail)
	if v.Outcome != OutcomeErrorEvent || hasCode(v, "S-raw-json-error") {
		t.Errorf("outcome %s, findings %v", v.Outcome, codes(v))
	}
}

// TestRawTailAfterTerminator: after data: [DONE] (or a final finishReason)
// the response is whole; a raw JSON error then is a warning, not the
// stream's error.
func TestRawTailAfterTerminator(t *testing.T) {
	chat := "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
	for name, x := range map[string]*stream.Exchange{
		"chat after [DONE]":         withRequest(stream.FromBody("t", []byte(chat+`{"error":{"message":"overloaded","type":"server_error","code":"server_is_overloaded"}}`)), "POST", "https://api.openai.com/v1/chat/completions", ""),
		"gemini after finishReason": withRequest(stream.FromBody("g", []byte(gemText("Hi", "STOP", 1)+flexTail)), "POST", gemURL, ""),
	} {
		v := Diagnose(x, Options{})
		if v.Outcome != OutcomeComplete || v.Mismatch || v.Error != nil || v.MappedStatus != 0 {
			t.Errorf("%s: outcome %s mismatch %v error %+v mapped %d", name, v.Outcome, v.Mismatch, v.Error, v.MappedStatus)
		}
		f := finding(v, "S-raw-json-after-end")
		if f == nil || f.Severity != SeverityWarning || hasCode(v, "S-raw-json-error") {
			t.Errorf("%s: findings %v", name, codes(v))
		}
	}
}
