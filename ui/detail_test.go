package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// TestFrameDataReadsTheFrameAsTheDecoderDoes pins the detail pane's JSON
// view to the wire decoder: line endings, a colon-less "data" field and
// multi-line data are read the way a client reads them.
func TestFrameDataReadsTheFrameAsTheDecoderDoes(t *testing.T) {
	tests := []struct {
		name, frame, want string
	}{
		{"lf", "event: ping\ndata: {\"a\":1}\n\n", `{"a":1}`},
		{"crlf", "data: {\"a\":1}\r\n\r\n", `{"a":1}`},
		{"cr only", "data: {\"a\":\rdata: 1}\r\r", "{\"a\":\n1}"},
		{"one space stripped", "data:  {}\n\n", " {}"},
		{"no colon is an empty data line", "data\ndata: {}\n\n", "\n{}"},
		{"comment before", ": keepalive\ndata: {}\n\n", "{}"},
		{"unterminated", "data: {\"a\"", `{"a"`},
		{"no data", "event: ping\n\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(frameData([]byte(tt.frame))); got != tt.want {
				t.Errorf("frameData(%q) = %q, want %q", tt.frame, got, tt.want)
			}
		})
	}
}

// TestDetailPrettyPrintsCROnlyFrames: a stream with bare-CR line endings
// (legal SSE) still gets its JSON pretty-printed, not "not valid JSON".
func TestDetailPrettyPrintsCROnlyFrames(t *testing.T) {
	body := "event: message_start\rdata: {\"type\":\"message_start\",\rdata: \"message\":{\"id\":\"msg_1\"}}\r\r"
	x := stream.FromBody("cr.sse", []byte(body))
	m, _ := newTestModel(t, []*stream.Exchange{x}, Options{Instant: true}, 120, 40)
	m.tl.selectEvent(0)
	m.selectionChanged()
	loadFrames(m)
	s := screen(m)
	if !strings.Contains(s, "JSON:") || strings.Contains(s, "not valid JSON") {
		t.Errorf("the detail pane should pretty-print the data of a CR-only frame:\n%s", s)
	}
}

// TestAssembledFollowsArrowKeys: with the assembled view on, moving the
// selection with the arrow keys or the mouse wheel re-assembles up to the
// new event instead of leaving the pane on "Assembling…".
func TestAssembledFollowsArrowKeys(t *testing.T) {
	tests := []struct {
		name string
		move func(m *Model)
		want string
	}{
		{"up key", func(m *Model) { press(m, "up") }, "Assembled from events 1–22 "},
		{"k", func(m *Model) { press(m, "k", "k") }, "Assembled from events 1–21 "},
		{"wheel up", func(m *Model) {
			_, cmd := m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
			runCmd(m, cmd)
		}, "Assembled from events 1–20 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Title: "demo", Instant: true}, 120, 40)
			press(m, "a")
			if s := screen(m); !strings.Contains(s, "Assembled from events 1–23 ") {
				t.Fatalf("precondition: the error event is assembled:\n%s", s)
			}
			tt.move(m)
			if s := screen(m); !strings.Contains(s, tt.want) {
				t.Errorf("want %q after moving:\n%s", tt.want, s)
			}
		})
	}
}
