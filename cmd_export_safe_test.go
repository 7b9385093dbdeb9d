package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/internal/hostile"
	"github.com/midstreamhq/midstream/stream"
)

// hostileExportBody is an SSE body whose bytes would act on a terminal: an OSC
// 52 clipboard write, CSI as a C1 control, a bidi override and DEL.
const hostileExportBody = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\x1b]52;c;Y3VybCB8IHNo\x07\",\"message\":\"\u009b31m \u202egnp.exe \x7f\"}}\n\n"

// hasRaw reports whether out holds a code point a terminal acts on; CR
// is allowed (an SSE body may use CRLF, and it only moves the cursor).
func hasRaw(out string) bool {
	_, bad := hostile.RawControl(strings.ReplaceAll(out, "\r", ""))
	return bad
}

// TestExportKeepsControlsOffTheTerminal: exported files keep the body's
// meaning byte-exact but hold no raw ESC, C1, DEL or bidi code point in
// their JSON, and standard output on a terminal shows every format
// escaped, while a pipe still gets the exact bytes.
func TestExportKeepsControlsOffTheTerminal(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "hostile.sse")
	if err := os.WriteFile(in, []byte(hostileExportBody), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"jsonl", "har"} {
		t.Run("file "+to, func(t *testing.T) {
			out := filepath.Join(dir, "out."+to)
			if _, stderr, code := runCLI(t, nil, "export", in, "--to", to, "-o", out); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, _ := os.ReadFile(out)
			if hasRaw(string(b)) {
				t.Fatalf("%s output holds raw control code points", to)
			}
			xs, err := stream.ReadFile(out)
			if err != nil || len(xs) != 1 || string(xs[0].Body()) != hostileExportBody {
				t.Fatalf("body does not read back byte-exact: %v", err)
			}
		})
	}
	cases := []struct {
		name     string
		terminal bool
		to       string
		exact    bool
	}{
		{"sse to a pipe is exact", false, "sse", true},
		{"sse to a terminal is escaped", true, "sse", false},
		{"jsonl to a terminal is escaped", true, "jsonl", false},
		{"har to a terminal is escaped", true, "har", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := stdoutIsTerminal
			stdoutIsTerminal = func() bool { return tc.terminal }
			defer func() { stdoutIsTerminal = old }()
			out, stderr, code := runCLI(t, nil, "export", in, "--to", tc.to)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if tc.exact {
				if out != hostileExportBody {
					t.Fatalf("pipe output is not the exact body: %q", out)
				}
				return
			}
			if hasRaw(out) {
				t.Fatalf("terminal output holds raw controls: %q", out)
			}
			if !strings.Contains(out, "overloaded_error") {
				t.Fatalf("the escaped value is gone: %q", out)
			}
			if tc.to == "sse" && !strings.Contains(out, "␛]52") {
				t.Fatalf("ESC is not shown as ␛: %q", out)
			}
		})
	}
}
