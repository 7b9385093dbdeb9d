package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server answers every request, whatever its method and path, with a
// captured exchange: its status, its headers and its body chunks at their
// recorded pace. It turns a captured failure into a fake endpoint that
// fails the same way again, for the user's code or a maintainer's.
type Server struct {
	// Plan lists the exchanges to answer with, in order: the first
	// request gets Plan[0], the second Plan[1], and so on; past the end
	// every request gets the last one, or the plan starts over with Loop.
	Plan []*Exchange
	// Loop cycles through Plan instead of repeating its last exchange.
	Loop bool
	// Speed scales the recorded pacing: 2 plays twice as fast; 0 means 1.
	Speed float64
	// Instant sends everything at once, ignoring the recorded times.
	Instant bool
	// OnRequest, when set, is called for every request before it is
	// answered, with its 1-based number and the exchange chosen for it.
	OnRequest func(seq int, r *http.Request, x *Exchange)
	// Inject, when set, rewrites the answers it chooses (fault
	// injection); nil serves every capture as it is.
	Inject Injector
	// OnFired, when set, is called once for every request whose answer
	// a rewrite of Inject applied to (not for a captured non-2xx answer
	// served as it is), when that answer ends however it ends (even by
	// an abort), with whether and where the fault fired.
	OnFired func(seq int, r *http.Request, f Fired)

	n  atomic.Int64
	wg sync.WaitGroup
}

// Next returns the exchange that answers request seq (1-based).
func (s *Server) Next(seq int) *Exchange {
	if len(s.Plan) == 0 {
		return nil
	}
	i := seq - 1
	if i >= len(s.Plan) {
		if s.Loop {
			i %= len(s.Plan)
		} else {
			i = len(s.Plan) - 1
		}
	}
	return s.Plan[i]
}

// Requests returns the number of requests seen so far.
func (s *Server) Requests() int { return int(s.n.Load()) }

// Wait blocks until no request is being answered.
func (s *Server) Wait() { s.wg.Wait() }

// maxDrain bounds how much of a request body is read (and thrown away)
// before answering; SDKs send small JSON bodies.
const maxDrain = 64 << 20

// ServeHTTP answers r with the next exchange of the plan.
//
// A capture without a response (a bare SSE body) is served as 200
// text/event-stream. Content-Length and hop-by-hop headers are dropped
// because the body is re-streamed. A capture whose body did not end
// cleanly (reset, timeout, error, cut recording) is served as an aborted
// connection after its recorded bytes, at the time it ended, so that a
// client's read or idle timeout fires as it did then; one whose client
// hung up after the upstream had said everything is served clean (see
// ServedClean). With Inject, the answer passes through the request's
// Rewrite.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	seq := int(s.n.Add(1))
	x := s.Next(seq)
	if s.OnRequest != nil {
		s.OnRequest(seq, r, x)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
	if x == nil {
		http.Error(w, "midstream serve: nothing to serve", http.StatusInternalServerError)
		return
	}
	if err := CheckServable(x); err != nil {
		// Refused at load by the command; a plan built elsewhere is
		// still never sent as it is.
		http.Error(w, "midstream serve: capture cannot be served: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var rw Rewrite
	if s.Inject != nil {
		rw = s.Inject.For(seq, r, x)
	}
	ctx := r.Context()
	start := time.Now()
	clean := ServedClean(x)

	// The upstream never answered (refused, DNS, TLS, …): neither do we.
	neverAnswered := x.Response == nil && !clean && x.ChunkCount() == 0
	if neverAnswered && rw == nil {
		s.abortAt(ctx, start, x.End.At)
	}
	status, ok := s.setHeader(ctx, w, x, start)
	if !ok {
		return
	}
	if rw != nil {
		var answered bool
		if rw, answered = s.head(w, x, rw, status, seq, r); answered {
			return
		}
		if neverAnswered {
			// Only an answer in the response's place (a status fault)
			// could stand where the upstream said nothing: any other
			// fault has no stream to change, and never fires.
			s.fired(seq, r, Fired{})
			s.abortAt(ctx, start, x.End.At)
		}
	}
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		if rw != nil {
			s.fired(seq, r, Fired{})
		}
		return
	}
	if rw != nil {
		s.serveRewritten(ctx, w, rc, x, rw, start, clean, seq, r)
		return
	}
	err := x.EachChunk(func(c Chunk) error {
		if !s.sleepUntil(ctx, start, c.At) {
			return errGone
		}
		return writeFlush(w, rc, c.Data)
	})
	if err != nil {
		return
	}
	if !s.sleepUntil(ctx, start, x.End.At) {
		return
	}
	if !clean {
		panic(http.ErrAbortHandler)
	}
}

// setHeader sets the captured response's headers on w (a bare SSE body's
// when it has none) and waits until the time they came; it returns the
// status to send, and false when the client went away meanwhile.
func (s *Server) setHeader(ctx context.Context, w http.ResponseWriter, x *Exchange, start time.Time) (int, bool) {
	if x.Response == nil {
		w.Header().Set("Content-Type", "text/event-stream")
		return http.StatusOK, true
	}
	status := http.StatusOK
	if x.Response.Status > 0 {
		status = x.Response.Status
	}
	copyEndToEnd(w.Header(), x.Response.Header)
	w.Header().Del("Content-Length")
	return status, s.sleepUntil(ctx, start, x.Response.At)
}

// errGone stops a replay whose client went away.
var errGone = errors.New("client gone")

// writeFlush writes b to the client and flushes it.
func writeFlush(w http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return errGone
	}
	if rc.Flush() != nil {
		return errGone
	}
	return nil
}

