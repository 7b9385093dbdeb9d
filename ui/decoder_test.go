package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// wholeDecode is the reference: the body decoded in one pass.
func wholeDecode(body []byte) []inspect.EventInfo {
	tl := inspect.NewTimeline(stream.FromBody("b", body))
	return eventInfos(tl.Feed(stream.Chunk{Data: body}).Append(tl.Finish()))
}

// eventInfos returns every event of evs, as At gives them.
func eventInfos(evs inspect.Events) []inspect.EventInfo {
	out := make([]inspect.EventInfo, evs.Len())
	for i := range out {
		out[i] = evs.At(i)
	}
	return out
}

// splitDecode feeds body in pieces cut at the given points, as a live
// stream delivers it (the decoder sees the headers, not the body, which
// grows chunk by chunk as the session's exchange does).
func splitDecode(body []byte, cuts []int) []inspect.EventInfo {
	x := stream.FromBody("b", nil)
	tl := inspect.NewTimeline(x)
	var out inspect.Events
	feed := func(c stream.Chunk) {
		x.Chunks = append(x.Chunks, c)
		out = out.Append(tl.Feed(c))
	}
	prev := 0
	for i, c := range cuts {
		if c < prev || c > len(body) {
			continue
		}
		feed(stream.Chunk{At: time.Duration(i), Data: body[prev:c]})
		prev = c
	}
	feed(stream.Chunk{At: time.Duration(len(cuts)), Data: body[prev:]})
	return eventInfos(out.Append(tl.Finish()))
}

func sameEvents(t *testing.T, got, want []inspect.EventInfo) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Type != w.Type || g.Offset != w.Offset || g.Length != w.Length || g.Unterminated != w.Unterminated ||
			g.DataType != w.DataType || g.ID != w.ID || g.Comments != w.Comments || g.Index != i {
			t.Errorf("event %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestIncrementalDecodeMatchesWhole(t *testing.T) {
	tests := []struct {
		name string
		body string
		cuts []int
	}{
		{"split inside data", "event: a\ndata: {\"type\":\"x\"}\n\nevent: b\ndata: 2\n\n", []int{5, 12, 30}},
		{"split between CR and LF", "data: 1\r\n\r\ndata: 2\r\n\r\n", []int{8, 9, 10, 11}},
		{"comments before events", ": ping\n\n: ping\ndata: 1\n\n", []int{3, 9}},
		{"unterminated tail", "data: 1\n\ndata: {\"type\":\"message_st", []int{4, 15}},
		{"id persists across feeds", "id: 7\ndata: 1\n\ndata: 2\n\n", []int{15}},
		{"one byte at a time", "event: e\ndata: x\n\ndata: y\n\n", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameEvents(t, splitDecode([]byte(tt.body), tt.cuts), wholeDecode([]byte(tt.body)))
		})
	}
}

// TestLiveTimelineMatchesVerdict: the events the inspector shows while a
// stream arrives read like the verdict's (the same summaries), and the
// SSE last event ID carries over from one network read to the next.
func TestLiveTimelineMatchesVerdict(t *testing.T) {
	body := "id: msg-1\nevent: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x\"}}\n\n" +
		": keepalive\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n" +
		"data: tail"
	start := &stream.Exchange{Source: "live", Timed: true,
		Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}
	st := newExchangeState(1, start, 0)
	st.applyUpdate(stream.Update{Seq: 1, Start: start})
	st.applyUpdate(stream.Update{Seq: 1, Response: &stream.Response{Status: 200}})
	for i, piece := range []string{body[:40], body[40:200], body[200:]} {
		st.applyUpdate(stream.Update{Seq: 1, Chunk: &stream.Chunk{At: time.Duration(i+1) * time.Second, Data: []byte(piece)}})
	}
	st.applyUpdate(stream.Update{Seq: 1, End: &stream.End{Reason: stream.EndEOF, At: 4 * time.Second}})
	for j := st.decodeJob(); j != nil; j = st.decodeJob() {
		st.applyDecoded(j.run())
	}
	v := inspect.Diagnose(st.snapshot(), inspect.Options{})
	live, verdict := eventInfos(st.events), eventInfos(v.Events)
	if len(live) != len(verdict) || len(verdict) != 5 {
		t.Fatalf("%d live events, verdict %d, want 5", len(live), len(verdict))
	}
	for i, w := range verdict {
		g := live[i]
		if g.Summary != w.Summary || g.DataType != w.DataType || g.ID != w.ID || g.At != w.At || g.Comments != w.Comments || g.Unterminated != w.Unterminated {
			t.Errorf("event %d:\n live    %+v\n verdict %+v", i, g, w)
		}
	}
	for i, e := range live {
		if e.ID != "msg-1" {
			t.Errorf("event %d has id %q; the last event ID persists across events and reads", i, e.ID)
		}
	}
	if got := live[3].Summary; got != "overloaded_error: Overloaded" {
		t.Errorf("error event summary %q", got)
	}
}

// FuzzIncrementalDecode: however a body is cut into chunks, the timeline
// holds the same events as a one-pass decode, and summaries never panic.
func FuzzIncrementalDecode(f *testing.F) {
	f.Add([]byte("event: a\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"), uint16(7), uint16(30))
	f.Add([]byte("data: 1\r\n\r\ndata: {\"error\":{\"type\":\"x\",\"message\":\"m\"}}\r\r"), uint16(9), uint16(10))
	f.Add([]byte(":c\n\ndata:\xff\x1b[2J\n\n"), uint16(1), uint16(2))
	f.Fuzz(func(t *testing.T, body []byte, a, b uint16) {
		if len(body) > 1<<16 {
			return
		}
		c1, c2 := int(a)%(len(body)+1), int(b)%(len(body)+1)
		if c2 < c1 {
			c1, c2 = c2, c1
		}
		sameEvents(t, splitDecode(body, []int{c1, c2}), wholeDecode(body))
		for _, e := range wholeDecode(body) {
			if r, bad := rawControl(e.Summary); bad {
				t.Fatalf("summary %q holds raw %U", e.Summary, r)
			}
			if w := width(cut(oneLine(e.Summary), 30)); w > 30 {
				t.Fatalf("summary row %d cells wide", w)
			}
		}
	})
}

// FuzzOneLine: sanitised payload text never carries a control character,
// an escape sequence or a bidi override, and cut never exceeds its width.
func FuzzOneLine(f *testing.F) {
	f.Add("plain", uint8(10))
	f.Add("\x1b]0;t\x07\x1b[2J\u202e漢字e\u0301\r\n\t\x7f\u0085", uint8(5))
	f.Add("\xff\xfe\x1bP+q\x1b\\", uint8(3))
	f.Fuzz(func(t *testing.T, s string, w uint8) {
		out := oneLine(s)
		if r, bad := rawControl(out); bad || strings.ContainsRune(out, '\n') || strings.ContainsRune(out, '\t') {
			t.Fatalf("oneLine(%q) = %q keeps %U", s, out, r)
		}
		for _, r := range out {
			if stream.Unsafe(r) {
				t.Fatalf("oneLine(%q) = %q keeps %U", s, out, r)
			}
		}
		if c := cut(out, int(w)); width(c) > int(w) {
			t.Fatalf("cut(%q, %d) is %d cells", out, w, width(c))
		}
		if f := fit(out, int(w)); width(f) != int(w) {
			t.Fatalf("fit(%q, %d) is %d cells", out, w, width(f))
		}
	})
}
