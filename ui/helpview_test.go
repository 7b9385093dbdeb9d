package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// TestHelpGoldenSizes pins the help overlay on a short screen (80×12,
// where a paced replay's help is taller than the screen and scrolls)
// and a roomy one (120×40, where it fits and does not).
func TestHelpGoldenSizes(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		keys []string
	}{
		{"help-replay-80x12", 80, 12, []string{"?"}},
		{"help-replay-80x12-bottom", 80, 12, []string{"?", "G"}},
		{"help-replay-120x40", 120, 40, []string{"?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Title: "demo"}, tt.w, tt.h)
			press(m, tt.keys...)
			s := screen(m)
			if n := strings.Count(s, "\n") + 1; n != tt.h {
				t.Errorf("help is %d lines on a %d-line screen", n, tt.h)
			}
			golden(t, tt.name, s)
		})
	}
}

// TestHelpScrollReachesEveryBinding: on screens shorter than help, every
// enabled binding can be brought into view with ↓ and with pgdn, every
// screen fits, the footer says how to scroll (and still ends with help
// and quit), and ↑, pgup and g come back to the top.
func TestHelpScrollReachesEveryBinding(t *testing.T) {
	sizes := [][2]int{{80, 12}, {80, 8}, {60, 10}, {40, 6}, {120, 12}, {80, 4}}
	setups := []struct {
		name string
		xs   func(t *testing.T) []*stream.Exchange
		opt  Options
	}{
		{"paced replay", func(t *testing.T) []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }, Options{}},
		{"instant", func(t *testing.T) []*stream.Exchange { return []*stream.Exchange{demo(t, "overloaded")} }, Options{Instant: true}},
		{"list", func(t *testing.T) []*stream.Exchange {
			return []*stream.Exchange{demo(t, "overloaded"), demo(t, "clean")}
		}, Options{Instant: true}},
	}
	for _, su := range setups {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", su.name, sz[0], sz[1]), func(t *testing.T) {
				w, h := sz[0], sz[1]
				m, _ := newTestModel(t, su.xs(t), su.opt, w, h)
				press(m, "?")
				for _, step := range []string{"down", "pgdown"} {
					press(m, "g")
					seen := walkHelp(t, m, step, w, h)
					checkHelpComplete(t, m, seen, 1<<30)
				}
				if !m.helpOverflows() {
					return
				}
				if f := footer(m); (!strings.Contains(f, "scroll help") && w >= 60) || !strings.HasSuffix(f, "? help · q quit") {
					t.Errorf("the footer of a scrolling help: %q", f)
				}
				bottom := screen(m)
				for _, back := range []string{"up", "pgup", "g"} {
					press(m, "G", back)
					if screen(m) == bottom {
						t.Errorf("%s does not scroll help back up", back)
					}
				}
				press(m, "G", "g")
				if !strings.Contains(screen(m), " · lines 1–") {
					t.Errorf("g does not come back to the top:\n%s", screen(m))
				}
			})
		}
	}
}

// walkHelp presses step until help stops moving, checking every screen
// fits w×h, and returns all the screens seen.
func walkHelp(t *testing.T, m *Model, step string, w, h int) string {
	t.Helper()
	var seen strings.Builder
	prev := ""
	for i := 0; i < 100; i++ {
		s := screen(m)
		lines := strings.Split(s, "\n")
		if len(lines) != h {
			t.Fatalf("%d lines on a %d-line screen:\n%s", len(lines), h, s)
		}
		for j, l := range lines {
			if width(l) > w {
				t.Fatalf("line %d is %d cells wide, over %d: %q", j, width(l), w, l)
			}
		}
		if s == prev {
			return seen.String()
		}
		seen.WriteString(s + "\n")
		prev = s
		press(m, step)
	}
	t.Fatalf("%s never reached the end of help", step)
	return ""
}

// TestHelpTakesNavigationKeys: while help is open, ↓ and the wheel
// scroll it and leave the timeline beneath where it was; closing help
// gives the keys back.
func TestHelpTakesNavigationKeys(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{}, 80, 12)
	sel := m.tl.sel
	press(m, "?", "down")
	if m.helpTop != 1 || m.tl.sel != sel {
		t.Errorf("↓ in help: help at line %d, timeline moved %v → %v", m.helpTop, sel, m.tl.sel)
	}
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.helpTop != 4 || m.tl.sel != sel {
		t.Errorf("wheel in help: help at line %d, timeline moved %v → %v", m.helpTop, sel, m.tl.sel)
	}
	press(m, "esc")
	press(m, "?")
	if m.helpTop != 0 {
		t.Errorf("help reopens at line %d, want the top", m.helpTop)
	}
	press(m, "?", "up")
	if m.tl.sel == sel {
		t.Error("↑ after closing help does not move the timeline")
	}
}
