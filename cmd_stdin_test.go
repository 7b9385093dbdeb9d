package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStdinTerminalRefused: "-" while standard input is a terminal is
// refused at once, exit status 2, with a hint to pipe a capture in; a file
// argument is read as usual.
func TestStdinTerminalRefused(t *testing.T) {
	oldIn, oldOut := stdinIsTerminal, stdoutIsTerminal
	stdinIsTerminal = func(io.Reader) bool { return true }
	stdoutIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdinIsTerminal, stdoutIsTerminal = oldIn, oldOut })
	capture := filepath.Join("testdata", "overloaded_midstream.sse")
	tests := []struct {
		name string
		args []string
		hint string // "" = not refused
	}{
		{"replay", []string{"replay", "-"}, "replay -: standard input is a terminal; pipe a capture in: cat capture.jsonl | midstream replay -"},
		{"open", []string{"open", "-"}, "open -: standard input is a terminal; pipe a capture in: cat capture.jsonl | midstream open -"},
		{"diagnose among files", []string{"diagnose", capture, "-"}, "| midstream diagnose -"},
		{"export", []string{"export", "--to", "jsonl", "-"}, "| midstream export --to jsonl -"},
		{"serve", []string{"serve", "--listen", "127.0.0.1:0", "-"}, "| midstream serve -"},
		{"serve --then", []string{"serve", "--listen", "127.0.0.1:0", capture, "--then", "-#2"}, "| midstream serve -"},
		{"replay of a file", []string{"replay", capture}, ""},
		{"diagnose of a file", []string{"diagnose", capture}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, nil, tc.args...)
			if tc.hint == "" {
				if code == 2 {
					t.Errorf("exit 2 for a file argument: %s", errOut)
				}
				return
			}
			if code != 2 || !strings.Contains(errOut, tc.hint) {
				t.Errorf("exit %d, stderr %q; want exit 2 with %q", code, errOut, tc.hint)
			}
		})
	}
}

// TestE2EReplayStdinTerminal: `midstream replay -` in a terminal, with
// nothing piped in, exits 2 at once with the hint instead of taking over
// the screen and reading keys as the capture.
func TestE2EReplayStdinTerminal(t *testing.T) {
	p := startInPTY(t, nil, "replay", "-")
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("replay - still running on a terminal; screen:\n%s", p.screenText())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	p.waitScreen(t, "midstream: replay -: standard input is a terminal; pipe a capture in: cat capture.jsonl | midstream replay -")
}
