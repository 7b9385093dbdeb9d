package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sseEvent returns one Anthropic-shaped SSE frame.
func sseEvent(typ, data string) string { return "event: " + typ + "\ndata: " + data + "\n\n" }

// rawServer serves every loopback connection with serve, on its own
// goroutine, for faults net/http's server cannot produce; it returns the
// server's base URL.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// resetServer accepts connections, answers with the start of a streamed
// response and then resets the connection (SO_LINGER 0 + Close sends RST).
func resetServer(t *testing.T, head string) string {
	t.Helper()
	return rawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf) // the request
		_, _ = c.Write([]byte(head))
		time.Sleep(50 * time.Millisecond) // let the client read what was sent
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
}

// stallServer sends headers and one event, then says nothing until the
// client goes away.
func stallServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sseEvent("ping", `{"type":"ping"}`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(s.Close)
	return s
}

// trickleServer sends a ping every 20ms forever.
func trickleServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for {
			fmt.Fprint(w, sseEvent("ping", `{"type":"ping"}`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// noDNSTransport resolves names with a resolver whose DNS server cannot be
// reached, so a lookup fails at once without leaving the machine.
func noDNSTransport() *http.Transport {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, errors.New("no DNS server in tests")
	}}
	t := NewTransport()
	t.DialContext = (&net.Dialer{Resolver: r, Timeout: 2 * time.Second}).DialContext
	return t
}

// TestLiveTransportFaults produces every fault class on loopback and
// checks that the recorded exchange ends with it, keeping the bytes that
// arrived before.
func TestLiveTransportFaults(t *testing.T) {
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sseEvent("message_stop", `{"type":"message_stop"}`))
	}))
	t.Cleanup(ok.Close)
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"1c\r\nevent: ping\ndata: {\"a\":1}\n\n\r\n"

	tests := []struct {
		name      string
		url       string
		opt       LiveOptions
		cancelAt  time.Duration // cancel by the user after this long
		reason    EndReason
		class     string
		response  bool   // a response arrived before the fault
		bodyStart string // the body kept begins with this
	}{
		{name: "clean end", url: ok.URL, reason: EndEOF, response: true, bodyStart: "event: message_stop"},
		{name: "DNS failure", url: "http://api.midstream-test.invalid/v1/messages", opt: LiveOptions{Transport: noDNSTransport()}, reason: EndError, class: FaultDNS},
		{name: "connection refused", url: closedPort(t), reason: EndError, class: FaultRefused},
		{name: "TLS error", url: tlsSrv.URL, reason: EndError, class: FaultTLS},
		{name: "reset mid-stream", url: resetServer(t, head), reason: EndReset, class: FaultReset, response: true},
		{name: "idle timeout", url: stallServer(t).URL, opt: LiveOptions{IdleTimeout: 150 * time.Millisecond}, reason: EndTimeout, class: FaultIdleTimeout, response: true, bodyStart: "event: ping"},
		{name: "total timeout", url: trickleServer(t).URL, opt: LiveOptions{Timeout: 200 * time.Millisecond, IdleTimeout: time.Second}, reason: EndTimeout, class: FaultTotalTimeout, response: true, bodyStart: "event: ping"},
		{name: "cancelled by the user", url: stallServer(t).URL, cancelAt: 150 * time.Millisecond, reason: EndCanceled, class: FaultCanceled, response: true, bodyStart: "event: ping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			if tt.cancelAt > 0 {
				time.AfterFunc(tt.cancelAt, func() { cancel(ErrUserCanceled) })
			}
			feed := NewFeed()
			tt.opt.Feed = feed
			start := time.Now()
			x, err := Live(ctx, &Request{Method: "GET", URL: tt.url}, tt.opt)
			if err != nil {
				t.Fatalf("Live: %v", err)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v; faults must end the exchange promptly", time.Since(start))
			}
			if x.End.Reason != tt.reason {
				t.Fatalf("End.Reason = %q, want %q (Err %q)", x.End.Reason, tt.reason, x.End.Err)
			}
			if tt.class != "" && !strings.HasPrefix(x.End.Err, tt.class+": ") {
				t.Errorf("End.Err = %q, want class %q", x.End.Err, tt.class)
			}
			if (x.Response != nil) != tt.response {
				t.Errorf("Response present = %v, want %v", x.Response != nil, tt.response)
			}
			if !bytes.HasPrefix(x.Body(), []byte(tt.bodyStart)) {
				t.Errorf("body = %q, want it to start with %q", x.Body(), tt.bodyStart)
			}
			// The feed told the same story, ending with the same End.
			ups, _ := feed.Drain()
			if len(ups) == 0 || ups[0].Start == nil || ups[len(ups)-1].End == nil {
				t.Fatalf("feed did not go Start … End: %d updates", len(ups))
			}
			if got := *ups[len(ups)-1].End; got.Reason != x.End.Reason || got.Err != x.End.Err {
				t.Errorf("feed End = %+v, exchange End = %+v", got, x.End)
			}
		})
	}
}

// recordingSink is a CaptureSink that keeps what it was given.
type recordingSink struct {
	begun  *Exchange
	chunks []Chunk
	end    *End
}

