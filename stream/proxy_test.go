package stream

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

const canaryKey = "sk-ant-api03-CANARY-proxy-0123456789abcdefXYZ"

// finished is what Proxy.OnDone reported for one exchange.
type finished struct {
	x       *Exchange
	capture string
	err     error
}

// proxyEnv is an upstream, a recording proxy in front of it and a client.
type proxyEnv struct {
	up     *httptest.Server
	p      *Proxy
	srv    *httptest.Server
	done   chan finished
	client *http.Client
	tr     *http.Transport // the client's
	ptr    *http.Transport // the proxy's, upstream
}

func newProxyEnv(t testing.TB, upstream http.Handler) *proxyEnv {
	t.Helper()
	e := &proxyEnv{done: make(chan finished, 1000)}
	if upstream != nil {
		e.up = httptest.NewServer(upstream)
		e.up.Config.ErrorLog = quietLog()
	}
	target := "http://127.0.0.1:1"
	if e.up != nil {
		target = e.up.URL
	}
	return e.start(t, target)
}

func (e *proxyEnv) start(t testing.TB, target string) *proxyEnv {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	e.ptr = NewTransport()
	e.p = &Proxy{Upstream: u, Transport: e.ptr, Open: DirCaptures(t.TempDir()),
		OnDone: func(x *Exchange, c string, err error) { e.done <- finished{x, c, err} }}
	e.srv = httptest.NewUnstartedServer(e.p)
	e.srv.Config.ErrorLog = quietLog()
	e.srv.Start()
	e.tr = &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 200}
	e.client = &http.Client{Transport: e.tr}
	return e
}

// close stops everything, waiting for the proxy's handlers first.
func (e *proxyEnv) close(t testing.TB) {
	t.Helper()
	e.tr.CloseIdleConnections()
	waitOrFail(t, e.p.Wait, 5*time.Second, "proxy handlers still running")
	e.srv.Close()
	if e.up != nil {
		e.up.Close()
	}
	e.ptr.CloseIdleConnections()
}

// next returns the next finished exchange.
func (e *proxyEnv) next(t testing.TB) finished {
	t.Helper()
	select {
	case f := <-e.done:
		if f.err != nil {
			t.Errorf("recording %s: %v", f.capture, f.err)
		}
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no exchange finished within 5s")
		return finished{}
	}
}

