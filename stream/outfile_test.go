package stream

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeAll(t *testing.T, o *Output, s string) {
	t.Helper()
	if _, err := o.Write([]byte(s)); err != nil {
		t.Fatalf("write %s: %v", o.Name(), err)
	}
}

func TestCreateOutputTargets(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns the target
		refused string                                // part of the TargetError, "" when accepted
		check   func(t *testing.T, dir, target string)
	}{
		{
			name:  "new file is 0600",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "new.jsonl") },
			check: func(t *testing.T, dir, target string) {
				fi, err := os.Lstat(target)
				if err != nil || fi.Mode() != 0o600 {
					t.Fatalf("mode %v, err %v; want -rw-------", fi.Mode(), err)
				}
			},
		},
		{
			name: "existing regular file replaced whole",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "old.jsonl")
				must(t, os.WriteFile(p, []byte(strings.Repeat("old content that is longer\n", 10)), 0o644))
				return p
			},
			check: func(t *testing.T, dir, target string) {
				b, _ := os.ReadFile(target)
				if string(b) != "hello\n" {
					t.Fatalf("content %q, want the new content only", b)
				}
			},
		},
		{
			name: "symlink to a regular file refused, target untouched",
			setup: func(t *testing.T, dir string) string {
				real := filepath.Join(dir, "real")
				must(t, os.WriteFile(real, []byte("keep"), 0o644))
				link := filepath.Join(dir, "link")
				must(t, os.Symlink(real, link))
				return link
			},
			refused: "symbolic link",
			check: func(t *testing.T, dir, target string) {
				b, _ := os.ReadFile(filepath.Join(dir, "real"))
				fi, _ := os.Lstat(target)
				if string(b) != "keep" || fi.Mode()&fs.ModeSymlink == 0 {
					t.Fatalf("link or its target changed: %q %v", b, fi.Mode())
				}
			},
		},
		{
			name: "dangling symlink refused, nothing created",
			setup: func(t *testing.T, dir string) string {
				link := filepath.Join(dir, "dangling")
				must(t, os.Symlink(filepath.Join(dir, "nowhere"), link))
				return link
			},
			refused: "symbolic link",
			check: func(t *testing.T, dir, target string) {
				if _, err := os.Lstat(filepath.Join(dir, "nowhere")); err == nil {
					t.Fatal("the link's target was created")
				}
			},
		},
		{
			name:    "directory refused",
			setup:   func(t *testing.T, dir string) string { return dir },
			refused: "directory",
		},
		{
			name:    "missing folder refused",
			setup:   func(t *testing.T, dir string) string { return filepath.Join(dir, "no", "such.jsonl") },
			refused: "does not exist",
		},
		{
			name:    "empty name refused",
			setup:   func(t *testing.T, dir string) string { return "" },
			refused: "no file name",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			target := tc.setup(t, dir)
			o, err := CreateOutput(target)
			if tc.refused != "" {
				var te *TargetError
				if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err = %v, want a TargetError about %q", err, tc.refused)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				writeAll(t, o, "hello\n")
				must(t, o.Commit())
			}
			if tc.check != nil {
				tc.check(t, dir, target)
			}
			assertNoTemp(t, dir)
		})
	}
}

// assertNoTemp fails if a temporary file was left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".midstream-probe") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCreateOutputDevNull(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil || os.DevNull != "/dev/null" {
		t.Skip("no /dev/null")
	}
	o, err := CreateOutput(os.DevNull)
	must(t, err)
	writeAll(t, o, "discarded\n")
	must(t, o.Sync())
	must(t, o.Commit())
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v (%v)", fi.Mode(), err)
	}
}

// A failed write (a full disk: /dev/full) is remembered and returned by
// Commit; a file being replaced is left as it was.
func TestOutputWriteFailure(t *testing.T) {
	t.Run("device full", func(t *testing.T) {
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		o, err := CreateOutput("/dev/full")
		must(t, err)
		if _, err := o.Write([]byte("x")); err == nil {
			t.Fatal("writing /dev/full succeeded")
		}
		if o.Err() == nil || o.Commit() == nil {
			t.Fatal("the write error was not kept")
		}
	})
	t.Run("abort keeps the old file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "old")
		must(t, os.WriteFile(p, []byte("old"), 0o600))
		o, err := CreateOutput(p)
		must(t, err)
		writeAll(t, o, "new")
		o.Abort()
		b, _ := os.ReadFile(p)
		if string(b) != "old" {
			t.Fatalf("content %q, want old", b)
		}
		assertNoTemp(t, dir)
	})
}

func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.jsonl")
	o, err := CreateNew(p)
	must(t, err)
	if _, err := CreateNew(p); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CreateNew: %v, want ErrExist", err)
	}
	must(t, o.Commit()) // nothing written, no error: an empty file is kept
	link := filepath.Join(dir, "link")
	must(t, os.Symlink(filepath.Join(dir, "target"), link))
	if _, err := CreateNew(link); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CreateNew over a dangling link: %v, want ErrExist", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "target")); err == nil {
		t.Fatal("CreateNew followed the link")
	}
	o, err = CreateNew(filepath.Join(dir, "dropped"))
	must(t, err)
	o.Abort()
	if _, err := os.Stat(filepath.Join(dir, "dropped")); err == nil {
		t.Fatal("Abort left the new file")
	}
}

func TestProbeDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	must(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		name string
		dir  string
		ok   bool
	}{
		{"existing folder", dir, true},
		{"created folder", filepath.Join(dir, "a", "b"), true},
		{"a file", file, false},
		{"below a file", filepath.Join(file, "sub"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ProbeDir(tc.dir)
			var te *TargetError
			if tc.ok && err != nil || !tc.ok && !errors.As(err, &te) {
				t.Fatalf("ProbeDir(%s) = %v", tc.dir, err)
			}
			if tc.ok {
				assertNoTemp(t, tc.dir)
			}
		})
	}
}

// A new file (a proxy capture) whose first write failed is removed, not
// left empty; one that holds bytes is kept for what it holds.
func TestCommitAfterFailedWrite(t *testing.T) {
	tests := []struct {
		name   string
		before string // written before the failure
		kept   bool
	}{
		{"nothing written", "", false},
		{"partly written", "{\"header\":1}\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.jsonl")
			o, err := CreateNew(p)
			must(t, err)
			if tc.before != "" {
				writeAll(t, o, tc.before)
			}
			o.f.Close() // the next write fails, as on a full disk
			if _, err := o.Write([]byte("more")); err == nil {
				t.Fatal("write after close succeeded")
			}
			if err := o.Commit(); err == nil {
				t.Fatal("Commit hid the write error")
			}
			if _, err := os.Stat(p); (err == nil) != tc.kept {
				t.Fatalf("file kept: %v, want %v", err == nil, tc.kept)
			}
		})
	}
}
