package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestBoundedLog: a run's log keeps the head and the last bytes of CMD's
// output, in order, and names how much it left out.
func TestBoundedLog(t *testing.T) {
	const note = "\n[midstream drill: %s bytes of CMD's output left out here]\n"
	cases := []struct {
		name   string
		writes []string
		want   string
	}{
		{"within the head", []string{"abc", "de"}, "abcde"},
		{"head then tail, nothing lost", []string{"abcdef", "gh"}, "abcdefgh"},
		{"tail wraps once", []string{"abcd", "123456", "78"}, "abcd" + strings.Replace(note, "%s", "4", 1) + "5678"},
		{"one write larger than head and tail", []string{"abcd0123456789"}, "abcd" + strings.Replace(note, "%s", "6", 1) + "6789"},
		{"many small writes", strings.Split("abcdefghijklmnopqrstuvwxyz", ""), "abcd" + strings.Replace(note, "%s", "18", 1) + "wxyz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			l := newBoundedLog(&b, 4, 4)
			for _, w := range c.writes {
				if n, err := l.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if err := l.finish(); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("log = %q, want %q", b.String(), c.want)
			}
		})
	}
}

// TestDrillLogIsBounded: CMD printing far more than the bounds leaves a
// log of at most head+tail bytes (plus the note) that still ends with
// CMD's last line.
func TestDrillLogIsBounded(t *testing.T) {
	const printed = 24 << 20
	rn := &runner{
		args:    []string{"sh", "-c", "head -c " + strconv.Itoa(printed) + " /dev/zero; echo LAST-LINE"},
		env:     os.Environ(),
		timeout: time.Minute,
		logDir:  t.TempDir(),
	}
	end, err := rn.run(context.Background(), 1)
	if err != nil || end.exit != 0 {
		t.Fatalf("run: exit %d, %v", end.exit, err)
	}
	got, err := os.ReadFile(end.log)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > drillLogHead+drillLogTail+200 {
		t.Errorf("log holds %d bytes of %d printed; want at most head %d + tail %d", len(got), printed, drillLogHead, drillLogTail)
	}
	if !bytes.HasSuffix(got, []byte("LAST-LINE\n")) {
		t.Errorf("log does not end with CMD's last line: …%q", got[max(0, len(got)-40):])
	}
	if !bytes.Contains(got, []byte("bytes of CMD's output left out here")) {
		t.Errorf("log does not say that output was left out")
	}
}

// testKey has the shape of an Anthropic key: RedactText hides it.
const testKey = "sk-ant-api03-abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"

// TestRedactingLines: a key CMD prints is redacted even when it reaches
// the writer in pieces, and no byte of the output is lost or reordered.
func TestRedactingLines(t *testing.T) {
	long := strings.Repeat("x", redactLineMax+10)
	cases := []struct {
		name   string
		writes []string
		want   string // "" : the writes joined, unchanged
	}{
		{"plain lines pass unchanged", []string{"one\ntwo\n", "three"}, ""},
		{"key in one write", []string{"key " + testKey + "\n"}, "key " + stream.RedactText(testKey) + "\n"},
		{"key split over writes", []string{"key " + testKey[:15], testKey[15:30], testKey[30:] + "\nnext\n"},
			"key " + stream.RedactText(testKey) + "\nnext\n"},
		{"unended last line", []string{"a\n", "tail " + testKey}, "a\ntail " + stream.RedactText(testKey)},
		{"line past the bound passes in pieces", []string{long, "\n"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			r := &redactingLines{w: &b}
			for _, w := range c.writes {
				if n, err := r.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := r.flush(); err != nil {
				t.Fatal(err)
			}
			want := c.want
			if want == "" {
				want = strings.Join(c.writes, "")
			}
			if b.String() != want {
				t.Errorf("got %q…, want %q…", b.String()[:min(80, b.Len())], want[:min(80, len(want))])
			}
			if strings.Contains(b.String(), testKey) {
				t.Error("the key got through")
			}
		})
	}
}

// TestDrillRedactsKeysInCMDOutput: a key CMD prints reaches neither the
// run's log nor --verbose's stderr.
func TestDrillRedactsKeysInCMDOutput(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", testKey)
	rep, code, stderr := runDrillTest(t, "noisy", "--verbose", "--faults", "cut-before-end")
	if code != 0 || len(rep.Runs) != 2 {
		t.Fatalf("exit %d, %d runs\n%s", code, len(rep.Runs), stderr)
	}
	if strings.Contains(stderr, testKey) || !strings.Contains(stderr, "sk-ant-api03-[REDACTED") {
		t.Errorf("--verbose did not show CMD's line with the key redacted: %q", stderr)
	}
	log := rep.Runs[1].Log // the fault is reported (exit 1): its log is kept
	if log == "" {
		t.Fatalf("no log kept for %+v", rep.Runs[1])
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte(testKey)) || !bytes.Contains(got, []byte("sk-ant-api03-[REDACTED")) {
		t.Errorf("log %s holds the key unredacted: %q", log, got)
	}
	t.Cleanup(func() { os.RemoveAll(rep.LogDir) })
}

// TestDrillRemovesLogsOnError: when drill stops with an error after the
// control run (here CMD vanishes before run 2), it prints no report naming
// the logs, so it must not leave their directory behind in TMPDIR.
func TestDrillRemovesLogsOnError(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "app.sh")
	// A good control run, after which the script removes itself: run 2
	// cannot start.
	body := "#!/bin/sh\n'" + self + "'\nrc=$?\nrm -f \"$0\"\nexit $rc\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv(drillHelperEnv, "strict")
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"drill", "--faults", "cut-before-end", "--", script})
	if err := root.Execute(); err == nil {
		t.Fatalf("drill succeeded although CMD vanished after the control run\n%s", errb.String())
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "midstream-drill-*"))
	if len(left) != 0 {
		t.Errorf("drill left %v behind after an error", left)
	}
}
