package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui/demodata"
)

// ptyProc is the midstream binary running in a pseudo-terminal, as a user
// would run it.
type ptyProc struct {
	cmd    *exec.Cmd
	tty    *os.File
	mu     sync.Mutex
	raw    bytes.Buffer
	exited chan error
}

func startInPTY(t *testing.T, env []string, args ...string) *ptyProc {
	t.Helper()
	return startInPTYFrom(t, nil, env, args...)
}

// startInPTYFrom is startInPTY with stdin read from in (the terminal when
// nil); the inspector still reads keys from the terminal.
func startInPTYFrom(t *testing.T, in *os.File, env []string, args ...string) *ptyProc {
	t.Helper()
	p := &ptyProc{cmd: exec.Command(binPath, args...), exited: make(chan error, 1)}
	if in != nil {
		p.cmd.Stdin = in
	}
	p.cmd.Dir = t.TempDir()
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(), "TERM=xterm-256color", "NO_COLOR=1"}
	p.cmd.Env = append(base, env...)
	size := &pty.Winsize{Rows: 40, Cols: 120}
	var tty *os.File
	var err error
	if in != nil {
		// The terminal must be the controlling one although it is not
		// stdin: it is the child's stdout (descriptor 1).
		tty, err = pty.StartWithAttrs(p.cmd, size, &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1})
	} else {
		tty, err = pty.StartWithSize(p.cmd, size)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.tty = tty
	go func() {
		buf := make([]byte, 32<<10)
		answered := false
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.raw.Write(buf[:n])
			// Bubble Tea asks the terminal for its background colour
			// (OSC 11, then a cursor report) when it starts; answer as a
			// dark-background terminal does, or it waits 5s for a reply.
			ask := !answered && strings.Contains(p.raw.String(), "\x1b[6n")
			p.mu.Unlock()
			if ask {
				answered = true
				io.WriteString(tty, "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[1;1R")
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
		tty.Close()
	})
	return p
}

// screenText is everything drawn so far with escape sequences removed.
func (p *ptyProc) screenText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ansi.Strip(p.raw.String())
}

func (p *ptyProc) rawText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raw.String()
}

// waitScreen waits until every want is on screen.
func (p *ptyProc) waitScreen(t *testing.T, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := p.screenText()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q never appeared on screen; screen so far:\n%s", missing, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *ptyProc) press(t *testing.T, keys string) {
	t.Helper()
	if _, err := io.WriteString(p.tty, keys); err != nil {
		t.Fatal(err)
	}
}

func (p *ptyProc) waitExit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after q; screen:\n%s", p.screenText())
		return -1
	}
}

// writeDemoCapture writes the default demo as a midstream JSONL capture.
func writeDemoCapture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "overloaded.jsonl")
	var buf bytes.Buffer
	if err := stream.WriteJSONL(&buf, demodata.All[0].Exchange()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestE2EReplayInTerminal runs `midstream replay FILE --instant` in a
// 120×40 pseudo-terminal without colour, finds both statuses and the
// mismatch on screen, copies the diagnosis and quits cleanly. With no
// display the copy goes by OSC 52 and to a file, and the status line says
// so.
func TestE2EReplayInTerminal(t *testing.T) {
	p := startInPTY(t, nil, "replay", writeDemoCapture(t), "--instant")
	p.waitScreen(t, "HTTP 200", "529 overloaded_error", "MISMATCH", "Timeline")
	// The detail pane's raw frame is read in a command, not in Update:
	// it must still show up by itself, and follow the selection.
	p.waitScreen(t, "Raw frame:", "event: error")
	p.press(t, "k")
	p.waitScreen(t, "Event 22 of 23", "event: content_block_delta")
	p.press(t, "c")
	p.waitScreen(t, "sent by OSC 52", "saved to")
	if !strings.Contains(p.rawText(), "\x1b]52;c;") {
		t.Error("no OSC 52 sequence reached the terminal")
	}
	s := p.screenText()
	i := strings.Index(s, "saved to ")
	path := strings.Fields(s[i+len("saved to "):])[0]
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the status line names %q: %v", path, err)
	}
	if !bytes.Contains(md, []byte("529")) || bytes.Contains(md, []byte("DEMOcanary")) {
		t.Errorf("saved diagnosis lacks the 529 or leaks the canary key:\n%s", md)
	}
	p.press(t, "q")
	if code := p.waitExit(t); code != 0 {
		t.Errorf("exit status %d after q, want 0", code)
	}
}

