package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportOutputTargets runs the real export path against outputs that
// must not be replaced or written through: every bad target is exit
// status 2 with a one-line message naming it.
func TestExportOutputTargets(t *testing.T) {
	vcr := filepath.Join(fixtures, "go-vcr-v2.yaml")
	tests := []struct {
		name   string
		target func(t *testing.T, dir string) string
		code   int
		stderr string
		check  func(t *testing.T, dir, target string)
	}{
		{
			name: "dev null stays a device",
			target: func(t *testing.T, dir string) string {
				if _, err := os.Stat("/dev/null"); err != nil {
					t.Skip("no /dev/null")
				}
				return "/dev/null"
			},
			check: func(t *testing.T, dir, target string) {
				fi, err := os.Stat("/dev/null")
				if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
					t.Fatalf("/dev/null is now %v (%v)", fi.Mode(), err)
				}
			},
		},
		{
			name: "symlink refused",
			target: func(t *testing.T, dir string) string {
				real := filepath.Join(dir, "victim")
				if err := os.WriteFile(real, []byte("keep"), 0o644); err != nil {
					t.Fatal(err)
				}
				link := filepath.Join(dir, "out.jsonl")
				if err := os.Symlink(real, link); err != nil {
					t.Fatal(err)
				}
				return link
			},
			code:   2,
			stderr: "symbolic link",
			check: func(t *testing.T, dir, target string) {
				b, _ := os.ReadFile(filepath.Join(dir, "victim"))
				fi, _ := os.Stat(filepath.Join(dir, "victim"))
				if string(b) != "keep" || fi.Mode().Perm() != 0o644 {
					t.Fatalf("the link's target changed: %q %v", b, fi.Mode())
				}
			},
		},
		{
			name:   "missing folder",
			target: func(t *testing.T, dir string) string { return filepath.Join(dir, "nope", "out.jsonl") },
			code:   2,
			stderr: "does not exist",
		},
		{
			name: "new file",
			target: func(t *testing.T, dir string) string {
				return filepath.Join(dir, "new.jsonl")
			},
			check: func(t *testing.T, dir, target string) {
				fi, err := os.Stat(target)
				if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
					t.Fatalf("%s: %v, err %v", target, fi, err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			target := tc.target(t, dir)
			_, stderr, code := runCLI(t, nil, "export", vcr, "--to", "jsonl", "-o", target)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d with %q", code, stderr, tc.code, tc.stderr)
			}
			if tc.code != 0 && (!strings.Contains(stderr, target) || strings.Count(strings.TrimSpace(stderr), "\n") != 0) {
				t.Fatalf("stderr %q: want one line naming %s", stderr, target)
			}
			if tc.check != nil {
				tc.check(t, dir, target)
			}
		})
	}
}
