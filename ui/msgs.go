package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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

// loadProgressMsg reports bytes read of a capture file.
type loadProgressMsg struct{ read, total int64 }

// loadedMsg carries the exchanges parsed from the file (or the error).
type loadedMsg struct {
	xs     []*stream.Exchange
	bodies [][]byte
	err    error
}

// decodedMsg carries events decoded off the Update goroutine.
type decodedMsg struct {
	seq     int
	events  inspect.Events
	decoded int64
	done    bool
}

// verdictMsg carries a diagnosis of exchange seq.
type verdictMsg struct {
	seq int
	v   *inspect.Verdict
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

// loadSlice bounds how much body one decoding step covers, so that the
// first events of a huge single-chunk body reach the screen quickly.
const loadSlice = 1 << 20

// loadFile reads and parses path, then decodes and diagnoses every
// exchange, posting progress to ch; it closes ch when done.
func loadFile(path string, opt inspect.Options, ch chan<- tea.Msg) {
	defer close(ch)
	var r io.Reader
	var total int64 = -1
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			ch <- loadedMsg{err: err}
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			total = fi.Size()
		}
		r = f
	}
	pr := &progressReader{r: r, total: total, ch: ch}
	b, err := io.ReadAll(pr)
	if err != nil {
		ch <- loadedMsg{err: &stream.FormatError{File: path, Format: "unknown", Offset: pr.n, Err: err}}
		return
	}
	ch <- loadProgressMsg{read: pr.n, total: pr.n}
	xs, err := stream.Parse(path, b)
	if err != nil {
		ch <- loadedMsg{err: err}
		return
	}
	decodeAll(xs, opt, ch)
}

// decodeAll posts the exchanges, then their events in batches, then their
// verdicts. Runs in its own goroutine; reads only immutable captures.
func decodeAll(xs []*stream.Exchange, opt inspect.Options, ch chan<- tea.Msg) {
	bodies := make([][]byte, len(xs))
	for i, x := range xs {
		bodies[i] = x.Body()
	}
	ch <- loadedMsg{xs: xs, bodies: bodies}
	for i, x := range xs {
		tl := inspect.NewTimeline(x)
		var batch inspect.Events
		var done int64
		last := time.Now()
		flush := func(final bool) {
			ch <- decodedMsg{seq: i + 1, events: batch, decoded: done, done: final}
			batch, last = inspect.Events{}, time.Now()
		}
		x.EachChunk(func(c stream.Chunk) error {
			for off := 0; off < len(c.Data); off += loadSlice {
				end := min(off+loadSlice, len(c.Data))
				batch = batch.Append(tl.Feed(stream.Chunk{At: c.At, Data: c.Data[off:end]}))
				done += int64(end - off)
				if time.Since(last) > batchWindow || batch.Len() > 50000 {
					flush(false)
				}
			}
			return nil
		})
		batch = batch.Append(tl.Finish())
		flush(true)
	}
	for i, x := range xs {
		ch <- verdictMsg{seq: i + 1, v: inspect.Diagnose(x, opt), full: true}
	}
}

// progressReader counts bytes and posts at most ~30 progress messages a
// second.
type progressReader struct {
	r     io.Reader
	n     int64
	total int64
	ch    chan<- tea.Msg
	last  time.Time
}

// Read reads from the file and reports how far loading has got.
func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) > 33*time.Millisecond {
		p.last = now
		select {
		case p.ch <- loadProgressMsg{read: p.n, total: p.total}:
		default: // the screen is busy; the next one will do
		}
	}
	return n, err
}

// diagnose runs inspect.Diagnose on a snapshot of a live exchange.
func diagnose(seq int, x *stream.Exchange, opt inspect.Options, full bool) tea.Cmd {
	return func() tea.Msg { return verdictMsg{seq: seq, v: inspect.Diagnose(x, opt), full: full} }
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
		return copiedMsg{what: "diagnosis", result: copyText(buf.String(), env)}
	}
}

// copyFrame copies one raw frame (redacted).
func copyFrame(frame []byte, env clipEnv) tea.Cmd {
	return func() tea.Msg {
		return copiedMsg{what: "raw frame", result: copyText(stream.RedactText(string(frame)), env)}
	}
}

// saveCapture writes x, redacted, to a new file in dir.
func saveCapture(x *stream.Exchange, dir string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		// Names go by the second; a second save in the same second gets
		// a suffix rather than failing (or overwriting the first).
		stamp := now.Format("20060102-150405")
		var name string
		var f *os.File
		var err error
		for n := 1; n <= 100; n++ {
			name = filepath.Join(dir, fmt.Sprintf("midstream-%s.jsonl", stamp))
			if n > 1 {
				name = filepath.Join(dir, fmt.Sprintf("midstream-%s-%d.jsonl", stamp, n))
			}
			f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		if err != nil {
			return savedMsg{err: err}
		}
		werr := stream.WriteJSONL(f, stream.Redact(x))
		cerr := f.Close()
		if werr != nil || cerr != nil {
			os.Remove(name)
			return savedMsg{err: errors.Join(werr, cerr)}
		}
		// In the working directory the bare name is what the user needs
		// (and it fits the status line).
		return savedMsg{path: filepath.Base(name) + " (in " + dir + ")"}
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
