// Command tuirss measures the peak memory of `midstream proxy` with its
// inspector open, as a user runs it: the real binary in a pseudo-terminal,
// an origin on loopback streaming Anthropic-style SSE bodies of -size
// bytes each, and -n exchanges sent through the proxy one after another.
// It prints the proxy's peak resident memory (VmHWM from /proc) and its
// resident memory once every exchange was diagnosed (issue #10: 300 × 1 MB
// exchanges in TUI mode must stay under 256 MiB).
//
//	go build -o /tmp/midstream . && go run ./scripts/tuirss -bin /tmp/midstream -n 300 -size 1000000
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
)

func main() {
	bin := flag.String("bin", "midstream", "the midstream binary to measure")
	n := flag.Int("n", 300, "exchanges to send through the proxy")
	size := flag.Int("size", 1_000_000, "body bytes per exchange")
	settle := flag.Duration("settle", 5*time.Second, "wait after the last exchange before the final reading")
	flag.Parse()
	if err := run(*bin, *n, *size, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "tuirss:", err)
		os.Exit(1)
	}
}

func run(bin string, n, size int, settle time.Duration) error {
	origin, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	body := sseBody(size)
	go http.Serve(origin, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Request-Id", "req_tuirss")
		f := w.(http.Flusher)
		// Written in event-sized pieces with a flush every 64 events, so
		// the proxy sees a stream, not one write.
		for off, k := 0, 0; off < len(body); k++ {
			end := bytes.Index(body[off:], []byte("\n\n"))
			if end < 0 {
				end = len(body) - off - 2
			}
			w.Write(body[off : off+end+2])
			off += end + 2
			if k%64 == 0 {
				f.Flush()
			}
		}
	}))
	port, err := freePort()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "midstream-tuirss-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	listen := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "proxy", "--upstream", "http://"+origin.Addr().String(), "--listen", listen, "--save", dir)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		return err
	}
	defer tty.Close()
	go answerQueries(tty)
	if err := waitListening(listen, 30*time.Second); err != nil {
		cmd.Process.Kill()
		return err
	}
	start := time.Now()
	var peakDuring int64
	for i := 0; i < n; i++ {
		if err := send(listen); err != nil {
			cmd.Process.Kill()
			return fmt.Errorf("exchange %d: %w", i+1, err)
		}
		peakDuring = max(peakDuring, statusKB(cmd.Process.Pid, "VmRSS"))
	}
	elapsed := time.Since(start)
	time.Sleep(settle)
	rss := statusKB(cmd.Process.Pid, "VmRSS")
	hwm := statusKB(cmd.Process.Pid, "VmHWM")
	io.WriteString(tty, "q")
	waitExit(cmd)
	total := float64(n) * float64(size) / (1 << 20)
	fmt.Printf("proxy with the inspector, %d exchanges × %d B (%.0f MiB) in %v: peak RSS %.0f MiB (VmHWM), %.0f MiB after %v settling; %.2f × the traffic\n",
		n, size, total, elapsed.Round(time.Millisecond), float64(hwm)/1024, float64(rss)/1024, settle, float64(hwm)/1024/total)
	return nil
}

// sseBody is an Anthropic-style message of about size bytes.
func sseBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n")
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := 0; b.Len() < size-400; i++ {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word %d of a long answer \"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":100}}\n\n")
	b.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

func send(listen string) error {
	req, _ := http.NewRequest("POST", "http://"+listen+"/v1/messages", strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// answerQueries reads the terminal and answers Bubble Tea's background
// colour and cursor position queries as a dark terminal does (it waits
// for a reply otherwise).
func answerQueries(tty *os.File) {
	buf := make([]byte, 64<<10)
	var mu sync.Mutex
	answered := false
	for {
		k, err := tty.Read(buf)
		mu.Lock()
		if !answered && bytes.Contains(buf[:k], []byte("\x1b[6n")) {
			answered = true
			io.WriteString(tty, "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[1;1R")
		}
		mu.Unlock()
		if err != nil {
			return
		}
	}
}

func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the proxy did not listen on %s within %v", addr, limit)
}

func waitExit(cmd *exec.Cmd) {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// statusKB reads a "Name:   N kB" line of /proc/PID/status.
func statusKB(pid int, name string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
