package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// LiveOptions configure Live.
type LiveOptions struct {
	// Transport makes the request; nil means NewTransport().
	Transport http.RoundTripper
	// Timeout bounds the whole exchange; 0 means none.
	Timeout time.Duration
	// IdleTimeout bounds every wait for the server: for the response
	// headers and between two body reads; 0 means none.
	IdleTimeout time.Duration
	// Feed, when set, receives every step as it happens.
	Feed *Feed
	// Sink, when set, records the exchange (a *CaptureWriter).
	Sink CaptureSink
	// Seq numbers the exchange in the feed (0 means 1).
	Seq int
	// Source names the exchange, e.g. "live".
	Source string
}

// NewTransport returns the transport midstream uses upstream: the default
// one, but never asking for compression on its own. Go's transport would
// otherwise add "Accept-Encoding: gzip" and gunzip the body behind our
// back, so the bytes recorded would not be the bytes sent.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true
	t.MaxIdleConnsPerHost = 64
	// A stream that arrives faster than it is forwarded is read in reads
	// of up to this much rather than the default 4 KiB: fewer system
	// calls (and chunks) per event exactly when the proxy is busiest.
	t.ReadBufferSize = 64 << 10
	return t
}

// Live sends req and records its response as it streams: every body read
// becomes a Chunk with its arrival time, published to opt.Feed and written
// to opt.Sink as it arrives. Transport faults (DNS, refused, TLS, reset,
// timeouts, cancellation through ctx) are not errors: they end up in the
// returned exchange's End, classified by ClassifyTransportError. The error
// is for a request that cannot be made at all, or a capture that could not
// be written.
func Live(ctx context.Context, req *Request, opt LiveOptions) (*Exchange, error) {
	if opt.Seq == 0 {
		opt.Seq = 1
	}
	rt := opt.Transport
	if rt == nil {
		rt = NewTransport()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if opt.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, opt.Timeout, ErrTotalTimeout)
		defer stop()
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	hreq.Header = req.Header.Clone()
	if hreq.Header == nil {
		hreq.Header = http.Header{}
	}
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
		hreq.Header.Del("Host")
	}
	if req.Proto == "" {
		req.Proto = "HTTP/1.1"
	}

	x := &Exchange{Source: opt.Source, Format: FormatJSONL, Request: req}
	if x.Source == "" {
		x.Source = "live"
	}
	rec := newRecorder(opt.Seq, x, opt.Sink, opt.Feed)

	idle := newIdleTimer(opt.IdleTimeout, cancel)
	defer idle.stop()

	resp, err := rt.RoundTrip(hreq)
	if err != nil {
		rec.end(causeOf(ctx, err))
		return x, rec.err
	}
	defer resp.Body.Close()
	// The request went over the protocol the response came back on
	// (HTTP/2 when the server negotiated it), not the HTTP/1.1 assumed
	// above.
	if resp.Proto != "" {
		req.Proto = resp.Proto
	}
	rec.response(resp)
	idle.reset()

	buf := make([]byte, 32<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		idle.reset()
		if n > 0 {
			rec.chunk(buf[:n])
		}
		if rerr != nil {
			rec.end(causeOf(ctx, rerr))
			break
		}
	}
	return x, rec.err
}

// idleTimer cancels a request when the server says nothing for too long.
type idleTimer struct {
	mu sync.Mutex
	d  time.Duration
	t  *time.Timer
}

func newIdleTimer(d time.Duration, cancel context.CancelCauseFunc) *idleTimer {
	it := &idleTimer{d: d}
	if d > 0 {
		it.t = time.AfterFunc(d, func() { cancel(ErrIdleTimeout) })
	}
	return it
}

func (it *idleTimer) reset() {
	if it.t != nil {
		it.t.Reset(it.d)
	}
}

func (it *idleTimer) stop() {
	if it.t != nil {
		it.t.Stop()
	}
}

// AnthropicVersion is the anthropic-version header midstream sends.
const AnthropicVersion = "2023-06-01"

// AnthropicRequest returns a streaming Messages API request: POST
// {base}/v1/messages with the key in x-api-key.
func AnthropicRequest(base, key, model, prompt string, maxTokens int) *Request {
	body, _ := json.Marshal(map[string]any{
		"model":      model,
		"max_tokens": maxTokens,
		"stream":     true,
		"messages":   []map[string]string{{"role": "user", "content": prompt}},
	})
	h := http.Header{}
	h.Set("x-api-key", key)
	h.Set("anthropic-version", AnthropicVersion)
	h.Set("content-type", "application/json")
	h.Set("accept", "text/event-stream")
	return &Request{Method: http.MethodPost, URL: joinURL(base, "/v1/messages"), Header: h, Body: body}
}

// OpenAIChatRequest returns a streaming Chat Completions request: POST
// {base}/chat/completions with the key as a bearer token. base includes
// the version, as OPENAI_BASE_URL does ("https://api.openai.com/v1").
func OpenAIChatRequest(base, key, model, prompt string, maxTokens int) *Request {
	body, _ := json.Marshal(map[string]any{
		"model":                 model,
		"max_completion_tokens": maxTokens,
		"stream":                true,
		"messages":              []map[string]string{{"role": "user", "content": prompt}},
	})
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	h.Set("content-type", "application/json")
	h.Set("accept", "text/event-stream")
	return &Request{Method: http.MethodPost, URL: joinURL(base, "/chat/completions"), Header: h, Body: body}
}

// joinURL appends path to base without doubling or losing the slash.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}
