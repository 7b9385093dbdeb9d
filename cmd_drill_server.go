package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/midstreamhq/midstream/internal/drillcaps"
	"github.com/midstreamhq/midstream/stream"
)

// attempt is what the drill server knows about one request of a run:
// which dialect answered it, which fault (if any) rewrote it, and whether
// the whole answer went out. These facts, not CMD's output, decide a
// row's verdict.
type attempt struct {
	Seq     int    // 1-based, over the whole run
	Dialect string // "anthropic", "openai-chat", …; "capture" with --capture; "" when no stream fits the path
	Fault   string // the rewrite's name (Rewrite.Name), "" for a clean answer
	// Complete: a 2xx answer that was not aborted and whose bytes up to
	// the final blank line were all written (see ServeHTTP for why the
	// blank line is spared).
	Complete bool
	// Full: Complete, and the answer was the clean capture itself (no
	// fault rewrote it).
	Full bool
	// Fired says whether and where the fault changed this attempt, as
	// the rewrite itself signalled it (stream.Server.OnFired); nil when
	// no fault was applied. A fault that never fired found nothing to
	// break (error@9 of a 6-event stream, stall@9 too).
	Fired *stream.Fired
}

// drillRun serves the requests of one run of CMD. Each run gets fresh
// stream.Servers, so request numbers (and the injector's attempts) start
// at 1 for every run; one stream.Server per dialect, so an app that
// calls two APIs gets a first attempt on each.
type drillRun struct {
	fixed    *stream.Exchange            // --capture; nil: the built-ins by path
	builtins map[string]*stream.Exchange // by dialect name
	inject   func() stream.Injector      // a new injector per stream.Server; nil for the control run

	mu       sync.Mutex
	servers  map[string]*stream.Server
	attempts []*attempt
}

// newDrillRun returns a run serving fixed (or the built-ins) with the
// faults newInjector makes (nil: none).
func newDrillRun(fixed *stream.Exchange, builtins map[string]*stream.Exchange, newInjector func() stream.Injector) *drillRun {
	return &drillRun{fixed: fixed, builtins: builtins, inject: newInjector, servers: map[string]*stream.Server{}}
}

// attemptKey carries a request's *attempt to the recording injector.
type attemptKey struct{}

// recordingInjector passes the run's injector through and notes in the
// request's attempt the name of the rewrite it chose.
type recordingInjector struct {
	inner stream.Injector
	mu    *sync.Mutex // the run's: attempts are read by the report
}

// For implements stream.Injector.
func (ri recordingInjector) For(seq int, r *http.Request, x *stream.Exchange) stream.Rewrite {
	rw := ri.inner.For(seq, r, x)
	if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok && rw != nil {
		ri.mu.Lock()
		a.Fault = rw.Name()
		ri.mu.Unlock()
	}
	return rw
}

// pick returns the dialect and the clean exchange that answer path.
func (d *drillRun) pick(path string) (string, *stream.Exchange) {
	if d.fixed != nil {
		return "capture", d.fixed
	}
	name := drillcaps.ForPath(path)
	return name, d.builtins[name]
}

// server returns the run's stream.Server for dialect, made on first use.
func (d *drillRun) server(dialect string, x *stream.Exchange) *stream.Server {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.servers[dialect]; ok {
		return s
	}
	s := &stream.Server{Plan: []*stream.Exchange{x}, Instant: true}
	if d.inject != nil {
		s.Inject = recordingInjector{d.inject(), &d.mu}
		s.OnFired = func(_ int, r *http.Request, f stream.Fired) {
			if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok {
				d.mu.Lock()
				a.Fired = &f
				d.mu.Unlock()
			}
		}
	}
	d.servers[dialect] = s
	return s
}

// ServeHTTP answers one request of the run and records its attempt.
func (d *drillRun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dialect, x := d.pick(r.URL.Path)
	a := &attempt{Dialect: dialect}
	d.mu.Lock()
	d.attempts = append(d.attempts, a)
	a.Seq = len(d.attempts)
	d.mu.Unlock()
	if x == nil {
		// Not a streaming endpoint drill knows (a models list, token
		// counting…): an honest 404 in the shape SDKs parse.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"type":"error","error":{"type":"not_found_error","message":"midstream drill serves only streaming endpoints (…/messages, …/chat/completions, …/responses, …:streamGenerateContent)"}}`)
		return
	}
	srv := d.server(dialect, x)
	cw := &countingWriter{ResponseWriter: w}
	r = r.WithContext(context.WithValue(r.Context(), attemptKey{}, a))
	aborted := true
	defer func() {
		// The server aborts a connection by panicking with
		// http.ErrAbortHandler; record the attempt, then let it go on.
		// Why not "every byte written and the client still there":
		// clients hang up as soon as they read the terminator (openai-go
		// right after "data: [DONE]", before its blank line), and under
		// drip the blank line is still to come; everything but the
		// final blank line is the whole answer to a client.
		complete := !aborted && cw.status < 300 && cw.n >= x.BodyLen()-trailingBlank(x)
		d.mu.Lock()
		a.Complete = complete
		a.Full = complete && a.Fault == ""
		d.mu.Unlock()
	}()
	srv.ServeHTTP(cw, r)
	aborted = false
}

// Wait blocks until every request of the run has been answered.
func (d *drillRun) Wait() {
	d.mu.Lock()
	servers := make([]*stream.Server, 0, len(d.servers))
	for _, s := range d.servers {
		servers = append(servers, s)
	}
	d.mu.Unlock()
	for _, s := range servers {
		s.Wait()
	}
}

// Attempts returns a copy of the run's attempts, in arrival order.
func (d *drillRun) Attempts() []attempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]attempt, len(d.attempts))
	for i, a := range d.attempts {
		out[i] = *a
	}
	return out
}

// trailingBlank returns how many line-end bytes (CR, LF) end x's body:
// the blank line that closes its last event.
func trailingBlank(x *stream.Exchange) int64 {
	n := x.BodyLen()
	if n == 0 {
		return 0
	}
	var tail [4]byte
	off := max(n-int64(len(tail)), 0)
	got, _ := x.ReadBodyAt(tail[:n-off], off)
	k := int64(0)
	for i := got - 1; i >= 0 && (tail[i] == '\n' || tail[i] == '\r'); i-- {
		k++
	}
	return k
}

// countingWriter counts the body bytes written and notes the status;
// Unwrap lets http.ResponseController reach the real writer's Flush.
type countingWriter struct {
	http.ResponseWriter
	n      int64
	status int
}

// WriteHeader records the status.
func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

// Write counts p.
func (c *countingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Unwrap returns the wrapped writer (for http.ResponseController).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
