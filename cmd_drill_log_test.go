package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
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
