// Command ttfe measures replay's time to first event: it writes bare SSE
// files of the given sizes, runs `midstream replay --instant FILE` in a
// pseudo-terminal as a user would, and prints how long it took until the
// first event's row was on screen, and until the verdict of the whole
// file was.
//
//	go build -o /tmp/midstream . && go run ./scripts/ttfe -bin /tmp/midstream -sizes 64,512
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

func main() {
	bin := flag.String("bin", "midstream", "the midstream binary to measure")
	sizes := flag.String("sizes", "64,512", "file sizes in MiB, comma-separated")
	runs := flag.Int("runs", 3, "runs per size (the median is printed)")
	limit := flag.Duration("timeout", 2*time.Minute, "give up on a run after this long")
	flag.Parse()
	dir, err := os.MkdirTemp("", "midstream-ttfe-*")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	for _, s := range strings.Split(*sizes, ",") {
		mib, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fail(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%dMiB.sse", mib))
		if err := writeSSE(path, int64(mib)<<20); err != nil {
			fail(err)
		}
		var first, all []time.Duration
		for i := 0; i < *runs; i++ {
			f, a, err := measure(*bin, path, *limit)
			if err != nil {
				fail(err)
			}
			first, all = append(first, f), append(all, a)
		}
		fmt.Printf("%4d MiB: first event on screen after %v (median of %d: %v), verdict after %v (%v)\n",
			mib, median(first).Round(time.Millisecond), *runs, round(first), median(all).Round(time.Millisecond), round(all))
		os.Remove(path)
	}
}

// writeSSE writes a bare Anthropic-style SSE body of about size bytes
// whose first event's text is FIRSTEVENT.
func writeSSE(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	for i := 0; n < size; i++ {
		word := fmt.Sprintf("word%d", i)
		if i == 0 {
			word = "FIRSTEVENT"
		}
		k, _ := fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s \"}}\n\n", word)
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// measure runs one replay and returns the time until FIRSTEVENT is on
// screen and until the verdict's findings are.
func measure(bin, path string, timeout time.Duration) (first, all time.Duration, err error) {
	cmd := exec.Command(bin, "replay", "--instant", path)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		return 0, 0, err
	}
	defer tty.Close()
	var mu sync.Mutex
	var raw bytes.Buffer
	go func() {
		buf := make([]byte, 64<<10)
		answered := false
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			raw.Write(buf[:n])
			ask := !answered && bytes.Contains(raw.Bytes(), []byte("\x1b[6n"))
			mu.Unlock()
			if ask {
				// Answer the background-colour query as a dark terminal
				// does, or Bubble Tea waits 5s for a reply.
				answered = true
				io.WriteString(tty, "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[1;1R")
			}
			if err != nil {
				return
			}
		}
	}()
	deadline := start.Add(timeout)
	var seen int
	for time.Now().Before(deadline) {
		mu.Lock()
		b := raw.Bytes()
		tail := ansi.Strip(string(b[max(0, seen-4096):]))
		seen = len(b)
		mu.Unlock()
		// An event row (the timeline follows the tail, so not
		// necessarily the first one's).
		if first == 0 && strings.Contains(tail, "content_block_delta word") {
			first = time.Since(start)
		}
		// The verdict's findings come once the whole body is decoded.
		if first != 0 && strings.Contains(tail, "findings)") {
			all = time.Since(start)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	io.WriteString(tty, "q")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	if first == 0 {
		mu.Lock()
		screen := ansi.Strip(raw.String())
		mu.Unlock()
		return 0, 0, fmt.Errorf("%s: no event on screen in time; screen:\n%s", path, screen[max(0, len(screen)-3000):])
	}
	return first, all, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

func round(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ttfe:", err)
	os.Exit(1)
}
