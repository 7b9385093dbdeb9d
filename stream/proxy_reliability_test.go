package stream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// streamBody returns the deterministic body of stream i: SSE events with
// multi-byte text, cut into reads of random sizes.
func streamBody(i int) [][]byte {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	var body bytes.Buffer
	for n := 0; body.Len() < 20_000+rng.IntN(40_000); n++ {
		fmt.Fprintf(&body, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"stream %d part %d naïve 日本語 🙂\"}}\n\n", i, n)
	}
	b := body.Bytes()
	var chunks [][]byte
	for len(b) > 0 {
		k := min(len(b), 1+rng.IntN(4096))
		chunks = append(chunks, b[:k])
		b = b[k:]
	}
	return chunks
}

// TestProxy100ConcurrentStreamsByteExact runs 100 streams at once through
// the proxy: what each client receives, what the upstream sent and what
// the capture holds must have the same SHA-256.
func TestProxy100ConcurrentStreamsByteExact(t *testing.T) {
	const streams = 100
	var sent sync.Map // index → [32]byte
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/stream/"))
		w.Header().Set("Content-Type", "text/event-stream")
		h := sha256.New()
		for _, c := range streamBody(i) {
			w.Write(c)
			h.Write(c)
			w.(http.Flusher).Flush()
		}
		sent.Store(i, [32]byte(h.Sum(nil)))
	}))
	defer env.close(t)

	received := make([][32]byte, streams)
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for i := range streams {
		wg.Go(func() {
			resp, err := env.client.Get(fmt.Sprintf("%s/stream/%d", env.srv.URL, i))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			h := sha256.New()
			if _, err := io.Copy(h, resp.Body); err != nil {
				errs <- fmt.Errorf("stream %d: %w", i, err)
				return
			}
			received[i] = [32]byte(h.Sum(nil))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	captured := map[int][32]byte{}
	for range streams {
		f := env.next(t)
		x, _ := readCapture(t, f.capture)
		i, _ := strconv.Atoi(x.Request.URL[strings.LastIndexByte(x.Request.URL, '/')+1:])
		captured[i] = sha256.Sum256(x.Body())
		if x.End.Reason != EndEOF {
			t.Errorf("stream %d: capture end %+v", i, x.End)
		}
	}
	mismatches := 0
	for i := range streams {
		up, _ := sent.Load(i)
		if up == nil || received[i] != up.([32]byte) || captured[i] != up.([32]byte) {
			mismatches++
		}
	}
	if mismatches > 0 {
		t.Fatalf("%d of %d streams differ between upstream, client and capture", mismatches, streams)
	}
}

// settled waits until the number of goroutines drops back to at most
// base, and fails with every goroutine's stack if it does not.
func settled(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 1)
	t.Fatalf("%d goroutines, %d before: leaked\n%s", runtime.NumGoroutine(), base, buf.String())
}

// TestProxyLeavesNoGoroutine checks that nothing survives a client that
// aborts mid-stream, an upstream that fails mid-stream or one that never
// answers.
func TestProxyLeavesNoGoroutine(t *testing.T) {
	event := sseEvent("ping", `{"type":"ping"}`)
	tests := []struct {
		name     string
		upstream http.HandlerFunc
		client   func(t *testing.T, env *proxyEnv)
		end      EndReason
	}{
		{"client aborts", func(w http.ResponseWriter, r *http.Request) {
			for r.Context().Err() == nil {
				fmt.Fprint(w, event)
				w.(http.Flusher).Flush()
				time.Sleep(5 * time.Millisecond)
			}
		}, func(t *testing.T, env *proxyEnv) {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", env.srv.URL+"/v1/messages", nil)
			resp, err := env.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Read(make([]byte, 10))
			cancel()
			resp.Body.Close()
		}, EndCanceled},
		{"upstream fails", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, event)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, func(t *testing.T, env *proxyEnv) {
			resp, err := env.client.Get(env.srv.URL + "/v1/messages")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}, EndReset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			env := newProxyEnv(t, tt.upstream)
			for range 5 {
				tt.client(t, env)
				if f := env.next(t); f.x.End.Reason != tt.end {
					t.Errorf("end = %+v, want %s", f.x.End, tt.end)
				}
			}
			env.close(t)
			settled(t, base)
		})
	}
}

// garbageServer answers every connection with bytes that are not HTTP.
func garbageServer(t *testing.T) string {
	t.Helper()
	return rawServer(t, func(c net.Conn) {
		c.Read(make([]byte, 4096))
		c.Write([]byte("\x00\x01garbage, not HTTP\r\n\r\n"))
		c.Close()
	})
}

