package inspect

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestUnterminatedErrorFrame (#11 item 6.1): an error frame cut before its
// blank line keeps its type and mapped status, ends truncated (no client
// dispatches it) and says so in an error finding.
func TestUnterminatedErrorFrame(t *testing.T) {
	head := "event: message_start\ndata: " + evMS + "\n\n"
	errData := `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
	chatHead := "data: " + `{"object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"}}]}` + "\n\n"
	rows := []struct {
		name       string
		body       string
		wantType   string
		wantStatus int
	}{
		{"anthropic error, no blank line", head + "event: error\ndata: " + errData + "\n", "overloaded_error", 529},
		{"anthropic error, no line ending", head + "event: error\ndata: " + errData, "overloaded_error", 529},
		{"anthropic error first, no line ending", "event: error\ndata: " + errData, "overloaded_error", 529},
		{"chat error object, no blank line", chatHead + `data: {"error":{"type":"server_error","message":"boom"}}` + "\n", "server_error", 500},
		{"openrouter numeric code, no line ending", chatHead + `data: {"id":"gen-1","error":{"code":502,"message":"down"},"choices":[{"index":0,"delta":{},"finish_reason":"error"}]}`, "502", 502},
		{"responses error event, no blank line", "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"object\":\"response\"}}\n\nevent: error\ndata: {\"type\":\"error\",\"code\":\"server_is_overloaded\",\"message\":\"busy\",\"sequence_number\":2}\n", "server_is_overloaded", 503},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t", []byte(r.body)), Options{})
			if v.Outcome != OutcomeTruncated {
				t.Errorf("outcome %s, want truncated (no client dispatches the frame)", v.Outcome)
			}
			if v.Error == nil || v.Error.Type != r.wantType {
				t.Fatalf("error %+v, want type %q; findings %v", v.Error, r.wantType, codes(v))
			}
			if v.MappedStatus != r.wantStatus || !v.Mismatch {
				t.Errorf("mapped %d mismatch %v, want %d and a mismatch", v.MappedStatus, v.Mismatch, r.wantStatus)
			}
			f := finding(v, "S-unterminated-error")
			if f == nil || f.Severity != SeverityError || !strings.Contains(f.Detail, "blank line") {
				t.Fatalf("S-unterminated-error = %+v; findings %v", f, codes(v))
			}
			if hasCode(v, "S-unterminated-event") {
				t.Errorf("both S-unterminated-event and S-unterminated-error")
			}
			if len(f.Fixes) == 0 {
				t.Errorf("no fixes")
			}
		})
	}
	// A cut frame that is no error stays the plain warning.
	v := Diagnose(stream.FromBody("t", []byte(head+"event: ping\ndata: {\"type\":\"ping\"}")), Options{})
	if v.Error != nil || !hasCode(v, "S-unterminated-event") || hasCode(v, "S-unterminated-error") {
		t.Errorf("cut ping: error %+v findings %v", v.Error, codes(v))
	}
}

// TestCutTerminatorWording (#11 item 6.3): when the last frame is the
// dialect's own terminator cut before its blank line, titles say it was
// cut (not missing), the report's event count says clients never received
// it, and the fix names that dialect's terminator.
func TestCutTerminatorWording(t *testing.T) {
	delta := `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}`
	chunk := `{"object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}`
	rows := []struct {
		name, body, code, wantTitle, wantFix, notFix string
	}{
		{"anthropic message_stop cut", ant(evMS, delta) + "event: message_stop\ndata: {\"type\":\"message_stop\"}",
			"A-W11-truncated-after-delta", "message_stop cut before its blank line", "message_stop", ""},
		{"chat [DONE] cut", "data: " + chunk + "\n\ndata: [DONE]\n",
			"O-truncated-after-finish", "[DONE] cut before its blank line", "[DONE]", "message_stop"},
		{"responses completed cut", "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"object\":\"response\"}}\n\nevent: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"object\":\"response\",\"status\":\"completed\"}}",
			"R-truncated", "response.completed cut before its blank line", "response.completed", "message_stop"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t", []byte(r.body)), Options{})
			f := finding(v, r.code)
			if f == nil {
				t.Fatalf("no %s; findings %v", r.code, codes(v))
			}
			if !strings.Contains(f.Title, r.wantTitle) || strings.Contains(f.Title, "missing") {
				t.Errorf("title %q, want %q", f.Title, r.wantTitle)
			}
			if !strings.Contains(f.Detail, "blank line") || strings.Contains(f.Detail, "never did") {
				t.Errorf("detail %q", f.Detail)
			}
			u := finding(v, "S-unterminated-event")
			if u == nil {
				t.Fatalf("no S-unterminated-event")
			}
			fixes := strings.Join(u.Fixes, " ")
			if !strings.Contains(fixes, r.wantFix) || (r.notFix != "" && strings.Contains(fixes, r.notFix)) {
				t.Errorf("S-unterminated-event fixes %q: want %q, not %q", fixes, r.wantFix, r.notFix)
			}
			n := v.EventCount
			if got := eventsText(v); !strings.Contains(got, "clients received "+fmt.Sprint(n-1)) {
				t.Errorf("events text %q does not say clients received %d", got, n-1)
			}
		})
	}
}