// writeAnswer sends a rewrite's whole answer.
func writeAnswer(w http.ResponseWriter, a *Answer) {
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	for k, v := range a.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Set("Content-Length", strconv.Itoa(len(a.Body)))
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// serveRewritten replays x's body through rw, at the recorded pace
// shifted by any pause the rewrite added, ends the response as the
// rewrite or the capture (clean: ServedClean(x), already read once for
// this request) says, and reports request seq's outcome to OnFired.
func (s *Server) serveRewritten(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, x *Exchange, rw Rewrite, start time.Time, clean bool, seq int, r *http.Request) {
	fw := newFaultWriter(ctx, rw, func(b []byte) error { return writeFlush(w, rc, b) })
	// Deferred: the answer may end in a panic (an abort).
	defer func() { s.fired(seq, r, fw.outcome()) }()
	ending := Continue
	err := x.EachChunk(func(c Chunk) error {
		if !s.sleepUntil(ctx, start.Add(fw.delayed), c.At) {
			return errGone
		}
		e, err := fw.write(c.Data)
		if err != nil {
			return err
		}
		if ending = e; e != Continue {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return
	}
	if ending == Continue {
		if !s.sleepUntil(ctx, start.Add(fw.delayed), x.End.At) {
			return
		}
		if !clean {
			// The capture's own failure ends it before any Finish: the
			// upstream's stream never ended cleanly.
			panic(http.ErrAbortHandler)
		}
		if ending, err = fw.finish(); err != nil {
			return
		}
	}
	endResponse(w, rc, ending)
}

// head calls rw's Head: when it answers in place of the response, head
// sends that answer and reports true; otherwise it returns the rewrite
// to apply, nil for a captured error (or compressed) answer, which is
// served as it is.
func (s *Server) head(w http.ResponseWriter, x *Exchange, rw Rewrite, status, seq int, r *http.Request) (Rewrite, bool) {
	if a := rw.Head(x, status, w.Header()); a != nil {
		s.fired(seq, r, Fired{Fired: true}) // in place of the response: event 0
		writeAnswer(w, a)
		return nil, true
	}
	if !rewritable(status, w.Header()) {
		return nil, false
	}
	return rw, false
}

// fired reports a rewritten answer's outcome to OnFired.
func (s *Server) fired(seq int, r *http.Request, f Fired) {
	if s.OnFired != nil {
		s.OnFired(seq, r, f)
	}
}

// errStop stops a replay the rewrite ended.
var errStop = errors.New("stopped by the rewrite")

// endResponse ends a response the way a rewrite said: returning (clean),
// aborting the handler, or resetting the connection.
func endResponse(w http.ResponseWriter, rc *http.ResponseController, e Ending) {
	switch e {
	case EndAbort:
		panic(http.ErrAbortHandler)
	case EndResetConn:
		_ = rc.Flush()
		conn, brw, err := rc.Hijack()
		if err != nil {
			// HTTP/2: no connection to take over; reset the stream.
			panic(http.ErrAbortHandler)
		}
		_ = brw.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			// SO_LINGER 0: close sends a RST, discarding unsent data,
			// the way a crashed server or a load balancer drops a peer.
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// abortAt aborts the connection at at (scaled by Speed) after start,
// without a response: a capture whose upstream never answered.
func (s *Server) abortAt(ctx context.Context, start time.Time, at time.Duration) {
	s.sleepUntil(ctx, start, at)
	panic(http.ErrAbortHandler)
}

// sleepUntil waits until at (scaled by Speed) after start, unless Instant.
// It reports false when the client went away meanwhile.
func (s *Server) sleepUntil(ctx context.Context, start time.Time, at time.Duration) bool {
	if s.Instant || at <= 0 {
		return ctx.Err() == nil
	}
	speed := s.Speed
	if speed <= 0 {
		speed = 1
	}
	d := time.Until(start.Add(time.Duration(float64(at) / speed)))
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// CheckServable says why x cannot be served as captured, nil if it can: a
// header name or value holding control bytes (C0 other than tab, or DEL),
// which would reach the client as they are, or an informational (1xx)
// status, which is not a final answer (101 would leave the client waiting
// on a protocol switch, 100 and 103 would be sent as 200), or a status
// net/http cannot write.
func CheckServable(x *Exchange) error {
	if x.Response == nil {
		return nil
	}
	switch st := x.Response.Status; {
	case st >= 100 && st < 200:
		return fmt.Errorf("status %d is informational (1xx), not a final response; serve cannot answer with it", st)
	case st != 0 && (st < 100 || st > 999):
		return fmt.Errorf("status %d is not a valid HTTP status", st)
	}
	names := make([]string, 0, len(x.Response.Header))
	for name := range x.Response.Header {
		names = append(names, name)
	}
	sort.Strings(names) // the same header named every time
	for _, name := range names {
		if hasControl(name) {
			return fmt.Errorf("header name %q holds control bytes", name)
		}
		for _, v := range x.Response.Header[name] {
			if hasControl(v) {
				return fmt.Errorf("header %q holds control bytes", name)
			}
		}
	}
	return nil
}

// hasControl reports whether s holds a C0 control byte other than tab, or
// DEL.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}
