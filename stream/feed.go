package stream

import "sync"

// Update is one step of an exchange as it happens, published by a live
// source (live request, proxy, replay) to whoever watches it.
type Update struct {
	// Seq identifies the exchange within its source (1, 2, …).
	Seq int
	// Start is set once, when the request is sent: the exchange with its
	// Request (and Source, Started). Response and Chunks are empty; its
	// Spool, when set, is the body's spool, shared with the publisher and
	// growing as chunks arrive (safe to read concurrently).
	Start *Exchange
	// Response is set when the response headers arrived.
	Response *Response
	// Injected comes with Response: the fault an Injector put into this
	// exchange (Exchange.Injected), "" for none.
	Injected string
	// Chunk is set for every body read, in order. Its At says when the
	// read arrived; its Data is nil when Start shared a Spool (the bytes
	// are there: the proxy and live recorders never copy them), else the
	// read's bytes.
	Chunk *Chunk
	// End is set last, when the exchange is over.
	End *End
	// Problem, when set, is not a step of the exchange but a failure to
	// record it (a capture file that could not be created or written): the
	// inspector shows it until it quits.
	Problem string
}

// Feed is an unbounded, non-blocking queue of updates. The data path
// publishes into it and never waits for the reader (a slow screen must not
// slow the proxy); the reader waits on Ready and drains everything queued
// in one go, which batches bursts.
type Feed struct {
	mu     sync.Mutex
	queue  []Update
	ready  chan struct{}
	closed bool
}

// NewFeed returns an empty feed.
func NewFeed() *Feed { return &Feed{ready: make(chan struct{}, 1)} }

// Publish queues u. It never blocks. Publishing on a closed feed is a no-op.
func (f *Feed) Publish(u Update) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.queue = append(f.queue, u)
	f.mu.Unlock()
	select {
	case f.ready <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Close marks the end of the feed; Ready then stays signalled.
func (f *Feed) Close() {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.ready)
	}
	f.mu.Unlock()
}

// Ready is signalled (or closed) when Drain has something to return or the
// feed is closed.
func (f *Feed) Ready() <-chan struct{} { return f.ready }

// Drain returns everything queued since the last call, and whether the
// feed is closed (no more updates will come after these).
func (f *Feed) Drain() (updates []Update, closed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	updates, f.queue = f.queue, nil
	return updates, f.closed
}