// TestTruncatedMidBlockAfterDelta (#11 item 6.4): a max_tokens cut of tool
// JSON sends message_delta while the block is open; the finding must not
// claim no message_delta arrived, and it is the after-delta class: a
// warning.
func TestTruncatedMidBlockAfterDelta(t *testing.T) {
	tool := `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get","input":{}}}`
	part := `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}`
	rows := []struct {
		name    string
		body    string
		wantSev Severity
		want    []string
		notWant string
	}{
		{"max_tokens delta inside a tool block", ant(evMS, tool, part, `{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":9}}`),
			SeverityWarning, []string{"message_delta did arrive", `"max_tokens"`, "token limit"}, "no content_block_stop, message_delta"},
		{"delta without stop_reason", ant(evMS, tool, part, `{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":9}}`),
			SeverityError, []string{"message_delta did arrive", "no stop_reason"}, "no content_block_stop, message_delta"},
		{"no delta at all", ant(evMS, tool, part),
			SeverityError, []string{"no content_block_stop, message_delta, message_stop or error"}, "did arrive"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t", []byte(r.body)), Options{})
			f := finding(v, "A-W11-truncated-mid-block")
			if f == nil {
				t.Fatalf("no A-W11-truncated-mid-block; findings %v", codes(v))
			}
			if f.Severity != r.wantSev {
				t.Errorf("severity %s, want %s", f.Severity, r.wantSev)
			}
			for _, w := range r.want {
				if !strings.Contains(f.Detail, w) {
					t.Errorf("detail %q lacks %q", f.Detail, w)
				}
			}
			if strings.Contains(f.Detail, r.notWant) {
				t.Errorf("detail %q says %q", f.Detail, r.notWant)
			}
		})
	}
}

// TestOpenRouter429Retryable (#11 item 5): an OpenRouter 429 saying it is
// temporarily rate-limited upstream and to retry shortly is retryable, as
// the body and OpenRouter's docs (429 = rate limited; out of credits is
// 402) say and as the SDKs' built-in retry treats it; a spend-cap 429
// without retry-after stays not retryable.
func TestOpenRouter429Retryable(t *testing.T) {
	orBody := `{"error":{"message":"anthropic/claude-sonnet-4.5 is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations","code":429,"metadata":{"provider_name":"Anthropic"}}}`
	rows := []struct {
		name string
		x    *stream.Exchange
		want bool
	}{
		{"openrouter 429 temporarily rate-limited", withRequest(withResponse(stream.FromBody("t", []byte(orBody)), 429, "Content-Type", "application/json"),
			"POST", "https://openrouter.ai/api/v1/chat/completions", `{"model":"anthropic/claude-sonnet-4.5","stream":true}`), true},
		{"openrouter 429, no url, body says retry shortly", withResponse(stream.FromBody("t", []byte(orBody)), 429, "Content-Type", "application/json"), true},
		{"anthropic spend-cap 429", withResponse(stream.FromBody("t", []byte(`{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your spend limit","details":{"error_code":"enforced_spend_limit_reached"}}}`)), 429, "Content-Type", "application/json"), false},
		{"anthropic 429 without retry-after or retry wording", withResponse(stream.FromBody("t", []byte(`{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`)), 429, "Content-Type", "application/json"), false},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{})
			if v.Error == nil {
				t.Fatalf("no error; outcome %s", v.Outcome)
			}
			if v.Error.Retryable != r.want {
				t.Errorf("retryable %v, want %v (provider %s)", v.Error.Retryable, r.want, v.Provider)
			}
		})
	}
}

// TestCompressedNeedsTiming (#11 item 6.6): Content-Encoding on an event
// stream is flagged only when the timing shows events held back.
func TestCompressedNeedsTiming(t *testing.T) {
	good := ant(evMS, evStart(0, "text"), evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop)
	hdr := func(x *stream.Exchange, enc string) *stream.Exchange {
		x.Response = &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}, "Content-Encoding": {enc}}}
		return x
	}
	gzTimed := func(at ...time.Duration) *stream.Exchange {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(good))
		zw.Close()
		x := &stream.Exchange{Source: "gz", Format: stream.FormatJSONL, Timed: true, End: stream.End{Reason: stream.EndEOF}}
		z := b.Bytes()
		half := len(z) / 2
		x.Chunks = []stream.Chunk{{At: at[0], Data: z[:half]}, {At: at[1], Data: z[half:]}}
		return hdr(x, "gzip")
	}
	s := time.Second
	rows := []struct {
		name string
		x    *stream.Exchange
		want bool
	}{
		{"untimed gzip", hdr(stream.FromBody("t", []byte(good)), "gzip"), false},
		{"timed, events spread out", hdr(timed(good, 1*s, 2*s, 3*s, 4*s, 5*s, 6*s), "gzip"), false},
		{"timed, all events in one burst at the end", hdr(timed(good, 5*s), "br"), true},
		{"timed gzip wire bytes spread out", gzTimed(1*s, 4*s), false},
		{"timed gzip wire bytes in one burst", gzTimed(5*s, 5*s), true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{})
			f := finding(v, "T-compressed")
			if (f != nil) != r.want {
				t.Fatalf("T-compressed = %v, want %v; findings %v", f != nil, r.want, codes(v))
			}
			if f != nil && (f.Severity != SeverityWarning || !strings.Contains(f.Detail, "burst")) {
				t.Errorf("T-compressed %+v", f)
			}
		})
	}
}
