package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

func TestSDKLabel(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want string
	}{
		{"anthropic go", http.Header{"User-Agent": {"Anthropic/Go 2.15.0"}, "X-Stainless-Lang": {"go"}, "X-Stainless-Package-Version": {"2.15.0"}}, "anthropic-go@2.15.0"},
		{"anthropic python", http.Header{"User-Agent": {"Anthropic/Python 0.121.0"}, "X-Stainless-Lang": {"python"}, "X-Stainless-Package-Version": {"0.121.0"}}, "anthropic-python@0.121.0"},
		{"anthropic typescript", http.Header{"User-Agent": {"Anthropic/JS 0.137.0"}, "X-Stainless-Lang": {"js"}, "X-Stainless-Package-Version": {"0.137.0"}}, "anthropic-typescript@0.137.0"},
		{"openai node", http.Header{"User-Agent": {"OpenAI/JS 7.57.0"}, "X-Stainless-Lang": {"js"}, "X-Stainless-Package-Version": {"7.57.0"}}, "openai-node@7.57.0"},
		{"openai go", http.Header{"User-Agent": {"OpenAI/Go 3.98.0"}, "X-Stainless-Lang": {"go"}, "X-Stainless-Package-Version": {"3.98.0"}}, "openai-go@3.98.0"},
		{"unknown client with a product", http.Header{"User-Agent": {"my-app"}}, "my-app"},
		{"stainless headers only", http.Header{"X-Stainless-Lang": {"go"}, "X-Stainless-Package-Version": {"2.15.0"}, "Anthropic-Version": {"2023-06-01"}}, "anthropic-go@2.15.0"},
		{"curl", http.Header{"User-Agent": {"curl/8.5.0"}}, "curl@8.5.0"},
		{"nothing", http.Header{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sdkLabel(tt.h, "http://127.0.0.1:8787/v1/messages"); got != tt.want {
				t.Errorf("sdkLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExchangeLine(t *testing.T) {
	x := &stream.Exchange{
		Started:  time.Date(2026, 11, 25, 19, 20, 1, 0, time.UTC),
		Request:  &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{"X-Stainless-Lang": {"go"}, "X-Stainless-Package-Version": {"2.15.0"}}},
		Response: &stream.Response{Status: 200},
		End:      stream.End{Reason: stream.EndReset, Err: "connection reset: read: connection reset by peer"},
	}
	v := &inspect.Verdict{MappedStatus: 529, Mismatch: true, Outcome: inspect.OutcomeErrorEvent}
	got := exchangeLine(x, v, "/tmp/c.jsonl")
	want := `19:20:01.000 POST /v1/messages http=200 mapped=529 mismatch=yes outcome=error_event sdk=anthropic-go@2.15.0 capture=/tmp/c.jsonl end=reset err="connection reset: read: connection reset by peer"`
	if got != want {
		t.Errorf("line =\n%s\nwant\n%s", got, want)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8787": true, "[::1]:8787": true, "0.0.0.0:8787": false, "192.168.1.2:80": false} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := isLoopback(a); got != want {
			t.Errorf("isLoopback(%s) = %v, want %v", addr, got, want)
		}
	}
}

// heldStream is an upstream that sends three events, then holds the
// stream open until the test ends.
func heldStream(t *testing.T) (url string, sent string) {
	t.Helper()
	events := []string{
		"event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n",
	}
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range events {
			fmt.Fprint(w, e)
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hold); srv.Close() })
	return srv.URL, strings.Join(events, "")
}

// openThroughProxy starts a streamed request through the proxy and reads
// n bytes of it.
func openThroughProxy(t *testing.T, proxyURL string, n int) (io.ReadCloser, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", proxyURL+"/v1/messages", strings.NewReader(`{"stream":true}`))
	req.Header.Set("X-Api-Key", sdkCanary)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, got); err != nil {
		t.Fatalf("reading the stream through the proxy: %v", err)
	}
	return resp.Body, got
}

func onlyCapture(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("%d captures in %s, want 1", len(files), dir)
	}
	return files[0]
}

