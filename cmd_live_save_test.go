package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLiveSaveTargets: live --save never writes through a symbolic link,
// refuses an unwritable captures folder before sending anything, and says
// so (exit 1, no file left) when the capture cannot be written.
func TestLiveSaveTargets(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: ping\ndata: {\"type\":\"ping\"}\n\n"))
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string) []string // extra args
		code   int
		stderr string
		sent   bool
		check  func(t *testing.T, dir string)
	}{
		{
			name: "symlink to a regular file",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "victim"), []byte("keep"), 0o644))
				must(t, os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "link.jsonl")))
				return []string{"--save", filepath.Join(dir, "link.jsonl")}
			},
			code: 2, stderr: "symbolic link",
			check: func(t *testing.T, dir string) {
				if b, _ := os.ReadFile(filepath.Join(dir, "victim")); string(b) != "keep" {
					t.Fatalf("the link's target now holds %q", b)
				}
			},
		},
		{
			name: "captures folder below a file",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o600))
				t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "file"))
				return nil
			},
			code: 2, stderr: "cannot write",
		},
		{
			name: "disk full",
			setup: func(t *testing.T, dir string) []string {
				if _, err := os.Stat("/dev/full"); err != nil {
					t.Skip("no /dev/full")
				}
				return []string{"--save", "/dev/full"}
			},
			code: 1, stderr: "capture NOT saved to /dev/full", sent: true,
		},
		{
			name: "existing file replaced",
			setup: func(t *testing.T, dir string) []string {
				must(t, os.WriteFile(filepath.Join(dir, "old.jsonl"), []byte("old"), 0o644))
				return []string{"--save", filepath.Join(dir, "old.jsonl")}
			},
			code: 0, stderr: "capture saved to", sent: true,
			check: func(t *testing.T, dir string) {
				b, _ := os.ReadFile(filepath.Join(dir, "old.jsonl"))
				if !strings.HasPrefix(string(b), "{") {
					t.Fatalf("old.jsonl holds %q", b)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			hits.Store(0)
			args := append([]string{"live", "--no-tui", srv.URL}, tc.setup(t, dir)...)
			_, stderr, code := runCLI(t, nil, args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d with %q", code, stderr, tc.code, tc.stderr)
			}
			if sent := hits.Load() > 0; sent != tc.sent {
				t.Errorf("request sent: %v, want %v", sent, tc.sent)
			}
			if tc.check != nil {
				tc.check(t, dir)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