// TestProxySurvivesMisbehavingUpstreams sends each kind of bad upstream
// through one proxy, records each faithfully, and checks the proxy still
// serves a good request afterwards.
func TestProxySurvivesMisbehavingUpstreams(t *testing.T) {
	binary := []byte("data: \xff\xfe\x00 not utf-8\r\r\n\nevent:\n")
	good := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stall":
			w.Header().Set("Content-Type", "text/event-stream")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/binary":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write(binary)
		default:
			fmt.Fprint(w, "ok")
		}
	})
	tests := []struct {
		name, upstream, path string
		clientTimeout        time.Duration
		end                  EndReason
		status               int // recorded upstream status, 0 for none
		body                 []byte
	}{
		{"stall until the client gives up", good, "/stall", 200 * time.Millisecond, EndCanceled, 200, nil},
		{"reset", resetServer(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), "/", 0, EndReset, 200, nil},
		{"garbage instead of HTTP", garbageServer(t), "/", 0, EndError, 0, nil},
		{"binary body", good, "/binary", 0, EndEOF, 200, binary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := (&proxyEnv{done: make(chan finished, 10)}).start(t, tt.upstream)
			defer env.close(t)
			env.client.Timeout = tt.clientTimeout
			resp, err := env.client.Get(env.srv.URL + tt.path)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			x, _ := readCapture(t, env.next(t).capture)
			if x.End.Reason != tt.end {
				t.Errorf("end = %+v, want %s", x.End, tt.end)
			}
			status := 0
			if x.Response != nil {
				status = x.Response.Status
			}
			if status != tt.status {
				t.Errorf("recorded status %d, want %d", status, tt.status)
			}
			if tt.body != nil && !bytes.Equal(x.Body(), tt.body) {
				t.Errorf("recorded body %q, want %q", x.Body(), tt.body)
			}
			// The proxy is still up and forwarding.
			env.p.Upstream.Host = strings.TrimPrefix(good, "http://")
			env.client.Timeout = 0
			ok, err := env.client.Get(env.srv.URL + "/")
			if err != nil {
				t.Fatalf("the proxy no longer answers: %v", err)
			}
			b, _ := io.ReadAll(ok.Body)
			ok.Body.Close()
			if string(b) != "ok" {
				t.Errorf("after the bad upstream: %q", b)
			}
			env.next(t)
		})
	}
}

func httptestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	env := newProxyEnv(t, h) // only its upstream is used
	t.Cleanup(func() { env.srv.Close(); env.up.Close() })
	return env.up.URL
}

// BenchmarkProxyChunkLatency measures, in one run, how long a chunk takes
// from the upstream's write to the client's read, directly and through
// the proxy, one chunk at a time (ping-pong, so queues never hide the
// latency). It reports the medians and the added latency per chunk.
func BenchmarkProxyChunkLatency(b *testing.B) {
	event := []byte(sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, world, this is a typical delta."}}`))
	ticks := map[string]chan struct{}{"/direct": make(chan struct{}), "/proxied": make(chan struct{})}
	env := newProxyEnv(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tick := ticks[r.URL.Path]
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		for {
			select {
			case <-tick:
				w.Write(event)
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	}))
	defer env.close(b)
	open := func(url string) io.ReadCloser {
		resp, err := env.client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		return resp.Body
	}
	direct, proxied := open(env.up.URL+"/direct"), open(env.srv.URL+"/proxied")
	defer direct.Close()
	defer proxied.Close()
	buf := make([]byte, len(event))
	once := func(tick chan struct{}, body io.Reader) time.Duration {
		start := time.Now()
		tick <- struct{}{}
		if _, err := io.ReadFull(body, buf); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var d, p []time.Duration
	b.ResetTimer()
	for b.Loop() {
		d = append(d, once(ticks["/direct"], direct))
		p = append(p, once(ticks["/proxied"], proxied))
	}
	b.StopTimer()
	slices.Sort(d)
	slices.Sort(p)
	md, mp := d[len(d)/2], p[len(p)/2]
	b.ReportMetric(float64(md.Microseconds()), "direct-µs/chunk")
	b.ReportMetric(float64(mp.Microseconds()), "proxied-µs/chunk")
	b.ReportMetric(float64((mp - md).Microseconds()), "added-µs/chunk")
	b.ReportMetric(float64(mp)/float64(md), "proxied/direct")
}
