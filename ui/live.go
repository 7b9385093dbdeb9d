package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// maybeDiagnose starts a diagnosis of an exchange when it changed and
// none is running (diagnosis reads a snapshot in a command). A replay is
// diagnosed once, when its body is decoded; a live exchange as it grows.
func (m *Model) maybeDiagnose(st *exchangeState) tea.Cmd {
	if st.diagnosing || st.x == nil || st.evicted || (!m.live && !st.done) {
		return nil
	}
	if st.verdict != nil && st.events.Len() == st.verdictEvents && !st.done {
		return nil
	}
	if st.verdict != nil && st.done && st.verdictEvents == st.events.Len() && st.verdict.Outcome != "" && st.fullVerdict {
		return nil
	}
	st.diagnosing = true
	st.fullVerdict = st.done
	opt := m.opt.Inspect
	opt.InFlight = !st.done // a snapshot of a body still arriving
	return m.spawn(diagnose(st.seq, st.gen, st.snapshot(), opt, st.done))
}

// applyFeed applies a batch of updates, then starts decoding what they
// brought (in commands: the bytes are read back from the spools).
func (m *Model) applyFeed(msg feedMsg) tea.Cmd {
	touched := map[*exchangeState]bool{}
	var cmds []tea.Cmd
	for _, u := range msg.updates {
		if u.Problem != "" {
			cmds = append(cmds, m.recordingProblem(u.Problem))
			continue
		}
		st := m.stateFor(u.Seq, u.Start)
		st.applyUpdate(u)
		m.used(st)
		touched[st] = true
	}
	for st := range touched {
		cmds = append(cmds, m.spawnDecode(st))
		if m.live {
			cmds = append(cmds, m.maybeDiagnose(st))
		}
	}
	if msg.closed && !m.live {
		m.loaded = true
	}
	m.listOnceSeveral()
	if st := m.current(); st != nil && touched[st] {
		m.syncCurrent()
	}
	cmds = append(cmds, m.leaveLoading(), m.startWaiting(), m.evict())
	if !msg.closed {
		cmds = append(cmds, waitForFeed(m.feed))
	}
	return tea.Batch(cmds...)
}

// leaveLoading opens the first screen once there is something to show. A
// live session opens its first exchange at once. A replay opens the
// exchange asked for (Options.Start) once it is there, the list as soon
// as a second exchange is known (it grows while the file is read), and a
// lone exchange once its file is read or, while the file is still read,
// as soon as it has events and is still growing (a huge body: the first
// screen must not wait for it). That open is provisional: see
// listOnceSeveral.
func (m *Model) leaveLoading() tea.Cmd {
	if m.mode != modeLoading || m.fatal != nil || len(m.xs) == 0 {
		return nil
	}
	switch {
	case m.live:
		return m.open(0)
	case m.opt.Start > 0 && m.opt.Start <= len(m.xs):
		return m.open(m.opt.Start - 1)
	case len(m.xs) == 1 && m.loaded:
		return m.open(0)
	case len(m.xs) == 1 && m.xs[0].events.Len() > 0 && !m.xs[0].ended:
		// An exchange that ended while the file is still read is
		// likely followed by another: wait for it, or for the end.
		m.provisional = true
		return m.open(0)
	case len(m.xs) > 1 && (m.opt.Start <= 0 || m.loaded):
		m.mode = modeList
		m.layout()
	}
	return nil
}

// listOnceSeveral turns a first exchange opened before its file was read
// into the list once a second exchange turns up: a capture of several
// opens on their list, however it is read. The user's first key or click
// ends the provisional state, so what they look at is never taken away.
func (m *Model) listOnceSeveral() {
	if !m.provisional || (len(m.xs) < 2 && !m.loaded) {
		return
	}
	m.provisional = false
	if m.mode == modeExchange && len(m.xs) > 1 {
		m.mode, m.replay = modeList, false
		m.list.sel = m.cur
		m.layout()
	}
}

// stateFor returns the exchange of a feed sequence number, creating it.
func (m *Model) stateFor(seq int, start *stream.Exchange) *exchangeState {
	if st := m.stateOf(seq); st != nil {
		return st
	}
	x := start
	if x == nil {
		x = &stream.Exchange{Source: m.opt.Title}
	}
	st := newExchangeState(seq, x, m.opt.Inspect.StallThreshold)
	m.xs = append(m.xs, st)
	return st
}

// recordingProblem notes that recording failed: it is flashed on the
// status line, then stays at its start until the inspector quits (the
// command prints it again on stderr at exit).
func (m *Model) recordingProblem(p string) tea.Cmd {
	m.problems++
	m.problem = p
	return m.setStatus("✗ "+p, true)
}

// problemText is the standing notice of recording failures, "" if none.
func (m *Model) problemText() string {
	switch m.problems {
	case 0:
		return ""
	case 1:
		return "✗ " + m.problem
	}
	return fmt.Sprintf("✗ %d recording failures, last: %s", m.problems, m.problem)
}
