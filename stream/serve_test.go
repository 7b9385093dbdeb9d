package stream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveOne starts a Server over plan and returns its URL.
func serveOne(t *testing.T, s *Server) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ErrorLog = quietLog()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, url string) (*http.Response, []byte, error) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := c.Post(url, "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestServeAnswersWithTheCapture(t *testing.T) {
	jsonErr := `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
	sse := sseEvent("message_start", `{"type":"message_start"}`) + sseEvent("error", jsonErr)
	tests := []struct {
		name        string
		x           *Exchange
		status      int
		contentType string
		body        string
		broken      bool
	}{
		{
			name: "status and headers of the capture",
			x: &Exchange{
				Response: &Response{Status: 529, Header: http.Header{
					"Content-Type": {"application/json"}, "Content-Length": {"999"},
					"Connection": {"close"}, "Request-Id": {"req_529"},
				}},
				Chunks: []Chunk{{Data: []byte(jsonErr)}},
				End:    End{Reason: EndEOF},
			},
			status: 529, contentType: "application/json", body: jsonErr,
		},
		{
			name:   "bare SSE body is 200 text/event-stream",
			x:      FromBody("o.sse", []byte(sse)),
			status: 200, contentType: "text/event-stream", body: sse,
		},
		{
			name: "reset capture is served as an aborted connection",
			x: &Exchange{
				Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}},
				Chunks:   []Chunk{{Data: []byte(sse[:30])}},
				End:      End{Reason: EndReset, Err: "connection reset: read: connection reset by peer"},
			},
			status: 200, contentType: "text/event-stream", body: sse[:30], broken: true,
		},
		{
			name: "incomplete capture is served as an aborted connection",
			x: &Exchange{
				Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}},
				Chunks:   []Chunk{{Data: []byte(sse)}},
				End:      End{Reason: EndIncomplete},
			},
			status: 200, contentType: "text/event-stream", body: sse, broken: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serveOne(t, &Server{Plan: []*Exchange{tt.x}})
			resp, body, err := get(t, url+"/v1/messages")
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if (err != nil) != tt.broken {
				t.Errorf("read error = %v, want broken=%v", err, tt.broken)
			}
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
			}
			if string(body) != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
			if resp.Header.Get("Connection") != "" || resp.ContentLength == 999 {
				t.Errorf("hop-by-hop or stale length passed on: %v (length %d)", resp.Header, resp.ContentLength)
			}
		})
	}
}

func TestServeNeverAnsweredCaptureAbortsAtOnce(t *testing.T) {
	x := &Exchange{End: End{Reason: EndError, Err: "connection refused: dial tcp"}}
	url := serveOne(t, &Server{Plan: []*Exchange{x}})
	if resp, _, err := get(t, url); err == nil {
		t.Fatalf("got %d; a capture whose upstream never answered must not answer either", resp.StatusCode)
	}
}

func TestServePacing(t *testing.T) {
	x := &Exchange{
		Timed:  true,
		Chunks: []Chunk{{At: 0, Data: []byte("data: 1\n\n")}, {At: 400 * time.Millisecond, Data: []byte("data: 2\n\n")}, {At: 800 * time.Millisecond, Data: []byte("data: 3\n\n")}},
		End:    End{Reason: EndEOF, At: 800 * time.Millisecond},
	}
	tests := []struct {
		name     string
		s        *Server
		min, max time.Duration
	}{
		// Lower bounds are exact (timers never fire early); upper bounds
		// leave room for a loaded machine while telling 1× from 2×.
		{"recorded pace", &Server{}, 790 * time.Millisecond, 5 * time.Second},
		{"twice as fast", &Server{Speed: 2}, 390 * time.Millisecond, 750 * time.Millisecond},
		{"instant", &Server{Instant: true}, 0, 350 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Plan = []*Exchange{x}
			url := serveOne(t, tt.s)
			start := time.Now()
			_, body, err := get(t, url)
			took := time.Since(start)
			if err != nil || string(body) != "data: 1\n\ndata: 2\n\ndata: 3\n\n" {
				t.Fatalf("body %q, %v", body, err)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("took %v, want between %v and %v", took, tt.min, tt.max)
			}
		})
	}
}

func TestServeThenAndLoop(t *testing.T) {
	a, b := FromBody("a", []byte("data: a\n\n")), FromBody("b", []byte("data: b\n\n"))
	tests := []struct {
		name string
		loop bool
		want []string
	}{
		{"last one repeats", false, []string{"a", "b", "b", "b"}},
		{"loop cycles", true, []string{"a", "b", "a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				seen []int
			)
			s := &Server{Plan: []*Exchange{a, b}, Loop: tt.loop, OnRequest: func(seq int, r *http.Request, x *Exchange) {
				mu.Lock()
				seen = append(seen, seq)
				mu.Unlock()
			}}
			url := serveOne(t, s)
			for i, want := range tt.want {
				_, body, err := get(t, url+"/messages")
				if err != nil || string(body) != "data: "+want+"\n\n" {
					t.Errorf("request %d: %q, %v; want %s", i+1, body, err, want)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != len(tt.want) || seen[len(seen)-1] != len(tt.want) {
				t.Errorf("OnRequest saw %v", seen)
			}
		})
	}
}

// A client that hangs up while serve waits for the next chunk frees the
// handler at once.
func TestServeStopsWhenTheClientLeaves(t *testing.T) {
	x := &Exchange{Timed: true, Chunks: []Chunk{{Data: []byte("data: 1\n\n")}, {At: time.Hour, Data: []byte("data: 2\n\n")}}, End: End{Reason: EndEOF}}
	s := &Server{Plan: []*Exchange{x}}
	url := serveOne(t, s)
	c := &http.Client{Timeout: 200 * time.Millisecond}
	if resp, err := c.Get(url); err == nil {
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	done := make(chan struct{})
	go func() { s.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the handler kept waiting after the client left")
	}
}
