package main

import (
	"strings"
	"testing"
)

// TestReadLimitFlags: every command that reads captures takes the limit
// flags, and passing a limit is one line naming the input, exit 2.
func TestReadLimitFlags(t *testing.T) {
	long := writeCapture(t, "long.jsonl", `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":null}`+"\n"+
		`{"t":"chunk","at_us":1,"text":"`+strings.Repeat("x", 3000)+`"}`+"\n")
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"diagnose /dev/zero", "", []string{"diagnose", "--max-input", "64KiB", "/dev/zero"}, "/dev/zero: more than 64 KiB read from a pipe or device"},
		{"export stdin", strings.Repeat("data: x\n\n", 1000), []string{"export", "--max-input", "1K", "--to", "sse", "-"}, "stdin: more than 1 KiB read"},
		{"serve /dev/zero", "", []string{"serve", "--max-input", "64KiB", "/dev/zero"}, "/dev/zero: more than 64 KiB"},
		{"replay /dev/zero", "", []string{"replay", "--max-input", "64KiB", "/dev/zero"}, "/dev/zero: more than 64 KiB"},
		{"diagnose a long JSONL line", "", []string{"diagnose", "--max-line", "2KiB", long}, "line 2 (byte 87): the line is more than 2 KiB"},
		{"a bad size", "", []string{"diagnose", "--max-input", "lots", long}, `want a positive size like 512MiB or 4GiB, got "lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, msg, code := diagRun(t, tt.stdin, tt.args...)
			if code != 2 || !strings.Contains(msg, tt.wantErr) || strings.Contains(msg, "\n") {
				t.Fatalf("exit %d %q, want 2 with %q on one line", code, msg, tt.wantErr)
			}
		})
	}
}
