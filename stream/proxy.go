package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is a recording reverse proxy for streaming APIs. Requests go to
// Upstream unchanged (method, path, query, headers including the key, and
// body); response bytes go back to the client unmodified, each read flushed
// as soon as it arrives, and every exchange is recorded as it happens.
//
// An upstream that fails mid-stream is passed on as an aborted connection,
// never as a clean end, so the client sees what it would have seen without
// the proxy. A client that disconnects cancels the upstream request.
type Proxy struct {
	// Upstream is the base URL requests are forwarded to; its path, if
	// any, prefixes the request path.
	Upstream *url.URL
	// Transport makes the upstream requests; nil means NewTransport().
	Transport http.RoundTripper
	// Open, when set, returns the sink that records exchange seq, the
	// name to report for it (a file path) and a function that closes it.
	// See DirCaptures.
	Open func(seq int, x *Exchange) (sink CaptureSink, name string, done func() error, err error)
	// Feed, when set, receives every step of every exchange.
	Feed *Feed
	// OnDone, when set, is called once per exchange after its capture was
	// closed, with the capture's name and any recording error. It runs on
	// the exchange's goroutine: keep it short.
	OnDone func(x *Exchange, capture string, err error)
	// Inject, when set, rewrites the responses it chooses as they pass
	// (fault injection); the capture then records what the client
	// received and names the fault (Exchange.Injected).
	Inject Injector

	seq      atomic.Int64
	wg       sync.WaitGroup
	initOnce sync.Once
	stopCtx  context.Context
	stop     context.CancelFunc
	rtOnce   sync.Once
	rt       http.RoundTripper
}

func (p *Proxy) init() {
	p.initOnce.Do(func() { p.stopCtx, p.stop = context.WithCancel(context.Background()) })
}

func (p *Proxy) transport() http.RoundTripper {
	p.rtOnce.Do(func() {
		p.rt = p.Transport
		if p.rt == nil {
			p.rt = NewTransport()
		}
	})
	return p.rt
}

// Stop cancels every exchange in flight (each is recorded as cancelled by
// the shutdown and its client sees an aborted connection); exchanges that
// start later are refused with 503. Wait then returns once all captures
// are closed.
func (p *Proxy) Stop() {
	p.init()
	p.stop()
}

// Wait blocks until no exchange is in flight.
func (p *Proxy) Wait() { p.wg.Wait() }

// ServeHTTP forwards one request and streams its response back.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.init()
	p.wg.Add(1)
	defer p.wg.Done()
	if p.stopCtx.Err() != nil {
		http.Error(w, "midstream proxy: shutting down", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	unhook := context.AfterFunc(p.stopCtx, func() { cancel(ErrShutdown) })
	defer unhook()

	ex, out, err := p.start(ctx, cancel, w, r)
	if err != nil {
		http.Error(w, "midstream proxy: "+err.Error(), http.StatusBadRequest)
		return
	}
	if p.Inject != nil {
		ex.rewrite = p.Inject.For(ex.seq, r, ex.x)
	}
	ex.open()
	defer ex.finish(errors.New("the proxy's handler failed")) // only if nothing else ended it

	resp, err := p.transport().RoundTrip(out)
	if err != nil {
		ex.gatewayError(err)
		return
	}
	defer resp.Body.Close()
	if !ex.respond(resp) {
		return
	}
	ex.copyBody(resp)
}

// proxyExchange is one exchange in flight through the proxy: what the
// steps of ServeHTTP share.
type proxyExchange struct {
	p        *Proxy
	seq      int
	w        http.ResponseWriter
	r        *http.Request
	ctx      context.Context
	cancel   context.CancelCauseFunc
	x        *Exchange
	tee      *teeBody // the request body as it streams up; nil for none
	rec      *recorder
	name     string       // the capture's name
	done     func() error // closes the capture; nil for none
	openErr  error
	finished bool
	rewrite  Rewrite // the injected fault; nil for none (see inject_proxy.go)
}

// start numbers the exchange and builds the upstream request for r and
// the exchange that records it (its request sent as out).
func (p *Proxy) start(ctx context.Context, cancel context.CancelCauseFunc, w http.ResponseWriter, r *http.Request) (*proxyExchange, *http.Request, error) {
	seq := int(p.seq.Add(1))
	started := time.Now()
	// The client's body streams to the upstream as it arrives, teed into
	// a spool for the capture: never read whole first (a 1 GiB upload
	// must not cost 1 GiB, nor wait for its last byte to start going).
	reqSpool := NewSpool()
	var tee *teeBody
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		tee = &teeBody{r: r.Body, spool: reqSpool, t0: started}
		// The transport reads the body on its own goroutine, possibly
		// still while the response is forwarded. Go's HTTP/1 server would
		// otherwise consume and close an unread body as soon as the
		// response starts, cutting the upload (and with it the upstream
		// connection). HTTP/2 is full duplex already and says so here.
		_ = http.NewResponseController(w).EnableFullDuplex()
	}
	out, err := p.outgoing(ctx, r, tee)
	if err != nil {
		return nil, nil, err
	}
	sentHeader := out.Header.Clone()
	if ua := sentHeader["User-Agent"]; len(ua) == 1 && ua[0] == "" {
		delete(sentHeader, "User-Agent") // our "send none" marker, not a header
	}
	x := &Exchange{
		Source:  fmt.Sprintf("proxy#%d", seq),
		Format:  FormatJSONL,
		Started: started,
		Request: &Request{Method: out.Method, URL: out.URL.String(), Proto: r.Proto, Header: sentHeader, Spool: reqSpool},
	}
	return &proxyExchange{p: p, seq: seq, w: w, r: r, ctx: ctx, cancel: cancel, x: x, tee: tee}, out, nil
}

