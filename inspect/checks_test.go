package inspect

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Anthropic event data used to build test streams.
const (
	evMS    = `{"type":"message_start","message":{"id":"msg_t","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}`
	evPing  = `{"type": "ping"}`
	evMStop = `{"type":"message_stop"}`
)

func evStart(i int, typ string) string {
	switch typ {
	case "tool_use":
		return fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"tool_use","id":"toolu_t","name":"lookup","input":{}}}`, i)
	case "thinking":
		return fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"thinking","thinking":""}}`, i)
	}
	return fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":%q,"text":""}}`, i, typ)
}

func evText(i int, s string) string {
	return fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"text_delta","text":%s}}`, i, js(s))
}

func evDelta(i int, typ, field, s string) string {
	return fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":%q,%q:%s}}`, i, typ, field, js(s))
}

// js is s as a JSON string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func evStop(i int) string { return fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, i) }

func evMD(reason string, out int) string {
	r := "null"
	if reason != "" {
		r = fmt.Sprintf("%q", reason)
	}
	return fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":%s,"stop_sequence":null},"usage":{"output_tokens":%d}}`, r, out)
}

func evErr(typ string) string {
	return fmt.Sprintf(`{"type":"error","error":{"details":null,"type":%q,"message":"boom"}        }`, typ)
}

// ant builds an Anthropic stream whose event names equal data.type.
func ant(data ...string) string {
	var pairs []string
	for _, d := range data {
		pairs = append(pairs, jstring(jfield([]byte(d), "type")), d)
	}
	return sse(pairs...)
}

// good is a well-formed Anthropic stream.
var good = ant(evMS, evStart(0, "text"), evPing, evText(0, "Hi"), evStop(0), evMD("end_turn", 3), evMStop)

func body(s string) func() *stream.Exchange {
	return func() *stream.Exchange { return stream.FromBody("t.sse", []byte(s)) }
}

