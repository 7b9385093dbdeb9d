package stream

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Injector decides, per request, how a served or proxied response is
// rewritten (fault injection: `--inject` on serve and proxy).
type Injector interface {
	// For returns the rewrite for request seq (1-based, counting every request this
	// server/proxy has seen) answered with exchange x, or nil for a clean answer.
	// In a proxy, x holds only the request when For is called.
	For(seq int, r *http.Request, x *Exchange) Rewrite
}

// Rewrite is one exchange's fault, applied as the bytes pass: Head once
// before the response starts, Event for every event of the body in order,
// Finish when the body ended without the rewrite ending it first. The
// body is never held whole: only the event being read is buffered. Only a
// 2xx, uncompressed stream is rewritten: any other answer passes
// untouched (and is not labelled injected) unless Head answers in its
// place.
type Rewrite interface {
	// Name is the spec, e.g. "error@3:overloaded_error", recorded in the
	// capture (Exchange.Injected).
	Name() string
	// Head is called once with the exchange (in a proxy: its request so
	// far), the status and the header about to be sent; h may be changed
	// in place. A non-nil Answer replaces the whole response: the body is
	// then never sent.
	Head(x *Exchange, status int, h http.Header) *Answer
	// Event is called for every event of the body: frame is its bytes up
	// to and including the blank line that ends it (valid only during the
	// call), n counts events from 1 (frames holding only comments or
	// blank lines are passed on without a call and not counted; an event
	// longer than about 1 MiB is passed on as it comes, counted but never
	// shown to Event), at is the time since the response started.
	Event(n int, frame []byte, at time.Duration) Step
	// Finish is called when the body ended (after events events) without
	// the rewrite ending it first; its Step may add bytes and choose how
	// the response ends.
	Finish(events int, at time.Duration) Step
	// Rate is the pace the body is sent at, in bytes per second; 0 sends
	// bytes as they come.
	Rate() int
}

// Answer is a whole response that replaces the one being served.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Ending says how a rewrite ends the response.
type Ending int

// The ways a rewrite ends a response.
const (
	// Continue goes on with the next event.
	Continue Ending = iota
	// EndClean ends the response here as a complete one (the chunked
	// body's terminator is sent): what a provider does after its error
	// event, or a stream that lost only its terminator.
	EndClean
	// EndAbort aborts the connection after what was sent: an HTTP/1.1
	// chunked body without its terminator, an HTTP/2 RST_STREAM.
	EndAbort
	// EndResetConn closes the TCP connection with a reset (SO_LINGER 0);
	// over HTTP/2, where the connection cannot be taken over, it aborts
	// the stream like EndAbort.
	EndResetConn
)

// Step is what a Rewrite makes of one event (or of the end of the body).
type Step struct {
	// Pause is silence before Send.
	Pause time.Duration
	// Ping, when set, is sent every PingEvery (default 1s) during Pause:
	// the dialect's keep-alive instead of silence.
	Ping      []byte
	PingEvery time.Duration
	// Send is what the client gets for this event: the frame itself to
	// pass it on, other bytes to change it, nil to drop it.
	Send []byte
	// End ends the response after Send.
	End Ending
	// Fired is true when this step changed the stream (the fault
	// happened), false for a pass-through.
	Fired bool
}

// Fired says whether and where an injected fault changed an exchange:
// the explicit signal of its Rewrite (a Step with Fired set, or an Answer
// from Head), not an inference from the bytes the client got. A fault
// that never fired (error@9 of a 6-event stream, cut-before-end of a
// stream without its terminator, a client gone before event N) leaves
// the exchange as it was.
type Fired struct {
	// Fired is false when the rewrite never changed the stream.
	Fired bool
	// Event is the 1-based event at which the fault first fired; 0 when
	// it answered in place of the whole response (a status fault).
	Event int
	// AfterLast: it fired after the last event (a tail); Event is then
	// the number of events.
	AfterLast bool
	// At is when it first fired, since the response started.
	At time.Duration
}

// Who ended an exchange (End.By).
const (
	ByUpstream  = "upstream"  // the upstream closed or failed the body
	ByClient    = "client"    // the client went away first
	ByMidstream = "midstream" // midstream did: an injected fault, a timeout or shutdown of its own
)

// InjectedEnd is the cause recorded for an exchange a Rewrite ended.
type InjectedEnd struct {
	Name   string // the rewrite's spec
	Ending Ending
}

