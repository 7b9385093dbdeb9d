package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// syncCurrent reveals new events of the open exchange (all of them unless
// a paced replay decides).
func (m *Model) syncCurrent() {
	st := m.current()
	if st == nil {
		return
	}
	if m.replay && st.x.Timed {
		m.revealUntil(m.clock)
	} else {
		m.tl.reveal(st.events.Len())
	}
	m.refreshPanes()
}

func (m *Model) revealUntil(clock time.Duration) {
	st := m.current()
	n := m.tl.shown
	for n < st.events.Len() && st.events.Meta(n).At <= clock {
		n++
	}
	m.tl.reveal(n)
}

// advanceReplay moves the replay clock by the real time since the last
// tick times the speed.
func (m *Model) advanceReplay(msg replayTickMsg) tea.Cmd {
	st := m.current()
	if msg.gen != m.gen || !m.replay || st == nil {
		return nil
	}
	if !m.lastTick.IsZero() && !m.paused {
		m.clock += time.Duration(float64(msg.at.Sub(m.lastTick)) * m.speed)
	}
	m.lastTick = msg.at
	if !m.paused {
		before := m.tl.shown
		m.revealUntil(m.clock)
		if m.tl.shown != before {
			m.refreshPanes()
		}
	}
	if st.done && m.tl.shown >= st.events.Len() {
		m.replay = false
		if st.verdict != nil {
			m.adoptVerdict(st) // selects the error event, unless the user moved
		}
		m.refreshPanes()
		return nil
	}
	return tickReplay(m.gen)
}
