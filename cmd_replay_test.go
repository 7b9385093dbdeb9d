package main

import (
	"os"
	"strings"
	"testing"
)

// TestE2EReplayStdinPipe: `replay -` from a pipe shows how much it has
// read while the writer holds back the rest, then the exchange once the
// pipe is closed.
func TestE2EReplayStdinPipe(t *testing.T) {
	capture, err := os.ReadFile(writeDemoCapture(t))
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := startInPTYFrom(t, r, nil, "replay", "-", "--instant")
	r.Close()
	half := len(capture) / 2
	if _, err := w.Write(capture[:half]); err != nil {
		t.Fatal(err)
	}
	p.waitScreen(t, "Reading -")
	if _, err := w.Write(capture[half:]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	p.waitScreen(t, "HTTP 200", "529 overloaded_error", "MISMATCH", "Timeline")
	p.press(t, "q")
	if code := p.waitExit(t); code != 0 {
		t.Errorf("exit status %d after q, want 0", code)
	}
}

// TestE2EReplayLimitFlags: the --max-* flags reach the reader behind the
// inspector; passing one is a read error, shown on screen and exiting 2.
func TestE2EReplayLimitFlags(t *testing.T) {
	p := startInPTY(t, nil, "replay", "--max-line", "64", writeDemoCapture(t))
	p.waitScreen(t, "ERROR", "--max-line")
	p.press(t, "x")
	if code := p.waitExit(t); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if s := p.screenText(); !strings.Contains(s, "overloaded.jsonl") {
		t.Errorf("the error does not name the file:\n%s", s)
	}
}
