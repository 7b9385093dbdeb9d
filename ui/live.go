package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// maybeDiagnose starts a diagnosis of a live exchange when it changed and
// none is running (diagnosis reads a snapshot in a command).
func (m *Model) maybeDiagnose(st *exchangeState) tea.Cmd {
	if st.diagnosing || st.x == nil {
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
	return diagnose(st.seq, st.snapshot(), m.opt.Inspect, st.done)
}

func (m *Model) applyFeed(msg feedMsg) tea.Cmd {
	touched := map[*exchangeState]bool{}
	var cmds []tea.Cmd
	for _, u := range msg.updates {
		st := m.stateFor(u.Seq, u.Start)
		st.applyUpdate(u)
		touched[st] = true
	}
	for st := range touched {
		cmds = append(cmds, m.maybeDiagnose(st))
	}
	if m.mode == modeLoading && len(m.xs) > 0 {
		cmds = append(cmds, m.open(0))
	} else if st := m.current(); st != nil && touched[st] {
		m.syncCurrent()
	}
	cmds = append(cmds, m.startWaiting())
	if !msg.closed {
		cmds = append(cmds, waitForFeed(m.feed))
	}
	return tea.Batch(cmds...)
}

// stateFor returns the exchange of a feed sequence number, creating it.
func (m *Model) stateFor(seq int, start *stream.Exchange) *exchangeState {
	// Sources number exchanges 1, 2, … in the order they start, so the
	// exchange is at seq-1; a chunk of a long proxy session then costs no
	// scan of every exchange. The scan stays for any other numbering.
	if i := seq - 1; i >= 0 && i < len(m.xs) && m.xs[i].seq == seq {
		return m.xs[i]
	}
	for _, st := range m.xs {
		if st.seq == seq {
			return st
		}
	}
	x := start
	if x == nil {
		x = &stream.Exchange{Source: m.opt.Title}
	}
	st := newExchangeState(seq, x, m.opt.Inspect.StallThreshold)
	m.xs = append(m.xs, st)
	return st
}
