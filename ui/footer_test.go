package ui

import (
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestFixesScrollResetsOnNewSelection keeps advice for one event from
// sitting under another: the Fixes pane returns to its top when the
// selected event or the open exchange changes.
func TestFixesScrollResetsOnNewSelection(t *testing.T) {
	xs := []*stream.Exchange{demo(t, "overloaded"), demo(t, "truncated")}
	m, _ := newTestModel(t, xs, Options{Title: "demo", Instant: true}, 80, 24)
	press(m, "enter", "G")
	scrolled := func() {
		t.Helper()
		press(m, "tab", "tab", "pgdown") // focus Fixes, scroll it
		if m.fx.top == 0 {
			t.Fatalf("the Fixes pane did not scroll (%d lines, h %d)", len(m.fx.lines), m.fx.h)
		}
		press(m, "tab") // back to the timeline
	}
	scrolled()
	press(m, "k")
	if m.fx.top != 0 {
		t.Errorf("after selecting another event the Fixes pane is at line %d, want 0", m.fx.top)
	}
	scrolled()
	press(m, "esc", "j", "enter")
	if m.fx.top != 0 {
		t.Errorf("after opening another exchange the Fixes pane is at line %d, want 0", m.fx.top)
	}
}
