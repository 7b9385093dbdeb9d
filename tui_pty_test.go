package main

import (
	"bytes"
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

	"github.com/midstreamhq/midstream/stream"
)

// On a terminal, live opens the inspector, which follows the stream as it
// arrives; quitting leaves the capture complete.
func TestLiveOpensTheInspectorOnATerminal(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "overloaded_midstream.sse"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(body)
	}))
	defer srv.Close()
	capture := filepath.Join(t.TempDir(), "live.jsonl")
	p := startInPTY(t, nil, "live", srv.URL+"/v1/messages", "--save", capture)
	p.waitScreen(t, "content_block_delta", "overloaded_error")
	p.press(t, "q")
	if code := p.waitExit(t); code != 1 {
		t.Errorf("exit status %d, want 1 for a stream that ended in an error", code)
	}
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 || !bytes.Equal(xs[0].Body(), body) || xs[0].End.Reason != stream.EndEOF {
		t.Fatalf("capture: %v", err)
	}
}

// On a terminal, the proxy lists the exchanges going through it in the
// inspector; q stops it with the captures closed.
func TestProxyShowsExchangesOnATerminal(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "overloaded_midstream.sse"))
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(body)
	}))
	defer up.Close()
	dir := t.TempDir()
	ln := freeAddr(t)
	p := startInPTY(t, nil, "proxy", "--listen", ln, "--upstream", up.URL, "--save", dir)
	var resp *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		req, _ := http.NewRequest("POST", "http://"+ln+"/v1/messages", strings.NewReader("{}"))
		req.Header.Set("X-Api-Key", sdkCanary)
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy never listened: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, body) {
		t.Errorf("through the proxy: %d bytes, want %d", len(got), len(body))
	}
	p.waitScreen(t, "529 overloaded_error", "MISMATCH")
	p.press(t, "q")
	if code := p.waitExit(t); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("%d captures, want 1", len(files))
	}
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// SIGTERM stops a proxy whose inspector is open, and the terminal is
// given back (the alternate screen is left) before the process exits.
func TestProxyOnATerminalStopsOnSIGTERM(t *testing.T) {
	p := startInPTY(t, nil, "proxy", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--save", t.TempDir())
	p.waitScreen(t, "Waiting for the first request")
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop the proxy")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	// The reader may not have drained the pty yet: wait for the sequence.
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(p.rawText(), "\x1b[?1049l"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the alternate screen was never left; the terminal got:\n%q", p.rawText())
		}
	}
}
