package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// batchWindow is how long the feed pump collects updates after the first
// one arrives: a burst of thousands of chunks becomes one message and one
// redraw instead of thousands (Bubble Tea redraws after every message).
const batchWindow = 16 * time.Millisecond

// feedMsg is a batch of live updates drained from the feed.
type feedMsg struct {
	updates []stream.Update
	closed  bool
}

// waitForFeed is the one re-armed command through which live data enters:
// it waits until the feed has something, lets a 16 ms window fill, and
// drains everything queued. The publisher never waits for it.
func waitForFeed(f *stream.Feed) tea.Cmd {
	return func() tea.Msg {
		<-f.Ready()
		time.Sleep(batchWindow)
		u, closed := f.Drain()
		return feedMsg{updates: u, closed: closed}
	}
}

// verdictMsg carries a diagnosis of exchange seq.
type verdictMsg struct {
	seq, gen int
	v        *inspect.Verdict
	// full is set when the verdict covers the complete exchange.
	full bool
}

// loaderDoneMsg says the loader goroutine finished.
type loaderDoneMsg struct{}

// replayTickMsg advances the replay clock; gen drops ticks of a replay
// that was restarted or paused since.
type replayTickMsg struct {
	gen int
	at  time.Time
}

// diagnoseDueMsg asks for a fresh diagnosis of a live exchange.
type diagnoseDueMsg struct{ seq int }

// copiedMsg reports a copy.
type copiedMsg struct {
	what   string
	result copyResult
	err    error
}

// savedMsg reports a saved capture.
type savedMsg struct {
	path string
	err  error
}

// assembledMsg carries the assembled message up to an event.
type assembledMsg struct {
	seq int
	a   *assembled
}

// clearStatusMsg clears the status line if it still shows message gen.
type clearStatusMsg struct{ gen int }

// loaderMsg wraps a message from the loader goroutine so that Update
// re-arms waitForLoad after handling it.
type loaderMsg struct{ msg tea.Msg }

// waitForLoad re-arms on the loader's channel.
func waitForLoad(ch <-chan tea.Msg) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return loaderDoneMsg{}
		}
		return loaderMsg{m}
	}
}

// diagnose runs inspect.Diagnose on a snapshot of an exchange.
func diagnose(seq, gen int, x *stream.Exchange, opt inspect.Options, full bool) func() tea.Msg {
	return func() tea.Msg { return verdictMsg{seq: seq, gen: gen, v: inspect.Diagnose(x, opt), full: full} }
}

// diagnoseAfter schedules a fresh diagnosis of a live exchange.
func diagnoseAfter(seq int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return diagnoseDueMsg{seq: seq} })
}

// tickReplay schedules the next replay step.
func tickReplay(gen int) tea.Cmd {
	return tea.Tick(33*time.Millisecond, func(t time.Time) tea.Msg { return replayTickMsg{gen: gen, at: t} })
}

// copyDiagnosis renders the Markdown diagnosis of v and copies it.
func copyDiagnosis(v *inspect.Verdict, toolVersion string, env clipEnv) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		err := inspect.WriteMarkdown(&buf, &inspect.Diagnosis{ToolVersion: toolVersion, Exchanges: []*inspect.Verdict{v}})
		if err != nil {
			return copiedMsg{what: "diagnosis", err: err}
		}
		return copiedMsg{what: "diagnosis", result: copyText(buf.String(), diagnosisFilePattern, env)}
	}
}

// copyFrame copies one raw frame, redacted and with its controls made
// visible by copyText (a CR shows as ␍, ESC as ␛).
func copyFrame(frame []byte, env clipEnv) tea.Cmd {
	return func() tea.Msg {
		return copiedMsg{what: "raw frame", result: copyText(stream.RedactText(string(frame)), frameFilePattern, env)}
	}
}

// saveCapture writes x, redacted, to a new file in dir (stream.CreateNew:
// mode 0600, never over an existing file or through a link).
func saveCapture(x *stream.Exchange, dir string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		// Names go by the second; a second save in the same second gets
		// a suffix rather than failing (or overwriting the first).
		stamp := now.Format("20060102-150405")
		var o *stream.Output
		var err error
		for n := 1; n <= 100; n++ {
			name := filepath.Join(dir, fmt.Sprintf("midstream-%s.jsonl", stamp))
			if n > 1 {
				name = filepath.Join(dir, fmt.Sprintf("midstream-%s-%d.jsonl", stamp, n))
			}
			o, err = stream.CreateNew(name)
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		if err != nil {
			return savedMsg{err: err}
		}
		if err := stream.WriteJSONL(o, stream.Redact(x)); err != nil {
			o.Abort()
			return savedMsg{err: err}
		}
		if err := o.Commit(); err != nil {
			return savedMsg{err: err}
		}
		// In the working directory the bare name is what the user needs
		// (and it fits the status line).
		return savedMsg{path: filepath.Base(o.Name()) + " (in " + dir + ")"}
	}
}

// assembleUpTo assembles the message up to event ev in a command: it
// decodes the body again, which must not happen in Update.
func assembleUpTo(seq int, v *inspect.Verdict, ev int) tea.Cmd {
	return func() tea.Msg { return assembledMsg{seq: seq, a: &assembled{upTo: ev, msg: inspect.Assemble(v, ev)}} }
}

// clearStatusAfter clears status message gen after d.
func clearStatusAfter(gen int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return clearStatusMsg{gen: gen} })
}
