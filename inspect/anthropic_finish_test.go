package inspect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestToolJSONFindingCounts: A-W7-tool-json lists at most maxEventRefs
// events and says how many tool blocks did not parse, however many the
// stream carries.
func TestToolJSONFindingCounts(t *testing.T) {
	stream1 := func(bad int) string {
		ev := []string{evMS}
		for i := range bad {
			ev = append(ev, evStart(i, "tool_use"), evDelta(i, "input_json_delta", "partial_json", `{"q": "x`), evStop(i))
		}
		return ant(append(ev, evMD("tool_use", 9), evMStop)...)
	}
	cases := []struct {
		name   string
		bad    int
		events int
		detail string // in the finding's detail; "" for none of the count
	}{
		{"one bad block", 1, 1, ""},
		{"three bad blocks", 3, 3, "3 tool blocks did not parse."},
		{"past the listed events", maxEventRefs + 10, maxEventRefs, fmt.Sprintf("%d tool blocks did not parse; the first %d are listed.", maxEventRefs+10, maxEventRefs)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t.sse", []byte(stream1(c.bad))), Options{})
			f := finding(v, "A-W7-tool-json")
			if f == nil {
				t.Fatal("no A-W7-tool-json finding")
			}
			if len(f.Events) != c.events {
				t.Errorf("%d events listed, want %d", len(f.Events), c.events)
			}
			if c.detail == "" && strings.Contains(f.Detail, "did not parse;") {
				t.Errorf("detail counts a single block: %q", f.Detail)
			}
			if c.detail != "" && !strings.Contains(f.Detail, c.detail) {
				t.Errorf("detail %q lacks %q", f.Detail, c.detail)
			}
		})
	}
}
