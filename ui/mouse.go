package ui

import tea "github.com/charmbracelet/bubbletea"

// pane names a region of the screen the mouse can point at.
type pane int

const (
	paneNone pane = iota
	paneList
	paneTimeline
	paneDetail
	paneFixes
	nPanes
)

// rect is where a pane is drawn: its top-left cell and size, titles
// included, and body, the screen row of its first content row.
type rect struct{ x, y, w, h, body int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// paneRects returns where View draws each pane on the current screen (a
// zero rect for a pane not shown). They follow from the sizes layout set
// and from View's order: the header's two lines and the sparkline, then
// the timeline's title and column header above its rows, and one title
// above detail and above fixes; columns are joined by "│ ".
func (m *Model) paneRects() (rs [nPanes]rect) {
	switch {
	case m.fatal != nil || m.helpOn:
		return rs
	case m.mode == modeList:
		// The source line, the pane title, the column header.
		rs[paneList] = rect{x: 0, y: 1, w: m.list.w, h: 2 + m.list.h, body: 3}
		return rs
	case m.mode != modeExchange || m.tl == nil:
		return rs
	}
	const top = 3
	rs[paneTimeline] = rect{x: 0, y: top, w: m.tl.w, h: 2 + m.tl.h, body: top + 2}
	if m.w >= wideLayout {
		x := m.tl.w + 2
		rs[paneDetail] = rect{x: x, y: top, w: m.det.w, h: 1 + m.det.h, body: top + 1}
		fy := top + 1 + m.det.h
		rs[paneFixes] = rect{x: x, y: fy, w: m.fx.w, h: 1 + m.fx.h, body: fy + 1}
		return rs
	}
	by := top + 2 + m.tl.h
	rs[paneDetail] = rect{x: 0, y: by, w: m.det.w, h: 1 + m.det.h, body: by + 1}
	rs[paneFixes] = rect{x: m.det.w + 2, y: by, w: m.fx.w, h: 1 + m.fx.h, body: by + 1}
	return rs
}

// paneAt returns the pane under the cell x, y and where it is drawn; the
// status line, the header and the column gaps are paneNone.
func (m *Model) paneAt(x, y int) (pane, rect) {
	if y >= m.h-1 {
		return paneNone, rect{}
	}
	rs := m.paneRects()
	for p := paneList; p < nPanes; p++ {
		if rs[p].contains(x, y) {
			return p, rs[p]
		}
	}
	return paneNone, rect{}
}

// handleMouse scrolls the pane under the pointer with the wheel (the
// focused one when the pointer is on none), and with a left click
// focuses the pane clicked and selects the timeline or list row clicked.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if msg.Action != tea.MouseActionPress {
		return nil
	}
	if m.helpOn && m.fatal == nil {
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.scrollHelp(-3)
		case tea.MouseButtonWheelDown:
			m.scrollHelp(3)
		}
		return nil
	}
	p, r := m.paneAt(msg.X, msg.Y)
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.wheel(p, -3)
	case tea.MouseButtonWheelDown:
		return m.wheel(p, 3)
	case tea.MouseButtonLeft:
		return m.click(p, msg.Y-r.body)
	}
	return nil
}

// wheel scrolls pane p by delta rows without moving the focus.
func (m *Model) wheel(p pane, delta int) tea.Cmd {
	switch p {
	case paneList:
		m.list.move(delta, len(m.xs))
	case paneTimeline:
		m.moved = true
		m.tl.move(delta)
		return m.selectionChanged()
	case paneDetail:
		m.det.scroll(delta)
	case paneFixes:
		m.fx.scroll(delta)
	default:
		return m.scroll(delta)
	}
	return nil
}

// click focuses pane p; row is the clicked row of its body (negative on
// its title), which is selected in the timeline and the exchange list.
func (m *Model) click(p pane, row int) tea.Cmd {
	switch p {
	case paneList:
		if i := m.list.top + row; row >= 0 && row < m.list.h && i < len(m.xs) {
			m.list.move(i-m.list.sel, len(m.xs))
		}
	case paneTimeline:
		m.focus = focusTimeline
		if m.tl.selectVisible(row) {
			m.moved = true
			return m.selectionChanged()
		}
	case paneDetail:
		m.focus = focusDetail
	case paneFixes:
		m.focus = focusFixes
	}
	return nil
}

// selectVisible selects the i-th row on screen (0 is the top one drawn),
// leaving follow mode where the view stands; false when there is no row
// there.
func (t *timeline) selectVisible(i int) bool {
	rows := t.rows()
	top := t.top
	if t.follow {
		top = max(0, rows-t.h) // as View draws it
	}
	r := top + i
	if i < 0 || i >= t.h || r >= rows {
		return false
	}
	t.top = top
	t.sel, t.follow = t.keyAt(r), false
	t.scrollToSel()
	return true
}
