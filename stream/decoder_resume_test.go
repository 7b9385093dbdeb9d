package stream

import (
	"bytes"
	"io"
	"testing"
)

// TestResumeMatchesOnePass: decoding the bytes after a frame boundary with
// a resumed decoder gives the events a one-pass decode gives there,
// including the persisting last event ID and absolute offsets.
func TestResumeMatchesOnePass(t *testing.T) {
	tests := []struct {
		name string
		body string
		cut  int // a frame boundary
	}{
		{"id carried to an event without one", "id: 7\ndata: a\n\ndata: b\n\n", 15},
		{"id reset to empty", "id: 7\ndata: a\n\nid\ndata: b\n\n", 15},
		{"byte order mark mid-stream is not stripped", "data: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n", 9},
		{"byte order mark at the start is stripped", "\xEF\xBB\xBFdata: a\n\n", 0},
		{"unterminated tail", "id: x\ndata: a\n\ndata: {\"type\"", 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			whole := allEvents(t, NewDecoder(bytes.NewReader(body)))
			head := allEvents(t, NewDecoder(bytes.NewReader(body[:tt.cut])))
			lastID := ""
			if len(head) > 0 {
				last := head[len(head)-1]
				if last.Offset+last.Length != int64(tt.cut) || last.Unterminated {
					t.Fatalf("cut %d is not a frame boundary: %+v", tt.cut, last)
				}
				lastID = last.ID
			}
			rest := NewDecoder(bytes.NewReader(body[tt.cut:]))
			rest.Resume(int64(tt.cut), lastID)
			got := append(head, allEvents(t, rest)...)
			if len(got) != len(whole) {
				t.Fatalf("%d events, one pass has %d: %+v vs %+v", len(got), len(whole), got, whole)
			}
			for i := range whole {
				g, w := got[i], whole[i]
				if g.ID != w.ID || g.Offset != w.Offset || g.Length != w.Length || g.Type != w.Type ||
					!bytes.Equal(g.Data, w.Data) || g.Unterminated != w.Unterminated {
					t.Errorf("event %d: resumed %+v, one pass %+v", i, g, w)
				}
			}
		})
	}
}

func allEvents(t *testing.T, d *Decoder) []Event {
	t.Helper()
	var out []Event
	for {
		e, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Clone())
	}
}
