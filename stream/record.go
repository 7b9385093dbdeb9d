package stream

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CaptureSink receives one exchange while it happens: its header once the
// response headers arrived (or the request failed), every body chunk as it
// is read, then how it ended. c.Data is the data path's read buffer,
// valid only during the call: a sink that keeps the bytes copies them.
// *CaptureWriter is the sink that writes midstream's JSONL capture format.
type CaptureSink interface {
	Begin(x *Exchange) error
	Chunk(c Chunk) error
	End(e End) error
}

// recorder follows one exchange on the data path: it keeps the exchange
// (for a verdict at the end), writes it to an optional sink and publishes
// each step to an optional feed. Nothing in it waits for a reader.
type recorder struct {
	seq   int
	t0    time.Time
	x     *Exchange
	sink  CaptureSink
	feed  *Feed
	began bool
	ended bool
	err   error // first sink error; recording stops, the stream goes on
	mu    sync.Mutex
}

// newRecorder starts recording x (its Request and Started set) and
// publishes its Start update.
func newRecorder(seq int, x *Exchange, sink CaptureSink, feed *Feed) *recorder {
	if x.Started.IsZero() {
		x.Started = time.Now()
	}
	x.Timed = true
	if x.Spool == nil {
		x.Spool = NewSpool()
	}
	r := &recorder{seq: seq, t0: x.Started, x: x, sink: sink, feed: feed}
	if feed != nil {
		// The UI gets its own shell of the exchange: x keeps growing on
		// this goroutine and must not be shared. Its Spool is shared (reads
		// are safe beside appends), so the UI keeps no copy of the body.
		feed.Publish(Update{Seq: seq, Start: &Exchange{
			Source: x.Source, Format: x.Format, Started: x.Started, Request: x.Request, Timed: true,
			Spool: x.Spool,
		}})
	}
	return r
}

func (r *recorder) since() time.Duration { return time.Since(r.t0) }

// response records the arrival of the response headers.
func (r *recorder) response(resp *http.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.x.Response = &Response{
		Proto:      resp.Proto,
		Status:     resp.StatusCode,
		StatusText: statusText(resp.Status),
		Header:     resp.Header.Clone(),
		At:         r.since(),
	}
	if r.x.Response.Header == nil {
		r.x.Response.Header = http.Header{}
	}
	r.begin()
	if r.feed != nil {
		r.feed.Publish(Update{Seq: r.seq, Response: r.x.Response, Injected: r.x.Injected})
	}
}

// begin writes the capture header once.
func (r *recorder) begin() {
	if r.began {
		return
	}
	r.began = true
	if r.sink != nil && r.err == nil {
		r.err = r.sink.Begin(r.x)
	}
}

// chunk records one body read. b is copied: callers reuse their buffers.
func (r *recorder) chunk(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := Chunk{At: r.since(), Data: b}
	// The body goes to the spool (memory while small, disk after), never
	// into a growing slice: a 1 GiB response must not cost 1 GiB.
	if err := r.x.Spool.Append(c.At, b); err != nil && r.err == nil {
		r.err = err
	}
	// No copy per chunk on the data path: a sink uses c.Data only during
	// the call (the CaptureSink contract), and the feed's reader reads the
	// bytes from the spool its Start update shares, so the update says
	// only when and how much arrived. A slow screen then costs a queue of
	// small updates, never a copy of the traffic.
	if r.sink != nil && r.err == nil {
		r.err = r.sink.Chunk(c)
	}
	if r.feed != nil {
		r.feed.Publish(Update{Seq: r.seq, Chunk: &Chunk{At: c.At}})
	}
}

// end records how the exchange ended; err is what the round trip or the
// body read returned (already resolved to its context cause). Only the
// first call counts.
func (r *recorder) end(err error) End { return r.endAt(err, r.since()) }

// endAt is end with the time the exchange ended, for an end recorded
// later than it happened.
func (r *recorder) endAt(err error, at time.Duration) End {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return r.x.End
	}
	r.ended = true
	var e End
	if ie := (*InjectedEnd)(nil); errors.As(err, &ie) {
		e = endOfInjection(ie, at)
	} else {
		reason, text := ClassifyTransportError(err)
		e = End{Reason: reason, Err: text, At: at, By: endedBy(err)}
	}
	r.x.End = e
	r.begin()
	if r.sink != nil && r.err == nil {
		r.err = r.sink.End(e)
	}
	if r.feed != nil {
		r.feed.Publish(Update{Seq: r.seq, End: &e})
	}
	return e
}

// statusText returns the reason phrase of a status line such as "200 OK".
func statusText(status string) string {
	_, text, _ := strings.Cut(status, " ")
	return text
}

// endedBy says which side ended an exchange whose body read ended with
// err (already resolved to its cause): midstream is the client in live
// and the middle in proxy, so its own timers and shutdown say
// ByMidstream, a person or client going away ByClient, anything else
// (EOF, resets, transport errors) ByUpstream.
func endedBy(err error) string {
	switch {
	case errors.Is(err, ErrClientGone), errors.Is(err, ErrUserCanceled):
		return ByClient
	case errors.Is(err, ErrShutdown), errors.Is(err, ErrIdleTimeout), errors.Is(err, ErrTotalTimeout):
		return ByMidstream
	}
	return ByUpstream
}