func waitOrFail(t testing.TB, f func(), d time.Duration, msg string) {
	t.Helper()
	ch := make(chan struct{})
	go func() { f(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s after %v", msg, d)
	}
}

// readCapture reads the one exchange of a capture file, and its raw bytes.
func readCapture(t testing.TB, path string) (*Exchange, []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	xs, err := ReadFile(path)
	if err != nil {
		t.Fatalf("capture %s does not read: %v", path, err)
	}
	if len(xs) != 1 {
		t.Fatalf("capture %s holds %d exchanges, want 1", path, len(xs))
	}
	return xs[0], raw
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestProxyPassesRequestAndResponseUnchanged(t *testing.T) {
	sse := sseEvent("message_start", `{"type":"message_start"}`) + sseEvent("message_stop", `{"type":"message_stop"}`)
	gz := gzipped(t, []byte(sse))
	reqBody := `{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		checks := map[string][2]string{
			"method":          {r.Method, "POST"},
			"path":            {r.URL.Path, "/v1/messages"},
			"query":           {r.URL.RawQuery, "beta=true"},
			"x-api-key":       {r.Header.Get("X-Api-Key"), canaryKey},
			"user-agent":      {r.UserAgent(), "Anthropic/Go 2.15.0"},
			"accept-encoding": {r.Header.Get("Accept-Encoding"), "gzip"},
			"x-forwarded-for": {r.Header.Get("X-Forwarded-For"), ""},
			"body":            {string(b), reqBody},
		}
		for k, v := range checks {
			if v[0] != v[1] {
				t.Errorf("upstream got %s %q, want %q", k, v[0], v[1])
			}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Request-Id", "req_unchanged")
		w.Write(gz)
	}))
	defer env.close(t)

	req, _ := http.NewRequest("POST", env.srv.URL+"/v1/messages?beta=true", strings.NewReader(reqBody))
	req.Header.Set("X-Api-Key", canaryKey)
	req.Header.Set("User-Agent", "Anthropic/Go 2.15.0")
	req.Header.Set("X-Stainless-Lang", "go")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := env.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, gz) {
		t.Errorf("client got %d bytes, want the upstream's %d gzip bytes unmodified", len(got), len(gz))
	}
	if resp.Header.Get("Request-Id") != "req_unchanged" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("response headers not passed on: %v", resp.Header)
	}

	f := env.next(t)
	x, raw := readCapture(t, f.capture)
	if bytes.Contains(raw, []byte(canaryKey)) || bytes.Contains(raw, []byte("CANARY-proxy")) {
		t.Errorf("capture %s holds the API key", f.capture)
	}
	if !bytes.Equal(x.Body(), gz) {
		t.Errorf("capture body differs from what the client received")
	}
	if x.Request == nil || !strings.HasSuffix(x.Request.URL, "/v1/messages?beta=true") || x.Request.Header.Get("X-Stainless-Lang") != "go" {
		t.Errorf("capture request = %+v", x.Request)
	}
	if x.End.Reason != EndEOF || x.Response == nil || x.Response.Status != 200 {
		t.Errorf("capture end %+v, response %+v", x.End, x.Response)
	}
}

// The proxy adds no header of its own: no User-Agent, no Accept-Encoding
// (Go's transport would add gzip and decompress behind our back).
func TestProxyAddsNoHeaders(t *testing.T) {
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header["User-Agent"]; ok {
			t.Errorf("upstream got User-Agent %q; the client sent none", r.UserAgent())
		}
		if ae := r.Header.Get("Accept-Encoding"); ae != "" {
			t.Errorf("upstream got Accept-Encoding %q; the client sent none", ae)
		}
	}))
	defer env.close(t)
	req, _ := http.NewRequest("GET", env.srv.URL+"/v1/models", nil)
	req.Header["User-Agent"] = []string{""}
	resp, err := env.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f := env.next(t); f.x.Request.Header != nil {
		if _, ok := f.x.Request.Header["User-Agent"]; ok {
			t.Errorf("the capture records a User-Agent the client never sent")
		}
	}
}

// Each event must reach the client while the upstream still holds the
// next one back: no buffering anywhere in the proxy.
func TestProxyFlushesEachChunkAsItArrives(t *testing.T) {
	first := sseEvent("message_start", `{"type":"message_start"}`)
	second := sseEvent("message_stop", `{"type":"message_stop"}`)
	release := make(chan struct{})
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, first)
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, second)
	}))
	defer env.close(t)
	resp, err := env.client.Get(env.srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, len(first))
	got := make(chan error, 1)
	go func() { _, err := io.ReadFull(resp.Body, buf); got <- err }()
	select {
	case err := <-got:
		if err != nil || string(buf) != first {
			t.Fatalf("first event: %q, %v", buf, err)
		}
	case <-time.After(3 * time.Second):
		close(release)
		t.Fatal("the first event did not reach the client while the upstream held the second: the proxy buffers")
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != second {
		t.Fatalf("rest: %q, %v", rest, err)
	}
	x, _ := readCapture(t, env.next(t).capture)
	if x.ChunkCount() < 2 || string(x.Body()) != first+second {
		t.Errorf("capture: %d chunks, body %q", x.ChunkCount(), x.Body())
	}
}

func TestProxyUnreachableUpstreamIsBadGateway(t *testing.T) {
	env := (&proxyEnv{done: make(chan finished, 10)}).start(t, closedPort(t))
	defer env.close(t)
	req, _ := http.NewRequest("POST", env.srv.URL+"/v1/messages", strings.NewReader("{}"))
	req.Header.Set("X-Api-Key", canaryKey)
	resp, err := env.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(resp.Header.Get("X-Midstream-Error"), FaultRefused) {
		t.Errorf("got %d %q (%s), want 502 naming %q", resp.StatusCode, resp.Header.Get("X-Midstream-Error"), body, FaultRefused)
	}
	x, raw := readCapture(t, env.next(t).capture)
	if x.Response != nil || x.End.Reason != EndError || !strings.HasPrefix(x.End.Err, FaultRefused) {
		t.Errorf("capture: response %+v, end %+v; want no response and a refused end", x.Response, x.End)
	}
	if bytes.Contains(raw, []byte(canaryKey)) {
		t.Error("capture holds the API key")
	}
}

// An upstream that breaks mid-stream reaches the client as a broken
// stream (never a clean end) and the capture says reset, keeping every
// byte that arrived.
func TestProxyPassesMidStreamFailureOn(t *testing.T) {
	event := sseEvent("message_start", `{"type":"message_start"}`)
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n", len(event), event)
	tests := []struct {
		name     string
		upstream func(t *testing.T) string
	}{
		{"handler aborts", func(t *testing.T) string {
			s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, event)
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
				panic(http.ErrAbortHandler)
			}))
			s.Config.ErrorLog = quietLog()
			s.Start()
			t.Cleanup(s.Close)
			return s.URL
		}},
		{"TCP reset", func(t *testing.T) string { return resetServer(t, head) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := (&proxyEnv{done: make(chan finished, 10)}).start(t, tt.upstream(t))
			defer env.close(t)
			resp, err := env.client.Get(env.srv.URL + "/v1/messages")
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.Errorf("the client saw a clean end after %q; the upstream broke", got)
			}
			x, _ := readCapture(t, env.next(t).capture)
			if x.End.Reason != EndReset || x.End.By != ByUpstream {
				t.Errorf("capture end = %+v, want reset by the upstream", x.End)
			}
			if !bytes.HasPrefix([]byte(event), x.Body()) || !bytes.HasPrefix([]byte(event), got) {
				t.Errorf("client got %q, capture kept %q; both must be a prefix of %q", got, x.Body(), event)
			}
		})
	}
}

func TestProxyClientDisconnectCancelsUpstream(t *testing.T) {
	upstreamDone := make(chan struct{})
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sseEvent("ping", `{"type":"ping"}`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(upstreamDone)
	}))
	defer env.close(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", env.srv.URL+"/v1/messages", nil)
	resp, err := env.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.Body.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-upstreamDone:
	case <-time.After(3 * time.Second):
		t.Fatal("the upstream request was not cancelled when the client went away")
	}
	x, _ := readCapture(t, env.next(t).capture)
	if x.End.Reason != EndCanceled || !strings.Contains(x.End.Err, ErrClientGone.Error()) || x.End.By != ByClient {
		t.Errorf("capture end = %+v, want cancelled by the client: %v", x.End, ErrClientGone)
	}
}

func TestProxyStopCancelsInFlight(t *testing.T) {
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sseEvent("ping", `{"type":"ping"}`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer env.close(t)
	resp, err := env.client.Get(env.srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	env.p.Stop()
	waitOrFail(t, env.p.Wait, 3*time.Second, "Stop did not end the exchange in flight")
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the client saw a clean end of a stream the proxy cut")
	}
	x, _ := readCapture(t, env.next(t).capture)
	if x.End.Reason != EndCanceled || !strings.Contains(x.End.Err, ErrShutdown.Error()) || x.End.By != ByMidstream {
		t.Errorf("capture end = %+v, want cancelled by the shutdown (midstream)", x.End)
	}
	after, err := env.client.Get(env.srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	after.Body.Close()
	if after.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a request after Stop got %d, want 503", after.StatusCode)
	}
}

// quietLog silences the server logs of connections the tests break on
// purpose.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

func TestProxyJoinsUpstreamPath(t *testing.T) {
	tests := []struct{ upstream, path, want string }{
		{"https://api.anthropic.com", "/v1/messages?beta=true", "https://api.anthropic.com/v1/messages?beta=true"},
		{"https://api.anthropic.com/", "/v1/messages", "https://api.anthropic.com/v1/messages"},
		{"https://api.openai.com/v1", "/chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"http://127.0.0.1:9/prefix/", "/files/a%2Fb", "http://127.0.0.1:9/prefix/files/a%2Fb"},
	}
	for _, tt := range tests {
		t.Run(tt.upstream+tt.path, func(t *testing.T) {
			u, _ := url.Parse(tt.upstream)
			p := &Proxy{Upstream: u}
			in := httptest.NewRequest("POST", tt.path, nil)
			out, err := p.outgoing(context.Background(), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if out.URL.String() != tt.want || out.Host != u.Host {
				t.Errorf("forwarded to %s (Host %q), want %s", out.URL, out.Host, tt.want)
			}
		})
	}
}

// slowEndSink takes its time to close a capture, like an fsync on a busy
// disk.
type slowEndSink struct{ recordingSink }

func (s *slowEndSink) End(e End) error {
	time.Sleep(time.Second)
	return s.recordingSink.End(e)
}

// The client's stream ends when the upstream's does, not when the capture
// is closed.
func TestProxyEndDoesNotWaitForTheCapture(t *testing.T) {
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, sseEvent("message_stop", `{"type":"message_stop"}`))
	}))
	defer env.close(t)
	sink := &slowEndSink{}
	env.p.Open = func(int, *Exchange) (CaptureSink, string, func() error, error) { return sink, "slow", nil, nil }
	start := time.Now()
	resp, err := env.client.Get(env.srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("the client's stream ended after %v; it waited for the capture to close", took)
	}
	if f := env.next(t); f.x.End.Reason != EndEOF || sink.end == nil {
		t.Errorf("capture end %+v", sink.end)
	}
}

// A capture that cannot be written (disk full, no permission) never
// breaks the traffic: the client gets its stream, OnDone gets the error.
func TestProxyRecordingFailureDoesNotBreakTraffic(t *testing.T) {
	event := sseEvent("message_stop", `{"type":"message_stop"}`)
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, event) }))
	defer env.close(t)
	env.p.Open = DirCaptures("/dev/null/not-a-dir")
	resp, err := env.client.Get(env.srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != event {
		t.Fatalf("client got %q, %v", got, err)
	}
	select {
	case f := <-env.done:
		if f.err == nil || f.x.End.Reason != EndEOF {
			t.Errorf("OnDone err = %v, end %+v; want the recording error and a clean end", f.err, f.x.End)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no OnDone")
	}
}