// TestE2EReplayWithoutTerminalPrintsDiagnosis: piped output gets the text
// report instead of the inspector.
func TestE2EReplayWithoutTerminalPrintsDiagnosis(t *testing.T) {
	for _, args := range [][]string{{"replay", writeDemoCapture(t)}, {"demo"}, {"open", writeDemoCapture(t)}} {
		t.Run(args[0], func(t *testing.T) {
			out, err := exec.Command(binPath, args...).Output()
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			s := string(out)
			if !strings.Contains(s, "529") || !strings.Contains(s, "overloaded_error") || strings.Contains(s, "\x1b[?1049h") {
				t.Errorf("want the text diagnosis, not the TUI:\n%s", s)
			}
		})
	}
}

// TestE2EReplayMissingFile fails before taking over the screen, with the
// exit status of any unreadable input (2).
func TestE2EReplayMissingFile(t *testing.T) {
	p := startInPTY(t, nil, "replay", filepath.Join(t.TempDir(), "nope.jsonl"))
	if code := p.waitExit(t); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	// The process may exit before the reader goroutine has drained the
	// pty, so wait for the message rather than reading the screen once.
	p.waitScreen(t, "nope.jsonl")
}

// TestE2EClipboardX11 proves the copied diagnosis arrives on a real X
// clipboard: it needs xclip and an X server (Xvfb), which .ci/run
// installs; with MIDSTREAM_REQUIRE_CLIPBOARD=1 (set by .ci/run) their
// absence fails the test instead of skipping it.
func TestE2EClipboardX11(t *testing.T) {
	require := os.Getenv("MIDSTREAM_REQUIRE_CLIPBOARD") == "1"
	unavailable := func(why string) {
		if require {
			t.Fatalf("MIDSTREAM_REQUIRE_CLIPBOARD=1 but %s", why)
		}
		t.Skipf("no X clipboard to test against: %s (install xvfb and xclip, as .ci/run does)", why)
	}
	if _, err := exec.LookPath("xclip"); err != nil {
		unavailable("xclip is not installed")
	}
	display := os.Getenv("DISPLAY")
	if display == "" {
		xvfb, err := exec.LookPath("Xvfb")
		if err != nil {
			unavailable("DISPLAY is unset and Xvfb is not installed")
		}
		display = startXvfb(t, xvfb)
	}
	p := startInPTY(t, []string{"DISPLAY=" + display}, "replay", writeDemoCapture(t), "--instant")
	p.waitScreen(t, "MISMATCH")
	p.press(t, "c")
	p.waitScreen(t, "copied to the clipboard")
	// Read while the inspector runs, as a user pasting would: in this
	// test midstream leads the pty's session, so quitting hangs up the
	// xclip process that serves the selection.
	read := exec.Command("xclip", "-o", "-selection", "clipboard")
	read.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := read.Output()
	if err != nil {
		t.Fatalf("xclip -o: %v", err)
	}
	p.press(t, "q")
	if code := p.waitExit(t); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	s := string(out)
	for _, want := range []string{"529", "overloaded_error", "HTTP 200"} {
		if !strings.Contains(s, want) {
			t.Errorf("clipboard lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "DEMOcanary") {
		t.Errorf("clipboard leaks the canary key:\n%s", s)
	}
}

// startXvfb starts a private X server and returns its display.
func startXvfb(t *testing.T, xvfb string) string {
	t.Helper()
	for n := 90 + os.Getpid()%50; n < 200; n++ {
		display := fmt.Sprintf(":%d", n)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		cmd := exec.Command(xvfb, display, "-nolisten", "tcp", "-screen", "0", "640x480x24")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting Xvfb: %v", err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				return display
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("Xvfb %s did not come up", display)
	}
	t.Fatal("no free X display number")
	return ""
}