// Error says which injected fault ended the exchange.
func (e *InjectedEnd) Error() string { return "injected fault " + e.Name }

// endOfInjection returns the End recorded for an exchange that rewrite
// name ended with ending at at.
func endOfInjection(e *InjectedEnd, at time.Duration) End {
	switch e.Ending {
	case EndAbort:
		return End{Reason: EndReset, Err: "aborted by " + e.Error(), At: at, By: ByMidstream}
	case EndResetConn:
		return End{Reason: EndReset, Err: "connection reset by " + e.Error(), At: at, By: ByMidstream}
	}
	return End{Reason: EndEOF, At: at, By: ByMidstream}
}

// maxFaultFrame bounds the bytes buffered while looking for the end of an
// event: past it (a body that is not SSE, a huge event) the bytes are
// passed on as they are, so memory never grows with the body; the rest
// of that event follows them untouched (see faultWriter.long).
const maxFaultFrame = 1 << 20

// faultWriter applies a Rewrite to a body as it passes: it splits the
// bytes into SSE frames, asks the rewrite about each and sends what it
// says through send, paced by the rewrite's Rate.
type faultWriter struct {
	rw    Rewrite
	send  func([]byte) error // write and flush to the client (and record)
	ctx   context.Context
	start time.Time

	buf    []byte // bytes not yet sent: buf[off:] is the event being read
	off    int    // start of the event being read in buf
	scan   int    // where the search for a line end resumes in buf
	line   int    // start of the current line in buf
	events int
	// long is set while the rest of an event longer than maxFaultFrame
	// passes: its start is gone already, so its end is passed on too,
	// never shown to the rewrite as an event of its own (which a fault
	// would then replace or cut, mid-event); it still counts as one, so
	// later events keep the numbers a client sees.
	long    bool
	first   Fired         // where the rewrite first fired, once fired
	delayed time.Duration // pauses added so far (serve shifts its clock by them)

	dripStart time.Time
	dripSent  int64
}

func newFaultWriter(ctx context.Context, rw Rewrite, send func([]byte) error) *faultWriter {
	return &faultWriter{rw: rw, send: send, ctx: ctx, start: time.Now()}
}

// write takes body bytes as they arrive. A non-Continue ending means the
// rewrite ended the response: the caller stops reading and ends it so.
func (f *faultWriter) write(p []byte) (Ending, error) {
	f.buf = append(f.buf, p...)
	for {
		end, ok := f.nextFrame(false)
		if !ok {
			break
		}
		e, err := f.frame(end)
		if e != Continue || err != nil {
			return e, err
		}
	}
	if len(f.buf)-f.off > maxFaultFrame {
		if !f.long {
			f.long = true
			f.events++
		}
		err := f.out(f.buf[f.off:])
		f.off = len(f.buf)
		f.line, f.scan = f.off, f.off
		f.compact()
		return Continue, err
	}
	f.compact()
	return Continue, nil
}

// compact drops the bytes already handled, once per read: frames are
// handled in place, never shifted one by one (a read holding hundreds of
// small events costs one copy of its unread tail).
func (f *faultWriter) compact() {
	if f.off == 0 {
		return
	}
	n := copy(f.buf, f.buf[f.off:])
	f.buf = f.buf[:n]
	f.scan -= f.off
	f.line -= f.off
	f.off = 0
}

// finish is called when the body ended cleanly: a last frame without its
// blank line is still an event, then the rewrite's Finish step.
func (f *faultWriter) finish() (Ending, error) {
	for f.off < len(f.buf) {
		end, ok := f.nextFrame(true)
		if !ok {
			end = len(f.buf)
		}
		e, err := f.frame(end)
		if e != Continue || err != nil {
			return e, err
		}
	}
	at := time.Since(f.start)
	st := f.rw.Finish(f.events, at)
	f.mark(st, true, at)
	return f.step(st)
}

// mark notes where the rewrite first fired: at the current event, or
// after the last one (afterLast: the Finish step).
func (f *faultWriter) mark(st Step, afterLast bool, at time.Duration) {
	if st.Fired && !f.first.Fired {
		f.first = Fired{Fired: true, Event: f.events, AfterLast: afterLast, At: at}
	}
}

// outcome says whether and where the rewrite fired so far.
func (f *faultWriter) outcome() Fired { return f.first }

