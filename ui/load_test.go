package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

func TestSaveWritesARedactedCaptureThatReadsBack(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 100, 30)
	press(m, "s")
	s := screen(m)
	i := strings.Index(s, "capture saved to ")
	if i < 0 {
		t.Fatalf("no save confirmation:\n%s", s)
	}
	name := strings.Fields(s[i+len("capture saved to "):])[0]
	path := filepath.Join(m.dir, name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("DEMOcanary")) {
		t.Error("the saved capture leaks the canary key")
	}
	xs, err := stream.ReadFile(path)
	if err != nil || len(xs) != 1 {
		t.Fatalf("read back: %v (%d exchanges)", err, len(xs))
	}
	if !bytes.Equal(xs[0].Body(), demo(t, "overloaded").Body()) || xs[0].Response.Status != 200 || !xs[0].Timed {
		t.Error("the saved capture does not hold the same exchange")
	}
}

func TestNextAndPreviousFinding(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "clean")}, Options{Instant: true}, 120, 40)
	// A verdict with findings on events 3, 6 and 10 (0-based 2, 5, 9).
	v := *m.current().verdict
	v.Findings = []inspect.Finding{
		{Code: "X-a", Severity: inspect.SeverityWarning, Title: "a", Events: []int{5, 2}},
		{Code: "X-b", Severity: inspect.SeverityError, Title: "b", Events: []int{9}},
	}
	m.Update(verdictMsg{seq: 1, v: &v, full: true})
	tests := []struct {
		key  string
		want int
	}{{"n", 2}, {"n", 5}, {"n", 9}, {"n", 9}, {"N", 5}, {"N", 2}, {"N", 2}}
	press(m, "g")
	for i, tt := range tests {
		press(m, tt.key)
		if got := m.tl.selectedEvent(); got != tt.want {
			t.Errorf("step %d (%s): selected %d, want %d", i, tt.key, got, tt.want)
		}
	}
	if s := screen(m); !strings.Contains(s, "! warn") || !strings.Contains(s, "✗ error") {
		t.Errorf("finding rows must carry glyph and word:\n%s", s)
	}
}

