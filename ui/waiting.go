package ui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// spinnerFrames animate the wait for a live response. The words beside the
// spinner carry the meaning, so the frames are decoration only.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// waitTickMsg advances the waiting spinner and its elapsed time.
type waitTickMsg struct{ at time.Time }

// tickWaiting schedules the next spinner frame.
func tickWaiting() tea.Cmd {
	return tea.Tick(100*time.Millisecond, func(t time.Time) tea.Msg { return waitTickMsg{at: t} })
}

// waitingFor reports whether a live exchange has been sent but no body byte
// has arrived yet: the time users stare at an empty screen.
func waitingFor(st *exchangeState) bool {
	return st != nil && !st.done && st.x.ChunkCount() == 0 && !st.x.Started.IsZero()
}

// anyWaiting reports whether any live exchange is still waiting.
func (m *Model) anyWaiting() bool {
	for _, st := range m.xs {
		if waitingFor(st) {
			return true
		}
	}
	return false
}

// startWaiting arms the spinner when a live exchange waits and it is not
// already ticking; one tick chain runs at a time.
func (m *Model) startWaiting() tea.Cmd {
	if !m.live || m.waitTicking || !m.anyWaiting() {
		return nil
	}
	m.waitTicking = true
	return tickWaiting()
}

// applyWaitTick moves the spinner on and re-arms it while something waits.
func (m *Model) applyWaitTick(msg waitTickMsg) tea.Cmd {
	m.waitNow = msg.at
	m.waitFrame++
	if !m.anyWaiting() {
		m.waitTicking = false
		return nil
	}
	return tickWaiting()
}

// waitingText is the spinner with what is awaited and for how long, e.g.
// "⠹ connecting, waiting for the response… 1.2s" or "⠹ HTTP 200, waiting for the first byte… 3.4s".
func (m *Model) waitingText(st *exchangeState) string {
	what := "connecting, waiting for the response…"
	if st.x.Response != nil {
		what = fmt.Sprintf("HTTP %d, waiting for the first byte…", st.x.Response.Status)
	}
	s := spinnerFrames[m.waitFrame%len(spinnerFrames)] + " " + what
	if !m.waitNow.IsZero() && m.waitNow.After(st.x.Started) {
		s += " " + fmtElapsed(m.waitNow.Sub(st.x.Started))
	}
	return s
}

func fmtElapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
}