// nextFrame finds the end of the first frame in buf (just past the blank
// line that ends it). A '\r' as the last byte waits for the next one
// (CRLF split across reads) unless final.
func (f *faultWriter) nextFrame(final bool) (int, bool) {
	b := f.buf
	for i := f.scan; i < len(b); i++ {
		c := b[i]
		if c != '\n' && c != '\r' {
			continue
		}
		next := i + 1
		if c == '\r' {
			if next == len(b) && !final {
				f.scan = i
				return 0, false
			}
			if next < len(b) && b[next] == '\n' {
				next++
			}
		}
		empty := i == f.line
		f.line, f.scan = next, next
		if empty {
			return next, true
		}
		i = next - 1
	}
	f.scan = len(b)
	return 0, false
}

// frame handles the frame buf[off:end].
func (f *faultWriter) frame(end int) (Ending, error) {
	fr := f.buf[f.off:end]
	var st Step
	if f.long {
		f.long = false
		st = Step{Send: fr}
	} else if isEventFrame(fr) {
		f.events++
		at := time.Since(f.start)
		st = f.rw.Event(f.events, fr, at)
		f.mark(st, false, at)
	} else {
		st = Step{Send: fr}
	}
	e, err := f.step(st)
	f.off = end
	f.line, f.scan = max(f.line, end), max(f.scan, end)
	return e, err
}

// isEventFrame reports whether a frame holds a field line (not only
// comments and blank lines).
func isEventFrame(fr []byte) bool {
	for len(fr) > 0 {
		line := fr
		if i := bytes.IndexAny(fr, "\r\n"); i >= 0 {
			line, fr = fr[:i], fr[i+1:]
		} else {
			fr = nil
		}
		if len(line) > 0 && line[0] != ':' {
			return true
		}
	}
	return false
}

// step carries one Step out.
func (f *faultWriter) step(st Step) (Ending, error) {
	if st.Pause > 0 {
		if err := f.pause(st); err != nil {
			return Continue, err
		}
	}
	if len(st.Send) > 0 {
		if err := f.out(st.Send); err != nil {
			return Continue, err
		}
	}
	return st.End, nil
}

// pause waits st.Pause, sending st.Ping every st.PingEvery meanwhile.
func (f *faultWriter) pause(st Step) error {
	f.delayed += st.Pause
	every := st.PingEvery
	if every <= 0 {
		every = time.Second
	}
	until := time.Now().Add(st.Pause)
	for {
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		if st.Ping != nil && d > every {
			d = every
		}
		if err := sleepCtx(f.ctx, d); err != nil {
			return err
		}
		if st.Ping != nil && time.Until(until) > 0 {
			if err := f.out(st.Ping); err != nil {
				return err
			}
		}
	}
}

// out sends b, in slices paced at the rewrite's Rate when it has one.
func (f *faultWriter) out(b []byte) error {
	rate := f.rw.Rate()
	if rate <= 0 {
		return f.send(b)
	}
	if f.dripStart.IsZero() {
		f.dripStart = time.Now()
	}
	piece := max(1, rate/20) // about 20 writes a second
	for len(b) > 0 {
		n := min(piece, len(b))
		due := f.dripStart.Add(time.Duration(float64(f.dripSent) / float64(rate) * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			if err := sleepCtx(f.ctx, d); err != nil {
				return err
			}
		}
		if err := f.send(b[:n]); err != nil {
			return err
		}
		f.dripSent += int64(n)
		b = b[n:]
	}
	return nil
}

// sleepCtx sleeps d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting to send: %w", context.Cause(ctx))
	}
}

// endBy returns a capture's "by" value when it is one midstream writes,
// "" otherwise (an unknown value is treated as absent, never trusted).
func endBy(s string) string {
	switch s {
	case ByUpstream, ByClient, ByMidstream:
		return s
	}
	return ""
}

// rewritable reports whether a response with this status has a stream a
// Rewrite may change: a 2xx. Any other answer (the upstream's own 429,
// a 500, a redirect) passes untouched and is not labelled injected,
// unless the rewrite's Head answered in its place.
//
// A compressed body (Content-Encoding other than identity) is not
// rewritten either: its events cannot be found without decompressing it,
// and midstream forwards bodies as they are.
func rewritable(status int, h http.Header) bool {
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return false
	}
	return status >= 200 && status <= 299
}