// TestLargeFileIsUsableBeforeItIsDecoded loads a big capture through the
// real loader: progress messages come first, then events arrive in several
// batches, and the first batch is already on screen.
func TestLargeFileIsUsableBeforeItIsDecoded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.sse")
	if err := os.WriteFile(path, []byte(strings.Repeat(sseEvent(1), 200_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newModel(Options{Title: "big.sse", Instant: true})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.feed = stream.NewFeed()
	m.queueWork = true
	ch := make(chan tea.Msg, 1)
	go publishStreaming(context.Background(), path, stream.Limits{}, m.feed, ch)
	var progress, batches int
	usableEarly := false
	for msg := range ch {
		if msg, ok := msg.(loadProgressMsg); ok {
			progress++
			if msg.total <= 0 || msg.read > msg.total {
				t.Errorf("progress %d of %d", msg.read, msg.total)
			}
		}
		m.Update(msg)
		if m.mode == modeLoading && !strings.Contains(screen(m), "Reading big.sse") {
			t.Errorf("loading screen lacks progress:\n%s", screen(m))
		}
	}
	us, closed := m.feed.Drain()
	m.Update(feedMsg{updates: us, closed: closed})
	for len(m.work) > 0 {
		fn := m.work[0]
		m.work = m.work[1:]
		msg := fn()
		m.Update(msg)
		if d, ok := msg.(decodedMsg); ok {
			batches++
			if !d.done && batches == 1 && strings.Contains(screen(m), "word1") {
				usableEarly = true
			}
		}
	}
	if progress == 0 {
		t.Error("no progress reported")
	}
	if batches < 2 || !usableEarly {
		t.Errorf("events came in %d batch(es); usable before the end: %v", batches, usableEarly)
	}
	if n := m.current().events.Len(); n != 200_000 {
		t.Errorf("%d events after loading, want 200000", n)
	}
}

func TestUnreadableFileShowsErrorScreen(t *testing.T) {
	m := newModel(Options{Title: "missing.jsonl"})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	ch := make(chan tea.Msg, 4)
	go publishStreaming(context.Background(), filepath.Join(t.TempDir(), "missing.jsonl"), stream.Limits{}, stream.NewFeed(), ch)
	for msg := range ch {
		m.Update(msg)
	}
	s := screen(m)
	if !strings.Contains(s, "ERROR") || !strings.Contains(s, "missing.jsonl") {
		t.Errorf("want a fatal error naming the file:\n%s", s)
	}
	if _, cmd := m.Update(keyMsg("x")); cmd == nil {
		t.Error("any key should quit from the error screen")
	}
}

// TestErrorScreenIsRedactedAndSafe: a read error quotes the capture (a
// line, a header value): on the error screen a key in it is redacted and
// an escape sequence shown, not run.
func TestErrorScreenIsRedactedAndSafe(t *testing.T) {
	m := newModel(Options{Title: "bad.jsonl"})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	key := "sk-ant-api03-" + strings.Repeat("K", 40)
	m.Update(loadErrMsg{err: fmt.Errorf("bad.jsonl: line 3: got \"x-api-key: %s\x1b]52;c;cHduZWQ=\x07\"", key)})
	s := screen(m)
	if strings.Contains(s, "KKKK") || strings.Contains(s, "\x1b]52") {
		t.Errorf("error screen leaks the key or the escape:\n%q", s)
	}
	if !strings.Contains(s, "[REDACTED len=") || !strings.Contains(s, "␛]52") {
		t.Errorf("error screen should show the hint and the escaped sequence:\n%s", s)
	}
}

// TestSaveTwiceInOneSecondKeepsBoth: s names the file by the second; a
// second s in the same second saves a second file instead of failing with
// "file exists".
func TestSaveTwiceInOneSecondKeepsBoth(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 100, 30)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m.now = func() time.Time { return at }
	for i := 1; i <= 3; i++ {
		press(m, "s")
		if s := screen(m); !strings.Contains(s, "capture saved to ") {
			t.Fatalf("save %d failed:\n%s", i, s)
		}
	}
	files, err := filepath.Glob(filepath.Join(m.dir, "midstream-20260102-030405*.jsonl"))
	if err != nil || len(files) != 3 {
		t.Fatalf("%d capture files (%v), want 3: %v", len(files), err, files)
	}
}

// TestSaveTargets: s never writes through a link planted at its file name
// and says so on the status line when the folder cannot take the file.
func TestSaveTargets(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string) string // the dir to save in
		status string
		check  func(t *testing.T, dir string)
	}{
		{
			name: "link at the first name",
			setup: func(t *testing.T, dir string) string {
				if err := os.WriteFile(filepath.Join(dir, "victim"), []byte("keep"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(dir, "victim"), filepath.Join(dir, "midstream-20260102-030405.jsonl")); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			status: "capture saved to midstream-20260102-030405-2.jsonl",
			check: func(t *testing.T, dir string) {
				if b, _ := os.ReadFile(filepath.Join(dir, "victim")); string(b) != "keep" {
					t.Fatalf("the link's target holds %q", b)
				}
				fi, err := os.Stat(filepath.Join(dir, "midstream-20260102-030405-2.jsonl"))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("saved file: %v %v", fi, err)
				}
			},
		},
		{
			name:   "folder gone",
			setup:  func(t *testing.T, dir string) string { return filepath.Join(dir, "gone") },
			status: "✗ save failed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 140, 30)
			m.now = func() time.Time { return at }
			m.dir = tc.setup(t, dir)
			press(m, "s")
			if s := screen(m); !strings.Contains(s, tc.status) {
				t.Fatalf("want %q on screen:\n%s", tc.status, s)
			}
			if tc.check != nil {
				tc.check(t, dir)
			}
		})
	}
}

// TestSaveTextFile: the clipboard's fallback file is new, 0600 and whole.
func TestSaveTextFile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	name, err := saveTextFile("# diagnosis\n", diagnosisFilePattern)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().Perm() != 0o600 || string(b) != "# diagnosis\n" {
		t.Fatalf("%s: %v %q %v", name, fi.Mode(), b, err)
	}
}
