package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/midstreamhq/midstream/stream"
)

// ptyTerm runs the midstream binary on a pseudo-terminal, answering the
// terminal queries a real one would (background colour, cursor position),
// and keeps everything it drew.
type ptyTerm struct {
	cmd    *exec.Cmd
	ptmx   *os.File
	mu     sync.Mutex
	screen bytes.Buffer
	exited chan struct{}
}

func startOnTerminal(t *testing.T, env []string, args ...string) *ptyTerm {
	t.Helper()
	tm := &ptyTerm{cmd: exec.Command(binPath, args...), exited: make(chan struct{})}
	tm.cmd.Env = append(os.Environ(), append([]string{"TERM=xterm-256color"}, env...)...)
	ptmx, err := pty.StartWithSize(tm.cmd, &pty.Winsize{Rows: 40, Cols: 140})
	if err != nil {
		t.Fatal(err)
	}
	tm.ptmx = ptmx
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				b := buf[:n]
				if bytes.Contains(b, []byte("\x1b]11;?")) {
					ptmx.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\"))
				}
				if bytes.Contains(b, []byte("\x1b[6n")) {
					ptmx.Write([]byte("\x1b[1;1R"))
				}
				tm.mu.Lock()
				tm.screen.Write(b)
				tm.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { tm.cmd.Wait(); close(tm.exited) }()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			tm.cmd.Process.Kill()
			<-tm.exited
		}
		ptmx.Close()
	})
	return tm
}

// waitScreen waits until the terminal shows s.
func (tm *ptyTerm) waitScreen(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		ok := bytes.Contains(tm.screen.Bytes(), []byte(s))
		tm.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	t.Fatalf("the terminal never showed %q; it shows:\n%q", s, tm.screen.String())
}

// quit presses q and waits for the exit status.
func (tm *ptyTerm) quit(t *testing.T) int {
	t.Helper()
	tm.ptmx.Write([]byte("q"))
	select {
	case <-tm.exited:
		return tm.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		t.Fatal("q did not quit the inspector")
		return -1
	}
}

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
	tm := startOnTerminal(t, nil, "live", srv.URL+"/v1/messages", "--save", capture)
	tm.waitScreen(t, "content_block_delta")
	tm.waitScreen(t, "overloaded_error")
	if code := tm.quit(t); code != 1 {
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
	tm := startOnTerminal(t, nil, "proxy", "--listen", ln, "--upstream", up.URL, "--save", dir)
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
	tm.waitScreen(t, "529 overloaded_error")
	tm.waitScreen(t, "MISMATCH")
	if code := tm.quit(t); code != 0 {
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
	tm := startOnTerminal(t, nil, "proxy", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--save", t.TempDir())
	tm.waitScreen(t, "Waiting for the first request")
	tm.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-tm.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not stop the proxy")
	}
	if code := tm.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	tm.waitScreen(t, "\x1b[?1049l")
}
