package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/stream"
)

// find returns the cell where text first appears on m's screen, so that
// the tests click where View really draws a pane, not where paneRects
// says it does.
func find(t *testing.T, m *Model, text string) (x, y int) {
	t.Helper()
	for y, l := range strings.Split(screen(m), "\n") {
		if i := strings.Index(l, text); i >= 0 {
			return ansi.StringWidth(l[:i]), y
		}
	}
	t.Fatalf("%q is not on screen:\n%s", text, screen(m))
	return 0, 0
}

func mouse(m *Model, b tea.MouseButton, x, y int) {
	_, cmd := m.Update(tea.MouseMsg{X: x, Y: y, Action: tea.MouseActionPress, Button: b})
	runCmd(m, cmd)
}

// mouseSizes are a narrow layout (detail and fixes below the timeline)
// and a wide one (beside it).
var mouseSizes = []struct {
	name string
	w, h int
}{{"narrow", 100, 24}, {"wide", 150, 24}}

// TestMouseWheelScrollsPaneUnderPointer: the wheel scrolls the pane under
// the pointer, whichever has the focus, and leaves the focus alone.
func TestMouseWheelScrollsPaneUnderPointer(t *testing.T) {
	for _, sz := range mouseSizes {
		t.Run(sz.name, func(t *testing.T) {
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, sz.w, sz.h)
			sel := m.tl.sel
			for _, p := range []struct {
				title string
				pane  *textPane
			}{{"Detail ·", &m.det.textPane}, {"Fixes", &m.fx.textPane}} {
				if len(p.pane.lines) <= p.pane.h {
					t.Fatalf("precondition: %s has %d lines for %d rows", p.title, len(p.pane.lines), p.pane.h)
				}
				x, y := find(t, m, p.title)
				mouse(m, tea.MouseButtonWheelDown, x, y+1)
				if p.pane.top != 3 || m.tl.sel != sel || m.focus != focusTimeline {
					t.Errorf("wheel over %s: its top %d (want 3), timeline selection %v (want %v), focus %v (want timeline)", p.title, p.pane.top, m.tl.sel, sel, m.focus)
				}
				mouse(m, tea.MouseButtonWheelUp, x, y+1)
				if p.pane.top != 0 {
					t.Errorf("wheel up over %s: top %d, want 0", p.title, p.pane.top)
				}
			}
			m.focus = focusDetail
			x, y := find(t, m, "Timeline ·")
			before := m.tl.rowOf(m.tl.sel)
			mouse(m, tea.MouseButtonWheelUp, x+5, y+3)
			if got := m.tl.rowOf(m.tl.sel); got != before-3 || m.focus != focusDetail {
				t.Errorf("wheel over the timeline: row %d (want %d), focus %v (want detail)", got, before-3, m.focus)
			}
		})
	}
}

// TestMouseClickSelectsAndFocuses: a click on a timeline row selects it,
// and a click in a pane focuses it.
func TestMouseClickSelectsAndFocuses(t *testing.T) {
	for _, sz := range mouseSizes {
		t.Run(sz.name, func(t *testing.T) {
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, sz.w, sz.h)
			x, y := find(t, m, "Detail ·")
			mouse(m, tea.MouseButtonLeft, x+3, y+2)
			if m.focus != focusDetail {
				t.Errorf("click in detail: focus %v", m.focus)
			}
			x, y = find(t, m, "Fixes")
			mouse(m, tea.MouseButtonLeft, x, y)
			if m.focus != focusFixes {
				t.Errorf("click on the fixes title: focus %v", m.focus)
			}
			if _, fy := find(t, m, "▶ Fixes"); fy != y {
				t.Errorf("the fixes title is not marked focused")
			}
			_, y = find(t, m, "Timeline ·")
			row := y + 2 + 1 // the second row drawn
			mouse(m, tea.MouseButtonLeft, 10, row)
			if m.focus != focusTimeline || m.tl.rowOf(m.tl.sel) != m.tl.top+1 {
				t.Errorf("click on a timeline row: focus %v, row %d, want timeline and %d", m.focus, m.tl.rowOf(m.tl.sel), m.tl.top+1)
			}
			if l := strings.Split(screen(m), "\n")[row]; !strings.HasPrefix(l, "▸ ") {
				t.Errorf("the clicked row is not drawn selected: %q", l)
			}
			if m.det.key != m.tl.sel {
				t.Errorf("detail shows %v, not the row clicked %v", m.det.key, m.tl.sel)
			}
			sel := m.tl.sel
			mouse(m, tea.MouseButtonLeft, 10, m.h-1) // the status line
			mouse(m, tea.MouseButtonLeft, 10, 0)     // the header
			if m.tl.sel != sel || m.focus != focusTimeline {
				t.Errorf("a click outside the panes changed selection or focus")
			}
		})
	}
}

// TestMouseExchangeList: in the exchange list a click selects the row
// clicked and the wheel moves the selection.
func TestMouseExchangeList(t *testing.T) {
	xs := []*stream.Exchange{demo(t, "overloaded"), demo(t, "clean"), demo(t, "http-529")}
	m, _ := newTestModel(t, xs, Options{Title: "session.har", Instant: true}, 120, 30)
	x, y := find(t, m, "demo:http-529")
	mouse(m, tea.MouseButtonLeft, x, y)
	if m.mode != modeList || m.list.sel != 2 {
		t.Fatalf("click on the third row: mode %v, sel %d", m.mode, m.list.sel)
	}
	mouse(m, tea.MouseButtonWheelUp, x, y)
	if m.list.sel != 0 {
		t.Errorf("wheel up over the list: sel %d, want 0", m.list.sel)
	}
	mouse(m, tea.MouseButtonLeft, x, y+5) // below the last row
	if m.list.sel != 0 {
		t.Errorf("a click below the rows moved the selection to %d", m.list.sel)
	}
}
