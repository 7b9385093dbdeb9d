package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// A replay enters the inspector exactly as a live session does: a
// publisher turns the capture into Updates on a Feed (Start, Response,
// Chunk, End per exchange) and the one feed pump applies them. Only
// loading progress and a read error come by the side channel ch.

// publishCapture publishes the capture at path to feed as it reads it,
// its progress and read error to ch, and closes feed and ch. Tests
// replace it to hold a read back.
var publishCapture = publishStreaming

// readCapture reads a capture to a feed with progress; a seam for tests,
// which hold the read back part way through the file.
var readCapture = stream.ReadFileToFeedProgress

// loadErrMsg says the capture could not be read.
type loadErrMsg struct{ err error }

// loadProgressMsg reports bytes read of a capture file (total -1 while
// stdin or a pipe is copied to disk).
type loadProgressMsg struct{ read, total int64 }

// progressEvery is the least time between two progress messages: about
// one per frame is all the screen can show.
const progressEvery = 33 * time.Millisecond

// publishStreaming reads the capture at path within lim and publishes
// each exchange's updates as they are read (stream.ReadFileToFeed), so
// that the first events of a huge file are on screen long before it is
// read. A bare SSE file is published at once as a region of the file
// itself: its body is neither kept in memory nor copied, and is decoded
// from the file in steps (decode.go). Cancelling ctx stops the read.
func publishStreaming(ctx context.Context, path string, lim stream.Limits, feed *stream.Feed, ch chan<- tea.Msg) {
	defer close(ch)
	var last time.Time
	var total int64 = -1
	progress := func(read, size int64) {
		total = size
		// Called on every read of the reader's goroutine: drop what
		// comes within a frame of the last, and never wait for the
		// screen, which must not slow the read down.
		if now := time.Now(); now.Sub(last) >= progressEvery {
			last = now
			select {
			case ch <- loadProgressMsg{read: read, total: size}:
			default: // the screen is busy; the next one will do
			}
		}
	}
	_, err := readCapture(ctx, path, feed, lim, progress)
	var msg tea.Msg = loadProgressMsg{read: total, total: total}
	switch {
	case ctx.Err() != nil:
		return // the inspector quit: nobody is listening
	case err != nil:
		msg = loadErrMsg{err}
	case total < 0:
		return // nothing was read (cannot be: a capture is not empty)
	}
	select {
	case ch <- msg:
	case <-ctx.Done():
	}
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