// TestChecks has one named case per check, violating (sev set: the code
// must be present with that severity) and passing (sev "": absent).
func TestChecks(t *testing.T) {
	toolStream := func(reason string, parts ...string) string {
		ev := []string{evMS, evStart(0, "tool_use")}
		for _, p := range parts {
			ev = append(ev, evDelta(0, "input_json_delta", "partial_json", p))
		}
		return ant(append(ev, evStop(0), evMD(reason, 9), evMStop)...)
	}
	openai := func(chunks ...string) string {
		var p []string
		for _, c := range chunks {
			p = append(p, "", c)
		}
		return sse(p...)
	}
	chunk := func(content, finish string) string {
		f := "null"
		if finish != "" {
			f = fmt.Sprintf("%q", finish)
		}
		return fmt.Sprintf(`{"id":"chatcmpl-t","object":"chat.completion.chunk","model":"gpt-t","choices":[{"index":0,"delta":{"content":%q},"finish_reason":%s}]}`, content, f)
	}
	resp := func(pairs ...string) string { return sse(pairs...) }
	rev := func(typ string, seq int, rest string) (string, string) {
		return typ, fmt.Sprintf(`{"type":%q,"sequence_number":%d%s}`, typ, seq, rest)
	}
	r0n, r0d := rev("response.created", 0, `,"response":{"id":"resp_t","model":"gpt-r"}`)
	r1n, r1d := rev("response.output_text.delta", 1, `,"output_index":0,"delta":"Hi"`)
	r2n, r2d := rev("response.completed", 2, `,"response":{"id":"resp_t","status":"completed"}`)
	r2in, r2id := rev("response.incomplete", 2, `,"response":{"id":"resp_t","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}`)
	r3n, r3d := rev("response.output_text.delta", 3, `,"output_index":0,"delta":"late"`)
	r5n, r5d := rev("response.output_text.delta", 5, `,"output_index":0,"delta":"gap"`)

	withHdr := func(s string, status int, kv ...string) func() *stream.Exchange {
		return func() *stream.Exchange { return withResponse(stream.FromBody("t", []byte(s)), status, kv...) }
	}
	ended := func(s string, r stream.EndReason) func() *stream.Exchange {
		return func() *stream.Exchange {
			x := stream.FromBody("t", []byte(s))
			x.End = stream.End{Reason: r, Err: "read tcp 127.0.0.1:443: connection reset by peer"}
			return x
		}
	}
	at := func(s string, times ...time.Duration) func() *stream.Exchange {
		return func() *stream.Exchange { return timed(s, times...) }
	}
	sec := time.Second
	cut := strings.TrimSuffix(good, "\n")

	cases := []struct {
		name string
		x    func() *stream.Exchange
		code string
		sev  Severity
	}{
		{"W2 first event is a block", body(ant(evStart(0, "text"), evStop(0))), "A-W2-first-event", SeverityError},
		{"W2 ping before message_start is fine", body(ant(evPing, evMS, evMD("end_turn", 1), evMStop)), "A-W2-first-event", ""},
		{"W2 error first is fine", body(ant(evErr("overloaded_error"))), "A-W2-first-event", ""},
		{"W3 spliced message_start", body(ant(evMS, evStart(0, "text"), evText(0, "a"), evMS, evStart(0, "text"), evStop(0), evMD("end_turn", 2), evMStop)), "A-W3-second-message-start", SeverityError},
		{"W3 single message_start", body(good), "A-W3-second-message-start", ""},
		{"W4 event name differs", body(sse("ping", evMS, "message_stop", evMStop)), "A-W4-name-mismatch", SeverityWarning},
		{"W4 unnamed event", body(sse("message_start", evMS, "", evMD("end_turn", 1), "message_stop", evMStop)), "A-W4-name-mismatch", SeverityWarning},
		{"W4 names match", body(good), "A-W4-name-mismatch", ""},
		{"W5 index starts at 1", body(ant(evMS, evStart(1, "text"), evStop(1), evMD("end_turn", 1), evMStop)), "A-W5-block-order", SeverityError},
		{"W5 overlapping blocks", body(ant(evMS, evStart(0, "text"), evStart(1, "text"), evStop(1), evMD("end_turn", 1), evMStop)), "A-W5-block-order", SeverityError},
		{"W5 stop for another block", body(ant(evMS, evStart(0, "text"), evStop(3), evMD("end_turn", 1), evMStop)), "A-W5-block-order", SeverityError},
		{"W5 message_stop with open block", body(ant(evMS, evStart(0, "text"), evMD("end_turn", 1), evMStop)), "A-W5-block-order", SeverityError},
		{"W5 sequential blocks", body(ant(evMS, evStart(0, "text"), evStop(0), evStart(1, "text"), evStop(1), evMD("end_turn", 1), evMStop)), "A-W5-block-order", ""},
		{"W6 delta for closed block", body(ant(evMS, evStart(0, "text"), evStop(0), evText(0, "x"), evMD("end_turn", 1), evMStop)), "A-W6-delta-block", SeverityError},
		{"W6 thinking delta in text block", body(ant(evMS, evStart(0, "text"), evDelta(0, "thinking_delta", "thinking", "hm"), evStop(0), evMD("end_turn", 1), evMStop)), "A-W6-delta-block", SeverityError},
		{"W6 signature in thinking block", body(ant(evMS, evStart(0, "thinking"), evDelta(0, "thinking_delta", "thinking", "hm"), evDelta(0, "signature_delta", "signature", "sig"), evStop(0), evMD("end_turn", 1), evMStop)), "A-W6-delta-block", ""},
		{"W7 tool JSON cut", body(toolStream("tool_use", `{"q": "x`)), "A-W7-tool-json", SeverityError},
		{"W7 tool JSON not an object", body(toolStream("tool_use", `[1,2]`)), "A-W7-tool-json", SeverityError},
		{"W7 tool JSON cut at max_tokens", body(toolStream("max_tokens", `{"q": "x`)), "A-W7-tool-json", SeverityWarning},
		{"W7 empty tool input means {}", body(toolStream("tool_use", ``)), "A-W7-tool-json", ""},
		{"W7 tool JSON over fragments", body(toolStream("tool_use", `{"q":`, ` "x\u00e9"}`)), "A-W7-tool-json", ""},
		{"W8 message_delta with open block", body(ant(evMS, evStart(0, "text"), evMD("end_turn", 1), evStop(0), evMStop)), "A-W8-delta-open-block", SeverityWarning},
		{"W8 null stop_reason", body(ant(evMS, evMD("", 1), evMStop)), "A-W8-no-stop-reason", SeverityWarning},
		{"W8 no message_delta", body(ant(evMS, evMStop)), "A-W8-no-stop-reason", SeverityWarning},
		{"W8 unknown stop_reason", body(ant(evMS, evMD("nap_time", 1), evMStop)), "A-W8-unknown-stop-reason", SeverityWarning},
		{"W8 known new stop_reason", body(ant(evMS, evMD("model_context_window_exceeded", 1), evMStop)), "A-W8-unknown-stop-reason", ""},
		{"W8 output_tokens decreased", body(ant(evMS, evMD("", 9), evMD("end_turn", 4), evMStop)), "A-W8-usage-decreased", SeverityWarning},
		{"W8 output_tokens grow", body(ant(evMS, evMD("", 4), evMD("end_turn", 9), evMStop)), "A-W8-usage-decreased", ""},
		{"W9 event after message_stop", body(good + ant(evPing)), "A-W9-after-message-stop", SeverityError},
		{"W9 message_stop last", body(good), "A-W9-after-message-stop", ""},
		{"W10 error event", body(ant(evMS, evErr("overloaded_error"))), "A-W10-error-event", SeverityError},
		{"W10 no error", body(good), "A-W10-error-event", ""},
		{"W10 events after the error", body(ant(evMS, evErr("api_error"), evMStop)), "A-W10-after-error", SeverityWarning},
		{"W11 cut mid-block", body(ant(evMS, evStart(0, "text"), evText(0, "a"))), "A-W11-truncated-mid-block", SeverityError},
		{"W11 cut between blocks", body(ant(evMS, evStart(0, "text"), evStop(0))), "A-W11-truncated-between-blocks", SeverityError},
		{"W11 cut after message_start", body(ant(evMS)), "A-W11-truncated-between-blocks", SeverityError},
		{"W11 cut after message_delta", body(ant(evMS, evStart(0, "text"), evStop(0), evMD("end_turn", 2))), "A-W11-truncated-after-delta", SeverityWarning},
		{"W11 complete stream", body(good), "A-W11-truncated-between-blocks", ""},
		{"W12 unknown event", body(ant(evMS, `{"type":"message_pause"}`, evMD("end_turn", 1), evMStop)), "A-W12-unknown-event", SeverityInfo},
		{"W12 unknown block", body(ant(evMS, evStart(0, "hologram"), evStop(0), evMD("end_turn", 1), evMStop)), "A-W12-unknown-block", SeverityInfo},
		{"W12 unknown delta", body(ant(evMS, evStart(0, "text"), evDelta(0, "sparkle_delta", "x", "y"), evStop(0), evMD("end_turn", 1), evMStop)), "A-W12-unknown-delta", SeverityInfo},
		{"W12 known types only", body(good), "A-W12-unknown-event", ""},
		{"Anthropic data not JSON", body(sse("message_start", evMS, "content_block_start", `{"type":"content_block_start",`)), "A-data-not-json", SeverityError},

		{"Chat data after [DONE]", body(openai(chunk("a", "stop"), "[DONE]", chunk("b", ""))), "O-after-done", SeverityError},
		{"Chat [DONE] last", body(openai(chunk("a", "stop"), "[DONE]")), "O-after-done", ""},
		{"Chat chunk not JSON", body(openai(chunk("a", ""), `{"id":`, "[DONE]")), "O-data-not-json", SeverityError},
		{"Chat [DONE] without finish_reason", body(openai(chunk("a", ""), "[DONE]")), "O-no-finish-reason", SeverityWarning},
		{"Chat finish_reason present", body(openai(chunk("a", "length"), "[DONE]")), "O-no-finish-reason", ""},
		{"Chat cut without finish_reason", body(openai(chunk("a", ""))), "O-truncated", SeverityError},
		{"Chat cut after finish_reason", body(openai(chunk("a", "stop"))), "O-truncated-after-finish", SeverityWarning},
		{"Chat unknown finish_reason", body(openai(chunk("a", "sleepy"), "[DONE]")), "O-unknown-finish-reason", SeverityInfo},
		{"Chat error object", body(openai(chunk("a", ""), `{"error":{"message":"x","type":"server_error","param":null,"code":null}}`, "[DONE]")), "O-error-object", SeverityError},
		{"Chat finish_reason error without object", body(openai(`{"id":"gen-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"error"}]}`)), "O-finish-reason-error", SeverityError},

		{"Responses completed", body(resp(r0n, r0d, r1n, r1d, r2n, r2d)), "R-truncated", ""},
		{"Responses cut", body(resp(r0n, r0d, r1n, r1d)), "R-truncated", SeverityError},
		{"Responses event after completed", body(resp(r0n, r0d, r1n, r1d, r2n, r2d, r3n, r3d)), "R-after-terminal", SeverityError},
		{"Responses sequence gap", body(resp(r0n, r0d, r1n, r1d, r5n, r5d)), "R-sequence-gap", SeverityWarning},
		{"Responses consecutive sequence", body(resp(r0n, r0d, r1n, r1d, r2n, r2d)), "R-sequence-gap", ""},
		{"Responses incomplete", body(resp(r0n, r0d, r1n, r1d, r2in, r2id)), "R-incomplete", SeverityWarning},
		{"Responses data not JSON", body(resp(r0n, r0d, "response.output_text.delta", "{")), "R-data-not-json", SeverityError},

		{"Generic error event", body(sse("tick", `{"n":1}`, "error", `{"message":"gone"}`)), "G-error-event", SeverityError},
		{"Generic stream", body(sse("tick", `{"n":1}`, "tick", `{"n":2}`)), "G-error-event", ""},

		{"Content-Type missing", withHdr(good, 200), "T-content-type-missing", SeverityWarning},
		{"Content-Type JSON on a stream", withHdr(good, 200, "Content-Type", "application/json"), "T-content-type-wrong", SeverityWarning},
		{"Content-Type event-stream", withHdr(good, 200, "Content-Type", "text/event-stream; charset=utf-8"), "T-content-type-wrong", ""},
		{"gzip on untimed SSE is no evidence", withHdr(good, 200, "Content-Type", "text/event-stream", "Content-Encoding", "gzip"), "T-compressed", ""},
		{"br on untimed SSE is no evidence", withHdr(good, 200, "Content-Type", "text/event-stream", "Content-Encoding", "br"), "T-compressed", ""},
		{"identity encoding", withHdr(good, 200, "Content-Type", "text/event-stream", "Content-Encoding", "identity"), "T-compressed", ""},
		{"connection reset", ended(ant(evMS, evStart(0, "text")), stream.EndReset), "T-transport-reset", SeverityError},
		{"timeout", ended(ant(evMS), stream.EndTimeout), "T-transport-timeout", SeverityError},
		{"transport error", ended(ant(evMS), stream.EndError), "T-transport-error", SeverityError},
		{"client cancelled", ended(ant(evMS), stream.EndCanceled), "T-transport-canceled", SeverityWarning},
		{"capture cut", ended(ant(evMS), stream.EndIncomplete), "T-transport-incomplete", SeverityWarning},
		{"reset after message_stop", ended(good, stream.EndReset), "T-end-after-complete", SeverityInfo},
		{"clean EOF", body(good), "T-transport-reset", ""},
		{"silent stall", at(ant(evMS, evStart(0, "text"), evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop), 0, sec, 2*sec, 40*sec), "T-stall", SeverityWarning},
		{"stall with comment keepalives", at(ant(evMS, evStart(0, "text"))+": keepalive\n\n: keepalive\n\n"+ant(evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop), 0, sec, 20*sec, 30*sec, 40*sec), "T-stall-keepalive", SeverityWarning},
		{"stall with pings", at(ant(evMS, evStart(0, "text"), evPing, evPing, evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop), 0, sec, 10*sec, 20*sec, 30*sec), "T-stall-keepalive", SeverityWarning},
		{"pings are not a silent stall", at(ant(evMS, evStart(0, "text"), evPing, evPing, evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop), 0, sec, 10*sec, 20*sec, 30*sec), "T-stall", ""},
		{"steady stream", at(good, 0, sec, 2*sec, 3*sec, 4*sec, 5*sec, 6*sec), "T-stall", ""},
		{"proxy buffered the stream", at(good, 8*sec), "T-buffered", SeverityWarning},
		{"stream spread over time", at(good, 0, sec, 2*sec, 3*sec), "T-buffered", ""},
		{"fast short answer", at(good, 300*time.Millisecond), "T-buffered", ""},
		{"cut inside the last frame", body(cut + "event: message_stop\ndata: {\"type\":\"message_stop\"}"), "S-unterminated-event", SeverityWarning},
		{"terminated frames", body(good), "S-unterminated-event", ""},
		{"no events", body(": hi\n\n"), "S-no-events", SeverityWarning},

		{"HTTP error", withHdr(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 529), "H-http-error", SeverityError},
		{"x-should-retry false", withHdr(`{"type":"error","error":{"type":"api_error","message":"x"}}`, 500, "X-Should-Retry", "false"), "H-should-retry", SeverityInfo},
		{"429 without retry-after", withHdr(`{"type":"error","error":{"type":"rate_limit_error","message":"x"}}`, 429), "H-no-retry-after", SeverityWarning},
		{"429 with retry-after", withHdr(`{"type":"error","error":{"type":"rate_limit_error","message":"x"}}`, 429, "Retry-After", "3"), "H-no-retry-after", ""},
		{"spend cap", withHdr(`{"type":"error","error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}`, 429), "H-spend-cap", SeverityError},
		{"plain rate limit is not the spend cap", withHdr(`{"type":"error","error":{"type":"rate_limit_error","message":"x"}}`, 429, "Retry-After", "3"), "H-spend-cap", ""},
		{"in-stream spend cap", body(ant(evMS, `{"type":"error","error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}`)), "H-spend-cap", SeverityError},
		{"in-stream rate limit is not the spend cap", body(ant(evMS, evErr("rate_limit_error"))), "H-spend-cap", ""},
		{"api_error saying Overloaded", withHdr(`{"type":"error","error":{"type":"api_error","message":"Overloaded"}}`, 500), "E-overloaded-message", SeverityInfo},
		{"overloaded_error is not disguised", withHdr(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 529), "E-overloaded-message", ""},
		{"JSON error under 200", body(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), "H-json-error-body", SeverityError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(c.x(), Options{})
			f := finding(v, c.code)
			switch {
			case c.sev == "" && f != nil:
				t.Errorf("%s present: %s — %s", c.code, f.Title, f.Detail)
			case c.sev != "" && f == nil:
				t.Errorf("%s missing; got %v", c.code, codes(v))
			case c.sev != "" && f.Severity != c.sev:
				t.Errorf("%s severity = %s, want %s", c.code, f.Severity, c.sev)
			case f != nil && (f.Title == "" || f.Detail == "" || len(f.Fixes) == 0):
				t.Errorf("%s lacks title, detail or fixes: %+v", c.code, f)
			}
			for _, e := range infos(v.Events) {
				if strings.ContainsAny(e.Summary, "\n\r\t") {
					t.Errorf("event %d summary %q is not one line", e.Index, e.Summary)
				}
			}
		})
	}
}

