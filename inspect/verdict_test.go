package inspect

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestOutputBeforeError decides whether a retry is safe: only text,
// thinking or tool payload counts as delivered content.
func TestOutputBeforeError(t *testing.T) {
	rows := []struct {
		name string
		body string
		want bool
	}{
		{"error first", ant(evErr("overloaded_error")), false},
		{"after message_start and ping", ant(evMS, evPing, evErr("overloaded_error")), false},
		{"after an empty text block start", ant(evMS, evStart(0, "text"), evErr("overloaded_error")), false},
		{"after an empty text delta", ant(evMS, evStart(0, "text"), evText(0, ""), evErr("overloaded_error")), false},
		{"after text", ant(evMS, evStart(0, "text"), evText(0, "Hel"), evErr("overloaded_error")), true},
		{"after thinking", ant(evMS, evStart(0, "thinking"), evDelta(0, "thinking_delta", "thinking", "hm"), evErr("overloaded_error")), true},
		{"after a tool_use start", ant(evMS, evStart(0, "tool_use"), evErr("overloaded_error")), true},
		{"after a chat content chunk", sse("", `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}]}`, "", `{"error":{"type":"server_error","message":"x"}}`), true},
		{"after an empty chat chunk", sse("", `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`, "", `{"error":{"type":"server_error","message":"x"}}`), false},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t", []byte(r.body)), Options{})
			if v.Error == nil {
				t.Fatalf("no error; findings %v", codes(v))
			}
			if v.Error.OutputBeforeError != r.want {
				t.Errorf("output_before_error = %v, want %v", v.Error.OutputBeforeError, r.want)
			}
		})
	}
}