func (s *recordingSink) Begin(x *Exchange) error { s.begun = x; return nil }
func (s *recordingSink) Chunk(c Chunk) error {
	c.Data = bytes.Clone(c.Data) // valid only during the call
	s.chunks = append(s.chunks, c)
	return nil
}
func (s *recordingSink) End(e End) error { s.end = &e; return nil }

func TestLiveRecordsTimedChunksInOrder(t *testing.T) {
	events := []string{
		sseEvent("message_start", `{"type":"message_start"}`),
		sseEvent("content_block_delta", `{"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}`),
		sseEvent("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "" {
			t.Errorf("Accept-Encoding %q was added; the recorded bytes must be the sent bytes", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range events {
			fmt.Fprint(w, e)
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond) // long enough that reads never merge events
		}
	}))
	defer srv.Close()
	sink := &recordingSink{}
	req := AnthropicRequest(srv.URL+"/", "sk-ant-test-key-0123456789abcdef", "claude-sonnet-4-5", "hi", 16)
	x, err := Live(context.Background(), req, LiveOptions{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(events, ""); string(x.Body()) != want {
		t.Fatalf("body = %q, want %q", x.Body(), want)
	}
	ci := NewChunkIndex(x)
	if len(ci) < len(events) {
		t.Fatalf("%d chunks for %d flushed events: reads were merged", len(ci), len(events))
	}
	for i := 1; i < len(ci); i++ {
		if ci[i].at < ci[i-1].at {
			t.Fatalf("chunk %d arrived at %v, before chunk %d at %v", i, ci[i].at, i-1, ci[i-1].at)
		}
	}
	if _, last, _ := x.ChunkTimes(); last < 200*time.Millisecond {
		t.Errorf("last chunk at %v; the server paced 100ms between events", last)
	}
	if !x.Timed || x.Response == nil || x.Response.Status != 200 || x.Request.URL != srv.URL+"/v1/messages" {
		t.Errorf("exchange = timed %v, response %+v, url %q", x.Timed, x.Response, x.Request.URL)
	}
	if sink.begun == nil || len(sink.chunks) != x.ChunkCount() || sink.end == nil || sink.end.Reason != EndEOF {
		t.Errorf("sink got begin=%v chunks=%d end=%+v", sink.begun != nil, len(sink.chunks), sink.end)
	}
}

func TestRequestBuilders(t *testing.T) {
	tests := []struct {
		name, url, keyHeader, keyValue, tokensField string
		req                                         *Request
	}{
		{"anthropic", "https://api.anthropic.com/v1/messages", "X-Api-Key", "k", "max_tokens",
			AnthropicRequest("https://api.anthropic.com/", "k", "m", "p", 7)},
		{"openai", "https://api.openai.com/v1/chat/completions", "Authorization", "Bearer k", "max_completion_tokens",
			OpenAIChatRequest("https://api.openai.com/v1", "k", "m", "p", 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Method != "POST" || tt.req.URL != tt.url {
				t.Errorf("%s %s, want POST %s", tt.req.Method, tt.req.URL, tt.url)
			}
			if got := tt.req.Header.Get(tt.keyHeader); got != tt.keyValue {
				t.Errorf("%s = %q, want %q", tt.keyHeader, got, tt.keyValue)
			}
			for _, want := range []string{`"stream":true`, `"model":"m"`, `"` + tt.tokensField + `":7`, `"content":"p"`} {
				if !bytes.Contains(tt.req.Body, []byte(want)) {
					t.Errorf("body %s lacks %s", tt.req.Body, want)
				}
			}
		})
	}
	if v := AnthropicRequest("x", "k", "m", "p", 1).Header.Get("anthropic-version"); v != AnthropicVersion {
		t.Errorf("anthropic-version = %q", v)
	}
}

// No goroutine outlives a live request that timed out, was cancelled or
// was reset.
func TestLiveLeavesNoGoroutine(t *testing.T) {
	base := runtime.NumGoroutine()
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	tr := NewTransport()
	for _, opt := range []LiveOptions{{IdleTimeout: 50 * time.Millisecond}, {Timeout: 50 * time.Millisecond}} {
		opt.Transport = tr
		x, err := Live(context.Background(), &Request{Method: "GET", URL: stall.URL}, opt)
		if err != nil || x.End.Reason != EndTimeout {
			t.Fatalf("end %+v, %v", x.End, err)
		}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(ErrUserCanceled) })
	if x, _ := Live(ctx, &Request{Method: "GET", URL: stall.URL}, LiveOptions{Transport: tr}); x.End.Reason != EndCanceled {
		t.Fatalf("end %+v", x.End)
	}
	tr.CloseIdleConnections()
	stall.Close()
	settled(t, base)
}

// TestLiveRecordsNegotiatedProtocol checks that a stream served over
// HTTP/2 is recorded as HTTP/2.0 on both sides, not as the HTTP/1.1 the
// request starts out assuming.
func TestLiveRecordsNegotiatedProtocol(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, sseEvent("ping", `{"type":"ping"}`))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	req := AnthropicRequest(srv.URL+"/", "sk-ant-test-key-0123456789abcdef", "claude-sonnet-4-5", "hi", 16)
	x, err := Live(context.Background(), req, LiveOptions{Transport: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	if x.Response == nil || x.Response.Proto != "HTTP/2.0" || x.Request.Proto != "HTTP/2.0" {
		t.Fatalf("request proto %q, response %+v; want HTTP/2.0 for both", x.Request.Proto, x.Response)
	}
}
