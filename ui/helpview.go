package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// The ? overlay lays the key map out in columns as bubbles/help's full
// view does (one column per FullHelp group, as many side by side as the
// width allows). When that is still taller than the screen — 80×12, or
// any paced replay's help below about 18 rows — it scrolls: the
// navigation keys and the wheel move it instead of the pane beneath, the
// title says which lines show, and the footer says how to scroll.

// Footer hints shown while help overflows; the keys are the key map's
// navigation keys, which helpKey handles while help is open.
var (
	helpScrollHint = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll help"))
	helpPageHint   = key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page"))
)

// helpView lays out every enabled binding for a w-column screen: one
// column per group of FullHelp, as many side by side as fit, the rest
// wrapped below after a blank line.
func (m *Model) helpView(w int) string {
	m.help.Width = 0 // columns are placed here, never cut by help
	sep := m.help.Styles.FullSeparator.Render(m.help.FullSeparator)
	var rows []string
	var row []string
	rowW := 0
	flush := func() {
		if len(row) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
		}
		row, rowW = nil, 0
	}
	for _, g := range m.activeKeys().FullHelp() {
		block := m.help.FullHelpView([][]key.Binding{g})
		if block == "" {
			continue
		}
		bw := lipgloss.Width(block)
		if len(row) > 0 && rowW+width(sep)+bw > w {
			flush()
		}
		if len(row) > 0 {
			row = append(row, sep)
			rowW += width(sep)
		}
		row = append(row, block)
		rowW += bw
	}
	flush()
	lines := strings.Split(strings.Join(rows, "\n\n"), "\n")
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return strings.Join(lines, "\n")
}

// helpLines are the lines of the help body at the current width.
func (m *Model) helpLines() []string {
	return strings.Split(m.helpView(m.w), "\n")
}

// helpPage is how many help lines the screen shows: all but the title,
// the blank line under it (dropped on a tiny screen) and the footer.
func (m *Model) helpPage() int {
	if m.h < 5 {
		return max(1, m.h-2)
	}
	return m.h - 3
}

// helpOverflows reports whether help is taller than the screen.
func (m *Model) helpOverflows() bool {
	return len(m.helpLines()) > m.helpPage()
}

// helpTopFor is the first help line shown out of n: the scroll position,
// kept within what can be scrolled (a resize may have shrunk that).
func (m *Model) helpTopFor(n int) int {
	return min(max(m.helpTop, 0), max(0, n-m.helpPage()))
}

// scrollHelp moves help by delta lines.
func (m *Model) scrollHelp(delta int) {
	n := len(m.helpLines())
	m.helpTop = m.helpTopFor(n) + delta
	m.helpTop = m.helpTopFor(n)
}

// helpKey scrolls help with the navigation keys while it is open; it
// reports whether msg was one of them.
func (m *Model) helpKey(msg tea.KeyMsg) bool {
	k := m.keys
	page := m.helpPage()
	switch {
	case key.Matches(msg, k.Up):
		m.scrollHelp(-1)
	case key.Matches(msg, k.Down):
		m.scrollHelp(1)
	case key.Matches(msg, k.PageUp):
		m.scrollHelp(-page)
	case key.Matches(msg, k.PageDown):
		m.scrollHelp(page)
	case key.Matches(msg, k.Top):
		m.helpTop = 0
	case key.Matches(msg, k.Bottom):
		m.scrollHelp(1 << 30)
	default:
		return false
	}
	return true
}

// helpScreen draws the help overlay above the footer: the title, then
// the lines of help the scroll position shows.
func (m *Model) helpScreen() string {
	w := m.w
	lines := m.helpLines()
	page := m.helpPage()
	top := m.helpTopFor(len(lines))
	end := min(top+page, len(lines))
	title := m.styles.FocusTitle.Render("midstream keys")
	if len(lines) > page {
		// Before the close hint, which a narrow screen cuts first.
		title += m.styles.Dim.Render(fmt.Sprintf(" · lines %d–%d of %d", top+1, end, len(lines)))
	}
	title += m.styles.Dim.Render("  (? or esc to close)")
	var b strings.Builder
	b.WriteString(fit(title, w) + "\n")
	if m.h >= 5 {
		b.WriteString("\n")
	}
	b.WriteString(strings.Join(lines[top:end], "\n"))
	return padLines(b.String(), m.h-1) + "\n" + m.statusView()
}