// TestRequestIDAndModel: the header wins, then the error body; the request
// body's model wins over message_start's.
func TestRequestIDAndModel(t *testing.T) {
	errWithID := sse("message_start", evMS, "error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_body"}`)
	x := stream.FromBody("t", []byte(errWithID))
	if v := Diagnose(x, Options{}); v.RequestID != "req_body" || v.Model != "claude-test" || v.Request != nil {
		t.Errorf("body only: request id %q model %q request %v", v.RequestID, v.Model, v.Request)
	}
	x = withResponse(stream.FromBody("t", []byte(errWithID)), 200, "Request-Id", "req_header", "Content-Type", "text/event-stream")
	withRequest(x, "POST", "https://api.anthropic.com/v1/messages?key=sk-ant-api03-SECRETSECRETSECRET", `{"model": "claude-from-request", "stream": true}`)
	v := Diagnose(x, Options{})
	if v.RequestID != "req_header" {
		t.Errorf("request id = %q, want the header's", v.RequestID)
	}
	if v.Model != "claude-from-request" || v.Request == nil || v.Request.Model != "claude-from-request" {
		t.Errorf("model = %q request %+v", v.Model, v.Request)
	}
	if strings.Contains(v.Request.URL, "SECRETSECRET") {
		t.Errorf("request URL not redacted: %s", v.Request.URL)
	}
	x = withResponse(stream.FromBody("t", []byte(good)), 200, "X-Request-Id", "req_openai_style")
	if v := Diagnose(x, Options{}); v.RequestID != "req_openai_style" {
		t.Errorf("x-request-id: got %q", v.RequestID)
	}
}

// TestTimeline checks what the UI reads per event.
func TestTimeline(t *testing.T) {
	b := ": keepalive\n: keepalive\n\n" + ant(evMS, evStart(0, "text"), evText(0, "line one\nline\ttwo\x7f and a very long tail that goes on and on and on"), evStart(1, "tool_use")) +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}"
	x := timed(b, 0, 100*time.Millisecond, 200*time.Millisecond, 700*time.Millisecond, 900*time.Millisecond)
	v := Diagnose(x, Options{})
	if v.EventCount != 5 || v.Events.Len() != 5 {
		t.Fatalf("event count %d / %d, want 5", v.EventCount, v.Events.Len())
	}
	e := infos(v.Events)
	if e[0].Comments != 2 || e[1].Comments != 0 {
		t.Errorf("comments = %d, %d; want 2, 0", e[0].Comments, e[1].Comments)
	}
	if e[0].DataType != "message_start" || e[0].Summary != "claude-test" {
		t.Errorf("event 0 = %+v", e[0])
	}
	if s := e[2].Summary; strings.ContainsAny(s, "\n\t\x7f") || !strings.HasPrefix(s, "line one line two") || !strings.HasSuffix(s, "…") || len([]rune(s)) != summaryLimit+1 {
		t.Errorf("text summary %q: want one line, cut to %d runes with …", s, summaryLimit)
	}
	if e[3].Summary != "tool_use lookup" {
		t.Errorf("tool summary %q", e[3].Summary)
	}
	if !e[4].Unterminated || e[3].Unterminated {
		t.Errorf("unterminated flags: %v %v", e[3].Unterminated, e[4].Unterminated)
	}
	// The keepalive comments came in the first chunk, with message_start.
	if e[0].At != 100*time.Millisecond || e[2].At != 700*time.Millisecond {
		t.Errorf("arrival times %v %v", e[0].At, e[2].At)
	}
	for i, ev := range e {
		if ev.Index != i || ev.Offset < 0 || ev.Offset+ev.Length > int64(len(b)) {
			t.Errorf("event %d index/offset/length %d/%d/%d", i, ev.Index, ev.Offset, ev.Length)
		}
		if got := string(eventData(v, i)); !strings.Contains(got, `"type"`) {
			t.Errorf("event %d data from offsets = %q", i, got)
		}
	}
	if v.Outcome != OutcomeTruncated || !hasCode(v, "A-W11-truncated-mid-block") || !hasCode(v, "S-unterminated-event") {
		t.Errorf("outcome %s findings %v", v.Outcome, codes(v))
	}
}

// TestTiming checks ttfb, first content, duration and the largest gap.
func TestTiming(t *testing.T) {
	ms := time.Millisecond
	x := timed(good, 50*ms, 60*ms, 70*ms, 900*ms, 950*ms, 960*ms, 970*ms)
	x.Response = &stream.Response{Status: 200, At: 40 * ms}
	x.End = stream.End{Reason: stream.EndEOF, At: 1000 * ms}
	v := Diagnose(x, Options{})
	tm := v.Timing
	if tm == nil {
		t.Fatal("no timing for a timed capture")
	}
	if tm.TTFB != 40*ms || tm.FirstContent != 900*ms || tm.Duration != 1000*ms || tm.MaxGap != 830*ms || tm.MaxGapAfter != 3 {
		t.Errorf("timing = %+v", *tm)
	}
	if v := Diagnose(stream.FromBody("t", []byte(good)), Options{}); v.Timing != nil {
		t.Errorf("untimed capture has timing %+v", *v.Timing)
	}
	// A custom stall threshold.
	if v := Diagnose(x, Options{StallThreshold: 500 * ms}); !hasCode(v, "T-stall-keepalive") { // a ping came in the gap
		t.Errorf("830ms gap over a 500ms threshold not reported: %v", codes(v))
	}
}

// TestOutcomes covers each outcome with transport ends.
func TestOutcomes(t *testing.T) {
	rows := []struct {
		name     string
		x        *stream.Exchange
		want     Outcome
		mismatch bool
	}{
		{"complete", stream.FromBody("t", []byte(good)), OutcomeComplete, false},
		{"error event", stream.FromBody("t", []byte(ant(evMS, evErr("overloaded_error")))), OutcomeErrorEvent, true},
		{"truncated", stream.FromBody("t", []byte(ant(evMS))), OutcomeTruncated, true},
		{"reset", func() *stream.Exchange {
			x := stream.FromBody("t", []byte(ant(evMS)))
			x.End.Reason = stream.EndReset
			return x
		}(), OutcomeTransportError, true},
		{"http error", withResponse(stream.FromBody("t", []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)), 529), OutcomeHTTPError, false},
		{"empty", stream.FromBody("t", nil), OutcomeEmpty, false},
		{"body missing", func() *stream.Exchange { x := stream.FromBody("t", nil); x.BodyMissing = true; return x }(), OutcomeEmpty, false},
		{"error beats reset", func() *stream.Exchange {
			x := stream.FromBody("t", []byte(ant(evMS, evErr("api_error"))))
			x.End.Reason = stream.EndReset
			return x
		}(), OutcomeErrorEvent, true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{})
			if v.Outcome != r.want || v.Mismatch != r.mismatch {
				t.Errorf("outcome %s mismatch %v, want %s %v (findings %v)", v.Outcome, v.Mismatch, r.want, r.mismatch, codes(v))
			}
			if _, err := json.Marshal(v); err != nil {
				t.Errorf("verdict does not marshal: %v", err)
			}
		})
	}
}

// TestFindingsMerge: a million repeats of one violation are one finding.
func TestFindingsMerge(t *testing.T) {
	var b strings.Builder
	b.WriteString(ant(evMS, evStart(0, "text")))
	for range 200 {
		b.WriteString(sse("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"sparkle_delta"}}`))
	}
	b.WriteString(ant(evStop(0), evMD("end_turn", 1), evMStop))
	v := Diagnose(stream.FromBody("t", []byte(b.String())), Options{})
	f := finding(v, "A-W12-unknown-delta")
	if f == nil || len(f.Events) != maxEventRefs || !strings.Contains(f.Detail, "200 occurrences") {
		t.Fatalf("merged finding = %+v", f)
	}
	n := 0
	for _, g := range v.Findings {
		if g.Code == "A-W12-unknown-delta" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d findings with one code, want 1", n)
	}
}

// TestHeaderRequestID: every provider's request-id header is found, in
// the order the verdict and the live header both use.
func TestHeaderRequestID(t *testing.T) {
	cases := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"anthropic", http.Header{"Request-Id": {"req_1"}}, "req_1"},
		{"openai", http.Header{"X-Request-Id": {"req_2"}}, "req_2"},
		{"openai alias", http.Header{"Openai-Request-Id": {"req_3"}}, "req_3"},
		{"openrouter generation", http.Header{"X-Generation-Id": {"gen-4"}}, "gen-4"},
		{"bedrock", http.Header{"X-Amzn-Requestid": {"amzn-5"}}, "amzn-5"},
		{"anthropic wins", http.Header{"Request-Id": {"req_1"}, "X-Request-Id": {"req_2"}}, "req_1"},
		{"none", http.Header{"Content-Type": {"text/event-stream"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := HeaderRequestID(&stream.Response{Status: 200, Header: c.header}); got != c.want {
				t.Errorf("HeaderRequestID = %q, want %q", got, c.want)
			}
		})
	}
	if got := HeaderRequestID(nil); got != "" {
		t.Errorf("no response: %q", got)
	}
}