// A proxy killed with SIGKILL mid-stream leaves a capture that still
// reads: marked incomplete, with every chunk that went through intact.
func TestProxyKilledMidStreamLeavesReadableCapture(t *testing.T) {
	upstream, sent := heldStream(t)
	dir := t.TempDir()
	p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", upstream, "--save", dir)
	url := p.WaitFor(t, `listening on (http://\S+)`)
	body, got := openThroughProxy(t, url, len(sent))
	defer body.Close()
	if string(got) != sent {
		t.Fatalf("through the proxy: %q", got)
	}
	time.Sleep(50 * time.Millisecond) // the capture line follows the client write
	p.Signal(syscall.SIGKILL)
	p.Wait(t, 5*time.Second)

	capture := onlyCapture(t, dir)
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 {
		t.Fatalf("a killed proxy's capture must read: %d exchanges, %v", len(xs), err)
	}
	x := xs[0]
	if x.End.Reason != stream.EndIncomplete {
		t.Errorf("end = %+v, want incomplete", x.End)
	}
	if string(x.Body()) != sent || x.Response == nil || x.Response.Status != 200 {
		t.Errorf("capture holds %q (response %+v), want the %d bytes that went through", x.Body(), x.Response, len(sent))
	}
	if raw, _ := os.ReadFile(capture); bytes.Contains(raw, []byte(sdkCanary)) {
		t.Error("capture holds the API key")
	}
}

// SIGTERM stops the proxy cleanly: the exchange in flight is closed as
// cancelled by the shutdown, its line printed, exit status 0.
func TestProxySIGTERMClosesCaptures(t *testing.T) {
	upstream, sent := heldStream(t)
	dir := t.TempDir()
	p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", upstream, "--save", dir)
	url := p.WaitFor(t, `listening on (http://\S+)`)
	body, _ := openThroughProxy(t, url, len(sent))
	defer body.Close()
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM\n%s", code, p.Output())
	}
	if _, err := io.ReadAll(body); err == nil {
		t.Error("the client saw a clean end of a stream the proxy cut")
	}
	xs, err := stream.ReadFile(onlyCapture(t, dir))
	if err != nil || len(xs) != 1 {
		t.Fatalf("capture: %d exchanges, %v", len(xs), err)
	}
	if xs[0].End.Reason != stream.EndCanceled || string(xs[0].Body()) != sent {
		t.Errorf("capture end %+v body %q; want cancelled by the shutdown after the sent bytes", xs[0].End, xs[0].Body())
	}
	out := p.Output()
	if !strings.Contains(out, "POST /v1/messages http=200") || !strings.Contains(out, "end=canceled") || !strings.Contains(out, "captures closed") {
		t.Errorf("missing exchange line or shutdown message:\n%s", out)
	}
}

func TestProxyWarnsOffLoopbackAndRejectsBadUpstream(t *testing.T) {
	p := start(t, nil, "proxy", "--no-tui", "--listen", "0.0.0.0:0", "--upstream", "http://127.0.0.1:1", "--save", t.TempDir())
	p.WaitFor(t, `(WARNING: listening on)`)
	p.Signal(syscall.SIGINT)
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d after SIGINT", code)
	}

	bad := start(t, nil, "proxy", "--no-tui", "--upstream", "ftp://example.com")
	if code := bad.Wait(t, 10*time.Second); code != 2 || !strings.Contains(bad.Output(), "--upstream") {
		t.Errorf("exit %d, output %s; want 2 naming --upstream", code, bad.Output())
	}
}

// exchangeLog prints one line per exchange and the recording error, and
// nothing while the inspector owns the screen.
func TestExchangeLogQuiet(t *testing.T) {
	x := stream.FromBody("proxy#1", []byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	tests := []struct {
		name  string
		quiet bool
		out   string // "" when nothing may be written
		errw  string
	}{
		{"printing", false, "outcome=", "midstream proxy: recording proxy#1: disk full"},
		{"quiet", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw strings.Builder
			l := &exchangeLog{w: &out, errw: &errw, quiet: tt.quiet}
			l.done(x, "/tmp/c.jsonl", errors.New("disk full"), false)
			if tt.out == "" && out.Len()+errw.Len() > 0 {
				t.Fatalf("quiet log wrote %q / %q", out.String(), errw.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.Contains(errw.String(), tt.errw) {
				t.Errorf("out %q errw %q, want %q and %q", out.String(), errw.String(), tt.out, tt.errw)
			}
			// Quiet or not, the failure is summed up at exit.
			if err := l.failures(); err == nil || !strings.Contains(err.Error(), "1 of 1 exchanges NOT recorded (first: /tmp/c.jsonl: disk full)") {
				t.Errorf("failures() = %v", err)
			}
		})
	}
}
