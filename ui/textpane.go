package ui

import "strings"

// textPane is a scrollable block of lines that are already styled and cut
// to the pane width: what the detail and fixes panes share. Only the h
// visible lines are written per frame.
type textPane struct {
	w, h  int
	lines []string
	top   int
}

// SetSize sets the pane's size.
func (p *textPane) SetSize(w, h int) { p.w, p.h = w, h }

func (p *textPane) scroll(delta int) {
	p.top = max(0, min(p.top+delta, len(p.lines)-p.h))
}

// View renders the visible lines, padding the pane's height with blanks.
func (p *textPane) View() string {
	var b strings.Builder
	for i := 0; i < p.h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if j := p.top + i; j < len(p.lines) {
			b.WriteString(p.lines[j])
		} else {
			b.WriteString(strings.Repeat(" ", p.w))
		}
	}
	return b.String()
}
