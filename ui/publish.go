package ui

import (
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// A replay enters the inspector exactly as a live session does: a
// publisher turns the capture into Updates on a Feed (Start, Response,
// Chunk, End per exchange) and the one feed pump applies them. Only
// loading progress and a read error come by the side channel ch.

// publishCapture publishes the exchanges of the capture at path to feed,
// then closes feed and ch. It is the one line to change when stream's
// streaming readers land: point it at a publisher that reads as it goes,
// and the first events show while the file is still being read.
var publishCapture = publishWholeFile

// loadErrMsg says the capture could not be read.
type loadErrMsg struct{ err error }

// loadProgressMsg reports bytes read of a capture file.
type loadProgressMsg struct{ read, total int64 }

// publishWholeFile is the adapter for today's readers, which parse a
// whole file at once: it reads path (with progress), parses it, and
// publishes every exchange. A bare SSE file is published as a region of
// the file itself, so its body is neither kept in memory nor copied.
func publishWholeFile(path string, feed *stream.Feed, ch chan<- tea.Msg) {
	defer close(ch)
	defer feed.Close()
	var r io.Reader = os.Stdin
	var total int64 = -1
	var f *os.File
	if path != "-" {
		var err error
		if f, err = os.Open(path); err != nil {
			ch <- loadErrMsg{err}
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			total = fi.Size()
		}
		r = f
	}
	pr := &progressReader{r: r, total: total, ch: ch}
	b, err := io.ReadAll(pr)
	if err != nil {
		ch <- loadErrMsg{&stream.FormatError{File: path, Format: "unknown", Offset: pr.n, Err: err}}
		return
	}
	ch <- loadProgressMsg{read: pr.n, total: pr.n}
	xs, err := stream.Parse(path, b)
	if err != nil {
		ch <- loadErrMsg{err}
		return
	}
	if len(xs) == 1 && xs[0].Format == stream.FormatSSE && total == int64(len(b)) && xs[0].BodyLen() == total {
		if g, err := os.Open(path); err == nil {
			xs[0].Chunks, xs[0].Spool = nil, stream.NewFileSpool(g, 0, total)
		}
	}
	b = nil // the exchanges hold what they need; the file's bytes can go
	publishExchanges(xs, feed)
}

// publishExchanges publishes captured exchanges to feed as a source would
// have: every Start first (so the inspector knows at once that a capture
// holds several and opens on their list), then each body. A body not in
// a spool yet is copied into one, which spills to disk past
// stream.SpillAt: the inspector then keeps no body in memory.
func publishExchanges(xs []*stream.Exchange, feed *stream.Feed) {
	for i, x := range xs {
		shell := *x
		shell.Chunks, shell.Spool = nil, spoolOf(x)
		feed.Publish(stream.Update{Seq: i + 1, Start: &shell})
	}
	for i, x := range xs {
		if x.Response != nil {
			feed.Publish(stream.Update{Seq: i + 1, Response: x.Response})
		}
		// One chunk update says the spool holds the body; its bytes
		// are read from there.
		feed.Publish(stream.Update{Seq: i + 1, Chunk: &stream.Chunk{}})
		end := x.End
		feed.Publish(stream.Update{Seq: i + 1, End: &end})
	}
}

// spoolOf returns the spool holding x's body, filling a new one from its
// chunks when x has none.
func spoolOf(x *stream.Exchange) *stream.Spool {
	if x.Spool != nil {
		return x.Spool
	}
	s := stream.NewSpool()
	for _, c := range x.Chunks {
		s.Append(c.At, c.Data)
	}
	return s
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
