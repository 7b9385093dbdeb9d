package stream

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Reads of every size around the point where the proxy corks the client's
// connection (corkAbove) reach the client and the capture byte for byte,
// on one keep-alive connection, exchange after exchange.
func TestProxyCorkedReadsByteExact(t *testing.T) {
	sse := []byte(strings.Repeat("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"text\":\"h\\u00e9llo \\\"q\\\"\"}\n\n", 4000))
	bin := make([]byte, 300<<10)
	rand.NewChaCha8([32]byte{3, 4}).Read(bin)
	for _, tc := range []struct {
		name   string
		body   []byte
		writes []int // sizes of the upstream's flushed writes, cycled
	}{
		{"small events", sse[:20<<10], []int{97}},
		{"at the cork size", sse[:60<<10], []int{corkAbove, corkAbove + 1, corkAbove - 1}},
		{"large reads", sse, []int{40 << 10, 1, 64 << 10, 3 << 10}},
		{"binary, one write", bin, []int{len(bin)}},
		{"binary, odd writes", bin, []int{1, 4095, 4096, 4097, 33333}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				rc := http.NewResponseController(w)
				b := tc.body
				for i := 0; len(b) > 0; i++ {
					n := min(tc.writes[i%len(tc.writes)], len(b))
					w.Write(b[:n])
					rc.Flush()
					b = b[n:]
				}
			}))
			defer e.close(t)
			for range 2 { // the second reuses the connection the first was corked on
				resp, err := e.client.Get(e.srv.URL + "/v1/messages")
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || !bytes.Equal(got, tc.body) {
					t.Fatalf("client got %d bytes (%v), want %d byte for byte", len(got), err, len(tc.body))
				}
				f := e.next(t)
				x, _ := readCapture(t, f.capture)
				if !bytes.Equal(x.Body(), tc.body) || x.End.Reason != EndEOF {
					t.Fatalf("capture holds %d bytes ending %q, want %d ending eof", len(x.Body()), x.End.Reason, len(tc.body))
				}
			}
		})
	}
}

// The cork is out of the client's connection once a read was forwarded,
// however the exchange ended: a cork left in would hold back whatever is
// written next on that connection (up to 200 ms, Linux's ceiling).
func TestProxyCorkReleased(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TCP_CORK is Linux's; elsewhere the proxy does not cork")
	}
	big := bytes.Repeat([]byte("data: {\"x\":1}\n\n"), 20000)
	var mu sync.Mutex
	var conns []net.Conn
	e := newProxyEnvServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(big)
		if r.URL.Query().Has("fail") {
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler) // the upstream dies mid-body
		}
	}), func(e *proxyEnv, srv *http.Server) {
		srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			return e.p.ConnContext(ctx, c)
		}
	})
	defer e.close(t)
	corked := func() (n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			sc, err := c.(*net.TCPConn).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			sc.Control(func(fd uintptr) {
				if v, err := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK); err == nil && v != 0 {
					n++
				}
			})
		}
		return n
	}
	for _, tc := range []struct {
		name, query string
		whole       bool
	}{{"complete", "", true}, {"upstream fails", "?fail", false}, {"complete again", "", true}} {
		resp, err := e.client.Get(e.srv.URL + "/v1/messages" + tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.whole && (err != nil || !bytes.Equal(got, big)) {
			t.Fatalf("%s: %d bytes (%v), want %d", tc.name, len(got), err, len(big))
		}
		e.next(t)
		if n := corked(); n != 0 {
			t.Fatalf("%s: %d client connections left corked", tc.name, n)
		}
	}
	if len(conns) == 0 {
		t.Fatal("the server never saw a connection: the test checked nothing")
	}
}