// open opens the exchange's capture and starts recording it. A capture
// that cannot be opened does not stop the exchange: the error is
// reported when it ends.
func (ex *proxyExchange) open() {
	var sink CaptureSink
	if ex.p.Open != nil {
		sink, ex.name, ex.done, ex.openErr = ex.p.Open(ex.seq, ex.x)
	}
	ex.rec = newRecorder(ex.seq, ex.x, sink, ex.p.Feed)
}

// finish records the end and closes the capture off the data path: the
// client's response completes (or aborts) when the handler returns, and
// must not wait for an fsync or a diagnosis. Only the first call counts.
func (ex *proxyExchange) finish(cause error) {
	if ex.finished {
		return
	}
	ex.finished = true
	at := ex.rec.since()
	p := ex.p
	p.wg.Add(1) // the handler holds a count, so Wait cannot miss this one
	go func() {
		defer p.wg.Done()
		ex.rec.endAt(cause, at)
		err := errors.Join(ex.openErr, ex.rec.err)
		if ex.done != nil {
			err = errors.Join(err, ex.done())
		}
		if p.OnDone != nil {
			p.OnDone(ex.x, ex.name, err)
		}
	}()
}

// why says why an upstream call failed with err (see Proxy.cause).
func (ex *proxyExchange) why(err error) error { return ex.p.cause(ex.ctx, ex.r, err) }

// gatewayError ends an exchange whose upstream never answered.
func (ex *proxyExchange) gatewayError(err error) {
	cause := ex.why(err)
	if ex.r.Context().Err() == nil {
		// The upstream never answered: say so as a gateway error, the
		// way any reverse proxy does, with the classified reason.
		_, text := ClassifyTransportError(cause)
		h := ex.w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Midstream-Error", text)
		ex.w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(ex.w, "midstream proxy: upstream %s: %s\n", RedactURL(ex.p.Upstream.String()), text)
	}
	ex.finish(cause)
}

// respond passes the response headers on and records them; false if the
// client is gone (the exchange is then finished).
func (ex *proxyExchange) respond(resp *http.Response) bool {
	if ex.tee != nil {
		ex.x.Notes = append(ex.x.Notes, ex.tee.notes(ex.r.ContentLength)...)
	}
	if ex.rewrite != nil {
		return ex.respondRewritten(resp)
	}
	copyEndToEnd(ex.w.Header(), resp.Header)
	return ex.sendHeader(resp)
}

// sendHeader sends resp's status line and the headers already set on the
// client's side, flushed at once, and records the response; false when
// the client is gone (the exchange is then over).
func (ex *proxyExchange) sendHeader(resp *http.Response) bool {
	ex.w.WriteHeader(resp.StatusCode)
	flushErr := http.NewResponseController(ex.w).Flush()
	ex.rec.response(resp)
	if flushErr != nil {
		ex.cancel(ErrClientGone)
		ex.finish(ErrClientGone)
		return false
	}
	return true
}