// TestTransportFindingWording: the transport findings read as sentences
// ("ended with a connection reset after 1 event"), not with the raw
// EndReason, and a cut capture does not claim what an SDK raised.
func TestTransportFindingWording(t *testing.T) {
	tests := []struct {
		name    string
		reason  stream.EndReason
		code    string
		want    string
		notWant string
	}{
		{"reset", stream.EndReset, "T-transport-reset", "The body ended with a connection reset after 1 event.", "event(s)"},
		{"timeout", stream.EndTimeout, "T-transport-timeout", "ended with a timeout after 1 event", ""},
		{"cancelled", stream.EndCanceled, "T-transport-canceled", "ended with a cancellation by the client", ""},
		{"capture cut", stream.EndIncomplete, "T-transport-incomplete", "ended with the capture cut off after 1 event. What the stream sent after that point is not in the capture.", "SDKs raise"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := stream.FromBody("t", []byte(ant(evMS)))
			x.End = stream.End{Reason: tc.reason}
			f := finding(Diagnose(x, Options{}), tc.code)
			if f == nil {
				t.Fatalf("%s missing", tc.code)
			}
			if !strings.Contains(f.Detail, tc.want) || (tc.notWant != "" && strings.Contains(f.Detail, tc.notWant)) {
				t.Errorf("detail = %q, want %q and not %q", f.Detail, tc.want, tc.notWant)
			}
		})
	}
}

