package stream

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/heavytest"
)

// The request body reaches the upstream while the client is still sending
// it (the proxy does not read it whole first), and the capture holds it.
func TestProxyStreamsRequestBody(t *testing.T) {
	got1 := make(chan struct{})
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 5)
		io.ReadFull(r.Body, buf)
		close(got1)
		rest, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s%s\n\n", buf, rest)
	}))
	defer env.close(t)
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(`{"a":`))
		select {
		case <-got1:
		case <-time.After(5 * time.Second):
			pw.CloseWithError(fmt.Errorf("the upstream never saw the first part"))
			return
		}
		pw.Write([]byte(`1}`))
		pw.Close()
	}()
	resp, err := env.client.Post(env.srv.URL+"/v1/messages", "application/json", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "data: {\"a\":1}\n\n" {
		t.Fatalf("client got %q", body)
	}
	f := env.next(t)
	x, _ := readCapture(t, f.capture)
	if string(x.Request.Body) != `{"a":1}` || len(x.Notes) != 0 {
		t.Errorf("capture request body %q, notes %q", x.Request.Body, x.Notes)
	}
	if got := string(f.x.Request.BodyBytes()); got != `{"a":1}` {
		t.Errorf("exchange request body %q", got)
	}
}

// genReader yields n deterministic bytes of SSE-like text, made on the fly.
type genReader struct {
	n, off int64
	line   []byte
}

func newGenReader(n int64) *genReader {
	return &genReader{n: n, line: []byte("data: {\"type\":\"content_block_delta\",\"text\":\"" + strings.Repeat("y", 16<<10) + "\"}\n\n")}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.n-g.off)]
	for i := range p {
		p[i] = g.line[(g.off+int64(i))%int64(len(g.line))]
	}
	g.off += int64(len(p))
	return len(p), nil
}

// heapWatch samples the heap until stopped and returns the peaks.
func heapWatch() (stop func() (inuse, sys uint64)) {
	var peakInuse, peakSys atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakInuse.Load() {
				peakInuse.Store(ms.HeapInuse)
			}
			if ms.Sys > peakSys.Load() {
				peakSys.Store(ms.Sys)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		return peakInuse.Load(), peakSys.Load()
	}
}

// A 1 GiB request body and, separately, a 1 GiB response go through the
// proxy byte for byte while the heap of the whole test process (client,
// proxy and upstream) stays bounded: neither body is ever held.
func TestProxyGigabyteBodiesStayBounded(t *testing.T) {
	heavytest.Skip(t, "moves 2 GiB through the proxy")
	const size = 1 << 30
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if r.URL.Path == "/up" {
			fmt.Fprintf(w, "data: %d %x\n\n", n, h.Sum(nil))
			return
		}
		io.Copy(w, newGenReader(size))
	}))
	defer env.close(t)
	const limit = 256 << 20

	t.Run("request", func(t *testing.T) {
		stop := heapWatch()
		want := sha256.New()
		req, _ := http.NewRequest("POST", env.srv.URL+"/up", io.TeeReader(newGenReader(size), want))
		resp, err := env.client.Do(req) // ContentLength unknown: a chunked upload
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f := env.next(t)
		inuse, sys := stop()
		t.Logf("1 GiB request: peak HeapInuse %d MiB, Sys %d MiB", inuse>>20, sys>>20)
		if exp := fmt.Sprintf("data: %d %x\n\n", size, want.Sum(nil)); string(got) != exp {
			t.Fatalf("upstream got %q, want %q", got, exp)
		}
		if n := f.x.Request.BodyLen(); n != size {
			t.Errorf("recorded request body: %d bytes", n)
		}
		if inuse > limit/4 || sys > limit {
			t.Errorf("heap grew with the body: HeapInuse %d MiB, Sys %d MiB", inuse>>20, sys>>20)
		}
	})
	t.Run("response", func(t *testing.T) {
		stop := heapWatch()
		resp, err := env.client.Post(env.srv.URL+"/down", "application/json", strings.NewReader(`{"stream":true}`))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		f := env.next(t)
		inuse, sys := stop()
		t.Logf("1 GiB response: peak HeapInuse %d MiB, Sys %d MiB", inuse>>20, sys>>20)
		want := sha256.New()
		io.Copy(want, newGenReader(size))
		if err != nil || n != size || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
			t.Fatalf("client got %d bytes (%v), hash match %v", n, err, bytes.Equal(h.Sum(nil), want.Sum(nil)))
		}
		if f.x.BodyLen() != size || f.x.End.Reason != EndEOF {
			t.Errorf("recorded %d bytes, end %+v", f.x.BodyLen(), f.x.End)
		}
		if inuse > limit/4 || sys > limit {
			t.Errorf("heap grew with the body: HeapInuse %d MiB, Sys %d MiB", inuse>>20, sys>>20)
		}
	})
}
