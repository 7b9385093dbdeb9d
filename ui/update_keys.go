package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// handleKey routes a key: global keys first, then the filter input, then
// the screen's own keys.
func (m *Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type == tea.KeyCtrlC {
		return m, tea.Quit
	}
	if m.filtering {
		return m, m.filterKey(msg)
	}
	if m.fatal != nil {
		return m, tea.Quit
	}
	k := m.activeKeys()
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.helpOn = !m.helpOn
		m.help.ShowAll, m.helpTop = m.helpOn, 0
		return m, nil
	}
	if m.helpOn && key.Matches(msg, k.Back) {
		m.helpOn, m.help.ShowAll = false, false
		return m, nil
	}
	if m.helpOn && m.helpKey(msg) {
		// Open help takes the navigation keys: they scroll it rather
		// than move the pane hidden beneath.
		return m, nil
	}
	switch m.mode {
	case modeList:
		return m, m.listKey(msg)
	case modeExchange:
		return m, m.exchangeKey(msg)
	}
	return m, nil
}

func (m *Model) listKey(msg tea.KeyMsg) tea.Cmd {
	k := m.activeKeys()
	switch {
	case key.Matches(msg, k.Up):
		m.list.move(-1, len(m.xs))
	case key.Matches(msg, k.Down):
		m.list.move(1, len(m.xs))
	case key.Matches(msg, k.PageUp):
		m.list.move(-m.list.h, len(m.xs))
	case key.Matches(msg, k.PageDown):
		m.list.move(m.list.h, len(m.xs))
	case key.Matches(msg, k.Top):
		m.list.move(-len(m.xs), len(m.xs))
	case key.Matches(msg, k.Bottom):
		m.list.move(len(m.xs), len(m.xs))
	case key.Matches(msg, k.Enter):
		if m.list.sel < len(m.xs) {
			return m.open(m.list.sel)
		}
	}
	return nil
}

// exchangeKey handles a key on the exchange screen: navigation and the
// panes here, then the action keys (actionKey), then replay's (replayKey).
func (m *Model) exchangeKey(msg tea.KeyMsg) tea.Cmd {
	k := m.activeKeys()
	page := max(1, m.tl.h-1)
	for _, b := range []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Next, k.Prev, k.Filter, k.Step} {
		if key.Matches(msg, b) {
			m.moved = true
		}
	}
	switch {
	case key.Matches(msg, k.Up):
		return m.scroll(-1)
	case key.Matches(msg, k.Down):
		return m.scroll(1)
	case key.Matches(msg, k.PageUp):
		return m.scroll(-page)
	case key.Matches(msg, k.PageDown):
		return m.scroll(page)
	case key.Matches(msg, k.Top):
		m.tl.toTop()
		return m.selectionChanged()
	case key.Matches(msg, k.Bottom):
		m.tl.toTail()
		return m.selectionChanged()
	case key.Matches(msg, k.Focus):
		if msg.Type == tea.KeyShiftTab {
			m.focus = (m.focus + 2) % 3
		} else {
			m.focus = (m.focus + 1) % 3
		}
	case key.Matches(msg, k.Enter):
		m.focus = focusDetail
	case key.Matches(msg, k.Back):
		return m.back()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.input.SetValue(m.tl.filter)
		m.input.CursorEnd()
		return m.input.Focus()
	case key.Matches(msg, k.Next), key.Matches(msg, k.Prev):
		return m.jumpFinding(key.Matches(msg, k.Next))
	default:
		if cmd, ok := m.actionKey(msg); ok {
			return cmd
		}
		return m.replayKey(msg)
	}
	return nil
}

// back is esc on the exchange screen: it undoes the innermost of focus on
// a side pane, a filter, and the exchange itself (back to the list).
func (m *Model) back() tea.Cmd {
	switch {
	case m.focus != focusTimeline:
		m.focus = focusTimeline
	case m.tl.filter != "":
		m.tl.setFilter("")
		return m.selectionChanged()
	case len(m.xs) > 1 || m.live:
		m.mode, m.replay = modeList, false
		m.layout()
	}
	return nil
}

// actionKey handles the keys that act on the exchange (assembled view,
// copy, yank, save, SDK); ok is false for any other key.
func (m *Model) actionKey(msg tea.KeyMsg) (cmd tea.Cmd, ok bool) {
	k := m.activeKeys()
	st := m.current()
	switch {
	case key.Matches(msg, k.Assembled):
		m.det.assembled = !m.det.assembled
		m.refreshPanes()
		return m.requestAssembly(), true
	case key.Matches(msg, k.Copy):
		if st.verdict == nil {
			return m.setStatus("✗ nothing to copy yet: the diagnosis is still running", true), true
		}
		v := *st.verdict
		if m.sdkPick >= 0 {
			v.SDK = m.sdkAnswer
		}
		return tea.Batch(m.setStatus("copying the diagnosis…", false), copyDiagnosis(&v, m.opt.ToolVersion, m.clip)), true
	case key.Matches(msg, k.Yank):
		fk, found := st.eventFrame(m.tl.selectedEvent())
		if !found {
			return m.setStatus("✗ select an event to copy its raw frame", true), true
		}
		return copyFrameCmd(st.snapshot(), fk, m.clip), true
	case key.Matches(msg, k.Save):
		return saveCapture(st.snapshot(), m.dir, m.now()), true
	case key.Matches(msg, k.SDK):
		return m.nextSDK(), true
	}
	return nil, false
}

// replayKey handles the replay keys: pause, speed, step and restart.
func (m *Model) replayKey(msg tea.KeyMsg) tea.Cmd {
	k := m.activeKeys()
	switch {
	case key.Matches(msg, k.Pause):
		if m.replay {
			m.paused = !m.paused
		}
	case key.Matches(msg, k.Faster):
		m.speed = min(m.speed*2, 64)
	case key.Matches(msg, k.Slower):
		m.speed = max(m.speed/2, 0.125)
	case key.Matches(msg, k.Step):
		if st := m.current(); m.tl.shown < st.events.Len() {
			m.paused = true
			m.clock = st.events.Meta(m.tl.shown).At
			m.tl.reveal(m.tl.shown + 1)
			return m.selectionChanged()
		}
	case key.Matches(msg, k.Restart):
		return m.open(m.cur)
	}
	return nil
}

// jumpFinding selects the next (or previous) event with a finding.
func (m *Model) jumpFinding(next bool) tea.Cmd {
	if len(m.finds) == 0 {
		return m.setStatus("no findings on events", false)
	}
	cur := m.tl.selectedEvent()
	target := -1
	if next {
		for _, e := range m.finds {
			if e > cur && e < m.tl.shown {
				target = e
				break
			}
		}
	} else {
		for i := len(m.finds) - 1; i >= 0; i-- {
			if e := m.finds[i]; e < cur || cur < 0 && e < m.tl.shown {
				target = e
				break
			}
		}
	}
	if target < 0 {
		return m.setStatus("no more findings that way", false)
	}
	m.tl.selectEvent(target)
	return m.selectionChanged()
}

// filterKey edits the filter; enter applies it, esc clears it.
func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		m.filtering = false
		m.input.Blur()
		m.tl.setFilter(m.input.Value())
		m.tl.selectFiltered()
		return m.selectionChanged()
	case tea.KeyEsc:
		m.filtering = false
		m.input.Blur()
		m.tl.setFilter("")
		return m.selectionChanged()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}