// TestGzipBodyIsRead: a recording proxy or `curl -i` without --compressed
// keeps a gzip'd event stream as wire bytes; the events are read from the
// decompressed body. The capture is untimed, so nothing shows the
// compressor held events back: no T-compressed (TestCompressedNeedsTiming).
func TestGzipBodyIsRead(t *testing.T) {
	good := ant(evMS, evStart(0, "text"), evText(0, "a"), evStop(0), evMD("end_turn", 2), evMStop)
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	tests := []struct {
		name     string
		encoding string
		body     []byte
		outcome  Outcome
		events   int
		note     string
	}{
		{"gzip stream decoded", "gzip", gz(good), OutcomeComplete, 6, "events were read from the decompressed bytes"},
		{"cut gzip stream read up to the cut", "gzip", gz(good)[:len(gz(good))-12], OutcomeComplete, 6, "decompression stopped"},
		{"labelled gzip but plain text", "gzip", []byte(good), OutcomeComplete, 6, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := stream.FromBody("gz.http", tc.body)
			x.Response = &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}, "Content-Encoding": {tc.encoding}}}
			v := Diagnose(x, Options{})
			if v.Outcome != tc.outcome || v.EventCount != tc.events {
				t.Errorf("outcome %s with %d events, want %s with %d", v.Outcome, v.EventCount, tc.outcome, tc.events)
			}
			if hasCode(v, "T-compressed") {
				t.Errorf("T-compressed on an untimed capture; got %v", codes(v))
			}
			notes := strings.Join(v.Exchange.Notes, "; ")
			if tc.note != "" && !strings.Contains(notes, tc.note) || tc.note == "" && notes != "" {
				t.Errorf("notes = %q, want %q", notes, tc.note)
			}
		})
	}
}
