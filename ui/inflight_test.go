package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// anthropicChunk is one live body chunk carrying SSE event name with data.
func anthropicChunk(at time.Duration, name, data string) stream.Update {
	return stream.Update{Seq: 1, Chunk: &stream.Chunk{At: at, Data: []byte("event: " + name + "\ndata: " + data + "\n\n")}}
}

// statusRow is the header's status line and the exchange's list row.
func statusRow(m *Model) (header, row string) {
	st := m.current()
	lines := strings.Split(screen(m), "\n")
	if len(lines) > 1 {
		header = lines[1]
	}
	return header, m.list.row(st, false, &m.styles)
}

// TestLiveInFlightIsNoMismatch feeds a live exchange chunk by chunk: while
// a healthy stream arrives, header and list say "streaming…" with no
// verdict from the missing end; the error event's chunk brings MISMATCH at
// once, before the body ends.
func TestLiveInFlightIsNoMismatch(t *testing.T) {
	m, _ := liveModel(t, 120, 30)
	steps := []struct {
		name     string
		updates  []stream.Update
		want     []string
		mismatch bool
	}{
		{"headers and message_start", append(startUpdates(), anthropicChunk(400*time.Millisecond, "message_start",
			`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","usage":{"input_tokens":5,"output_tokens":1}}}`)),
			[]string{"HTTP 200", "streaming…"}, false},
		{"a text block opens", []stream.Update{anthropicChunk(500*time.Millisecond, "content_block_start",
			`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)},
			[]string{"streaming…"}, false},
		{"text deltas", chunkUpdates(0, 5, time.Second), []string{"streaming…"}, false},
		{"the error event", []stream.Update{anthropicChunk(2*time.Second, "error",
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)},
			[]string{"stream → 529 overloaded_error", "MISMATCH", "error event (#8)"}, true},
	}
	for _, s := range steps {
		feedLive(m, feedMsg{updates: s.updates})
		header, row := statusRow(m)
		for _, w := range s.want {
			if !strings.Contains(header, w) {
				t.Errorf("%s: header lacks %q: %s", s.name, w, header)
			}
		}
		for _, txt := range []string{header, row} {
			if got := strings.Contains(txt, "MISMATCH"); got != s.mismatch {
				t.Errorf("%s: MISMATCH shown %v, want %v: %s", s.name, got, s.mismatch, txt)
			}
			if strings.Contains(txt, "cut off") || strings.Contains(txt, "truncated") {
				t.Errorf("%s: a verdict from the missing end: %s", s.name, txt)
			}
		}
		if !s.mismatch && !strings.Contains(row, "streaming…") {
			t.Errorf("%s: list row lacks streaming…: %s", s.name, row)
		}
	}
}

// TestLiveEndedWrongShowsMismatch: the missing end counts once the body
// has ended (here reset by the peer).
func TestLiveEndedWrongShowsMismatch(t *testing.T) {
	m, _ := liveModel(t, 120, 30)
	feedLive(m, feedMsg{updates: append(startUpdates(), chunkUpdates(0, 3, time.Second)...)})
	if h, _ := statusRow(m); strings.Contains(h, "MISMATCH") {
		t.Fatalf("in flight: %s", h)
	}
	feedLive(m, feedMsg{updates: []stream.Update{{Seq: 1, End: &stream.End{Reason: stream.EndReset, Err: "connection reset: boom", At: 2 * time.Second}}}})
	header, row := statusRow(m)
	for _, txt := range []string{header, row} {
		if !strings.Contains(txt, "MISMATCH") || !strings.Contains(txt, "transport error") {
			t.Errorf("after a reset want MISMATCH and transport error: %s", txt)
		}
	}
}

// TestPacedReplayRevealsMismatchWithTheError: a paced replay says
// "streaming…" (not the final outcome) until the error event is on
// screen, and MISMATCH the moment it is.
func TestPacedReplayRevealsMismatchWithTheError(t *testing.T) {
	m := newModel(Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	loadSync(t, m, []*stream.Exchange{demo(t, "overloaded")}, m.opt.Inspect)
	st := m.current()
	errAt := st.verdict.Error.EventIndex
	t0 := time.Unix(0, 0)
	m.Update(replayTickMsg{gen: m.gen, at: t0})
	for clock := time.Duration(0); m.tl.shown <= errAt; clock += 10 * time.Millisecond {
		if clock > time.Minute {
			t.Fatalf("the error event #%d was never revealed (shown %d)", errAt+1, m.tl.shown)
		}
		header, _ := statusRow(m)
		if strings.Contains(header, "MISMATCH") || strings.Contains(header, "error event") || !strings.Contains(header, "streaming…") {
			t.Fatalf("%d of %d events shown, the error not yet: %s", m.tl.shown, st.events.Len(), header)
		}
		m.Update(replayTickMsg{gen: m.gen, at: t0.Add(clock)})
	}
	header, _ := statusRow(m)
	for _, w := range []string{"MISMATCH", "stream → 529", "error event (#23)"} {
		if !strings.Contains(header, w) {
			t.Errorf("with the error event shown, header lacks %q: %s", w, header)
		}
	}
}

// TestNoResponseHeader: a live request refused before any response says
// so in the header and the list: no assumed 200, no MISMATCH; the user's
// own cancel says "cancelled by you".
func TestNoResponseHeader(t *testing.T) {
	rows := []struct {
		name string
		end  stream.End
		want []string
	}{
		{"connection refused", stream.End{Reason: stream.EndError, Err: "connection refused: dial tcp 127.0.0.1:1: connect: connection refused"},
			[]string{"no HTTP response", "stream → none"}},
		{"cancelled by you", stream.End{Reason: stream.EndCanceled, Err: "cancelled: " + stream.ErrUserCanceled.Error()},
			[]string{"no HTTP response", "cancelled by you"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			m, _ := liveModel(t, 120, 30)
			end := r.end
			feedLive(m, feedMsg{updates: []stream.Update{startUpdates()[0], {Seq: 1, End: &end}}})
			header, row := statusRow(m)
			for _, w := range r.want {
				if !strings.Contains(header, w) {
					t.Errorf("header lacks %q: %s", w, header)
				}
			}
			for _, txt := range []string{header, row} {
				if strings.Contains(txt, "MISMATCH") || strings.Contains(txt, "assumed") || strings.Contains(txt, "200") {
					t.Errorf("a verdict or status for no response: %s", txt)
				}
			}
		})
	}
}
