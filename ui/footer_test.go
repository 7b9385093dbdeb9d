package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

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

// footer is the bottom line of the screen.
func footer(m *Model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[len(lines)-1]
}

// TestFooterAlwaysShowsHelpAndQuit: at 80 columns, the documented
// minimum, the footer ends with how to get help and how to quit, in every
// mode, dropping other hints instead.
func TestFooterAlwaysShowsHelpAndQuit(t *testing.T) {
	two := func(t *testing.T) []*stream.Exchange {
		return []*stream.Exchange{demo(t, "overloaded"), demo(t, "clean")}
	}
	tests := []struct {
		name string
		xs   func(*testing.T) []*stream.Exchange
		opt  Options
		keys []string
	}{
		{"exchange", func(t *testing.T) []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }, Options{Instant: true}, nil},
		{"paced replay", func(t *testing.T) []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }, Options{}, nil},
		{"paused replay", func(t *testing.T) []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }, Options{}, []string{" "}},
		{"list", two, Options{Instant: true}, nil},
		{"help open", two, Options{Instant: true}, []string{"enter", "?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, tt.xs(t), tt.opt, 80, 24)
			press(m, tt.keys...)
			f := footer(m)
			if !strings.HasSuffix(f, "? help · q quit") {
				t.Errorf("footer %q does not end with \"? help · q quit\"", f)
			}
			if w := width(f); w > 80 {
				t.Errorf("footer is %d cells wide", w)
			}
		})
	}
}

// TestKeysFollowModeAndPane: the footer and help show only keys that
// work where the user is, because handleKey, help and the footer share
// one key map whose bindings are enabled per mode.
func TestKeysFollowModeAndPane(t *testing.T) {
	overloaded := func() []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }
	two := []*stream.Exchange{demo(t, "overloaded"), demo(t, "clean")}

	m, _ := newTestModel(t, two, Options{Instant: true}, 120, 40)
	for _, s := range []string{footer(m), helpScreen(m)} {
		for _, bad := range []string{"copy diagnosis", "next pane", "filter", "next finding", "pause replay"} {
			if strings.Contains(s, bad) {
				t.Errorf("the exchange list advertises %q:\n%s", bad, s)
			}
		}
	}

	m, _ = newTestModel(t, overloaded(), Options{Instant: true}, 120, 40)
	for _, s := range []string{footer(m), helpScreen(m)} {
		for _, bad := range []string{"pause replay", "faster", "slower", "step one event", "restart replay"} {
			if strings.Contains(s, bad) {
				t.Errorf("--instant advertises %q:\n%s", bad, s)
			}
		}
	}
	before := m.speed
	press(m, "+")
	if m.speed != before {
		t.Errorf("+ changed the speed of no replay to %v", m.speed)
	}

	m, _ = newTestModel(t, overloaded(), Options{}, 120, 40)
	if f := footer(m); !strings.Contains(f, "space pause replay") {
		t.Errorf("a paced replay's footer should offer pausing: %q", f)
	}
	h := helpScreen(m)
	for _, want := range []string{"pause replay", "faster", "slower", "step one event", "restart replay"} {
		if !strings.Contains(h, want) {
			t.Errorf("a paced replay's help lacks %q:\n%s", want, h)
		}
	}

	feed := stream.NewFeed()
	m, _ = newLiveModel(feed, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	loadSync(t, m, overloaded(), m.opt.Inspect)
	m.live = true
	if m.mode == modeList {
		press(m, "enter")
	}
	for _, s := range []string{footer(m), helpScreen(m)} {
		for _, bad := range []string{"pause replay", "faster", "restart replay"} {
			if strings.Contains(s, bad) {
				t.Errorf("a live session advertises %q:\n%s", bad, s)
			}
		}
	}
}

// helpScreen opens help, takes the screen and closes help again.
func helpScreen(m *Model) string {
	press(m, "?")
	defer press(m, "?")
	return screen(m)
}

// checkHelpComplete fails unless every enabled binding of the help screen
// s is on it, and every line fits w cells.
func checkHelpComplete(t *testing.T, m *Model, s string, w int) {
	t.Helper()
	for _, g := range m.activeKeys().FullHelp() {
		for _, b := range g {
			h := b.Help()
			if b.Enabled() && (!strings.Contains(s, h.Key) || !strings.Contains(s, h.Desc)) {
				t.Errorf("help lacks %q %q:\n%s", h.Key, h.Desc, s)
			}
		}
	}
	for i, l := range strings.Split(s, "\n") {
		if lw := width(l); lw > w {
			t.Errorf("help line %d is %d cells wide, over %d: %q", i, lw, w, l)
		}
	}
}

// TestHelpFitsTheScreen: help shows every binding at 80×24, including a
// paced replay's, and lays itself out again for the new size after a
// resize instead of keeping the old one's columns.
func TestHelpFitsTheScreen(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Title: "demo"}, 80, 24)
	press(m, "?")
	s := screen(m)
	checkHelpComplete(t, m, s, 80)
	golden(t, "help-replay-80x24", s)

	m, _ = newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Title: "demo"}, 120, 40)
	press(m, "?")
	_ = m.View() // a frame at the old size
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	s = screen(m)
	checkHelpComplete(t, m, s, 80)
	golden(t, "help-resized-120-to-80x24", s)

	press(m, "?")
	golden(t, "replay-resized-120-to-80x24", screen(m))
}
