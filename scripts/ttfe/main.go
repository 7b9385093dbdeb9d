// Command ttfe measures replay's time to first event: it writes captures
// of the given sizes (bare SSE bodies, and midstream JSONL captures of
// the same events), runs `midstream replay --instant FILE` in a
// pseudo-terminal as a user would, and prints how long it took until the
// first event's row was on screen, until the verdict of the whole file
// was, and the replay's peak RSS (VmHWM) by then.
//
//	go build -o /tmp/midstream . && go run ./scripts/ttfe -bin /tmp/midstream -sizes 64,512 -formats sse,jsonl
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	formats := flag.String("formats", "sse", "capture formats, comma-separated: sse (a bare body), jsonl (a midstream capture)")
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
		for _, format := range strings.Split(*formats, ",") {
			format = strings.TrimSpace(format)
			write, ok := writers[format]
			if !ok {
				fail(fmt.Errorf("unknown format %q (want sse or jsonl)", format))
			}
			path := filepath.Join(dir, fmt.Sprintf("%dMiB.%s", mib, format))
			if err := write(path, int64(mib)<<20); err != nil {
				fail(err)
			}
			var first, all []time.Duration
			var peak int64
			for i := 0; i < *runs; i++ {
				f, a, hwm, err := measure(*bin, path, *limit)
				if err != nil {
					fail(err)
				}
				first, all, peak = append(first, f), append(all, a), max(peak, hwm)
			}
			fmt.Printf("%4d MiB %-5s: first screen after %v, ", mib, format, median(paints[len(paints)-*runs:]).Round(time.Millisecond))
			fmt.Printf("first event on screen after %v (median of %d: %v), verdict after %v (%v, CPU %v), peak RSS %d MiB\n",
				median(first).Round(time.Millisecond), *runs, round(first), median(all).Round(time.Millisecond), round(all), median(cpus[len(cpus)-*runs:]), peak>>20)
			os.Remove(path)
		}
	}
}

// writers write a capture of about size bytes whose first event's text
// is FIRSTEVENT, by format.
var writers = map[string]func(path string, size int64) error{"sse": writeSSE, "jsonl": writeJSONL}

// sseEvent is event i of the body both formats carry.
func sseEvent(i int) string {
	word := fmt.Sprintf("word%d", i)
	if i == 0 {
		word = "FIRSTEVENT"
	}
	return fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s \"}}\n\n", word)
}

// writeJSONL writes a one-exchange midstream capture of about size bytes:
// a header line, one chunk line per event (1 µs apart), an end line.
func writeJSONL(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	n, _ := io.WriteString(w, `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":{"status":200,"status_text":"OK","headers":{"Content-Type":["text/event-stream"]},"at_us":5}}`+"\n")
	i := 0
	for written := int64(n); written < size; i++ {
		text, _ := json.Marshal(sseEvent(i))
		k, _ := fmt.Fprintf(w, "{\"t\":\"chunk\",\"at_us\":%d,\"text\":%s}\n", 10+i, text)
		written += int64(k)
	}
	fmt.Fprintf(w, "{\"t\":\"end\",\"at_us\":%d,\"reason\":\"eof\"}\n", 10+i)
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// writeSSE writes a bare Anthropic-style SSE body of about size bytes.
func writeSSE(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	for i := 0; n < size; i++ {
		k, _ := io.WriteString(w, sseEvent(i))
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// measure runs one replay and returns the time until an event row is on
// screen and until the verdict's findings are, and the replay's peak RSS
// then.
func measure(bin, path string, timeout time.Duration) (first, all time.Duration, hwm int64, err error) {
	cmd := exec.Command(bin, "replay", "--instant", path)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		return 0, 0, 0, err
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
	var paint time.Duration
	defer func() { paints = append(paints, paint) }()
	for time.Now().Before(deadline) {
		mu.Lock()
		b := raw.Bytes()
		tail := ansi.Strip(string(b[max(0, seen-4096):]))
		seen = len(b)
		mu.Unlock()
		// An event row (the timeline follows the tail, so not
		// necessarily the first one's).
		if paint == 0 && strings.Contains(tail, "midstream") {
			paint = time.Since(start)
		}
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
	hwm = peakRSS(cmd.Process.Pid)
	cpus = append(cpus, cpuTime(cmd.Process.Pid))
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
		return 0, 0, 0, fmt.Errorf("%s: no event on screen in time; screen:\n%s", path, screen[max(0, len(screen)-3000):])
	}
	return first, all, hwm, nil
}

// paints are the times until the inspector's first screen (any screen)
// was drawn, of every run.
var paints []time.Duration

// cpus are the CPU times (user and system) the replay had used by the
// verdict, of every run: unlike wall-clock times, they hardly depend on
// what else the machine runs.
var cpus []time.Duration

// cpuTime returns the user and system CPU time process pid has used.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields 14 and 15 (utime, stime, in clock ticks of 1/100 s) follow
	// the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// peakRSS returns the VmHWM of process pid in bytes (0 if unknown).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
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
