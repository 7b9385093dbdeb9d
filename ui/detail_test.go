package ui

import (
	"strings"
	"testing"

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
	s := screen(m)
	if !strings.Contains(s, "JSON:") || strings.Contains(s, "not valid JSON") {
		t.Errorf("the detail pane should pretty-print the data of a CR-only frame:\n%s", s)
	}
}