// copyBody forwards the response body read by read, each flushed to the
// client as soon as it arrived, and records it.
//
// Why one write and flush per read is enough coalescing: the transport's
// body reader returns, in one read, everything its 64 KiB buffer already
// holds (it stops early only where it would otherwise block), so events
// that queued while the proxy was busy go to the client in one write,
// and a lone event is never held back waiting for a next one.
func (ex *proxyExchange) copyBody(resp *http.Response) {
	if ex.rewrite != nil {
		ex.copyRewritten(resp)
		return
	}
	// A 204, a 304 or the answer to a HEAD has no body for the client;
	// whatever an upstream sends anyway is still recorded.
	toClient := bodyAllowed(resp.StatusCode) && ex.r.Method != http.MethodHead
	rc := http.NewResponseController(ex.w)
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			// The client first, the capture second: recording must not
			// delay a byte the client is waiting for. Recording on this
			// goroutine (not handed to another) costs no wake-up per
			// read, and while it runs the next events queue up to be
			// forwarded together.
			var werr error
			if toClient {
				if _, werr = ex.w.Write(buf[:n]); werr == nil {
					werr = rc.Flush()
				}
			}
			ex.rec.chunk(buf[:n])
			if werr != nil {
				ex.cancel(ErrClientGone)
				ex.finish(ErrClientGone)
				return
			}
		}
		if rerr == io.EOF {
			ex.finish(nil)
			return
		}
		if rerr != nil {
			cause := ex.why(rerr)
			ex.finish(cause)
			if errors.Is(cause, ErrClientGone) {
				return
			}
			// Hand the failure on: abort the client's connection after
			// the bytes that arrived, so it cannot mistake a broken
			// stream for a complete one.
			panic(http.ErrAbortHandler)
		}
	}
}

// readBufs holds the 32 KiB buffers the proxy reads response bodies
// into: nothing keeps a buffer past its read (the spool and the sink copy
// or encode it, the feed gets a clone), so one can serve the next exchange
// instead of being garbage after each.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// bodyAllowed reports whether a response with this status may carry a
// body (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// cause says why an upstream call on ctx failed with err: the proxy's own
// shutdown, the client going away, or err itself.
func (p *Proxy) cause(ctx context.Context, r *http.Request, err error) error {
	if ctx.Err() == nil {
		return err
	}
	c := context.Cause(ctx)
	if errors.Is(c, ErrShutdown) || errors.Is(c, ErrClientGone) {
		return c
	}
	if r.Context().Err() != nil {
		return ErrClientGone
	}
	return causeOf(ctx, err)
}

// outgoing builds the upstream request for r, with body (nil for none)
// as its body.
func (p *Proxy) outgoing(ctx context.Context, r *http.Request, body *teeBody) (*http.Request, error) {
	if p.Upstream == nil {
		return nil, errors.New("no upstream configured")
	}
	u := *p.Upstream
	u.RawQuery, u.Fragment = r.URL.RawQuery, ""
	u.Path = strings.TrimRight(p.Upstream.Path, "/") + r.URL.Path
	u.RawPath = ""
	if p.Upstream.RawPath != "" || r.URL.RawPath != "" {
		u.RawPath = strings.TrimRight(p.Upstream.EscapedPath(), "/") + r.URL.EscapedPath()
	}
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), http.NoBody)
	if err != nil {
		return nil, err
	}
	if body != nil {
		// The client's framing goes on: a known length as Content-Length,
		// an unknown one (-1) as chunked.
		out.Body, out.ContentLength, out.GetBody = body, r.ContentLength, noReplay
	}
	copyEndToEnd(out.Header, r.Header)
	if _, ok := r.Header["User-Agent"]; !ok {
		// Present but empty: Go then sends no User-Agent instead of its
		// own, so the upstream sees the client's headers and no others.
		out.Header["User-Agent"] = []string{""}
	}
	return out, nil
}

// CaptureFlushDelay is how long a chunk line recorded by DirCaptures may
// wait before it is written to its file (see NewBatchedCaptureWriter).
var CaptureFlushDelay = 10 * time.Millisecond

// DirCaptures returns a Proxy.Open that records each exchange to its own
// new JSONL file in dir (created if needed), named after its start time
// and sequence number, e.g. 20261125T191634.123Z-0001.jsonl, opened with
// CreateNew (mode 0600, never through a link). A capture that could not be
// written at all is removed rather than left empty; its write error was
// already returned by the sink, so done reports only a failure to close.
func DirCaptures(dir string) func(seq int, x *Exchange) (CaptureSink, string, func() error, error) {
	return func(seq int, x *Exchange) (CaptureSink, string, func() error, error) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", nil, err
		}
		o, err := CreateNew(filepath.Join(dir, captureFileName(x.Started, seq)))
		if err != nil {
			return nil, "", nil, err
		}
		done := func() error {
			if err := o.Commit(); err != nil && o.Err() == nil {
				return err
			}
			return nil
		}
		return NewBatchedCaptureWriter(o, CaptureFlushDelay), o.Name(), done, nil
	}
}

// captureFileName is the file name of exchange seq started at t.
func captureFileName(t time.Time, seq int) string {
	return fmt.Sprintf("%s-%04d.jsonl", t.UTC().Format("20060102T150405.000Z"), seq)
}
