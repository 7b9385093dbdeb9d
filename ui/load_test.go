package ui

import (
	"bytes"
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
	ch := make(chan tea.Msg, 1)
	go loadFile(path, m.opt.Inspect, ch)
	var progress, batches int
	usableEarly := false
	for msg := range ch {
		switch msg := msg.(type) {
		case loadProgressMsg:
			progress++
			if msg.total <= 0 || msg.read > msg.total {
				t.Errorf("progress %d of %d", msg.read, msg.total)
			}
			m.Update(msg)
			if m.mode == modeLoading && !strings.Contains(screen(m), "Reading big.sse") {
				t.Errorf("loading screen lacks progress:\n%s", screen(m))
			}
		case decodedMsg:
			batches++
			m.Update(msg)
			if !msg.done && batches == 1 && strings.Contains(screen(m), "word1") {
				usableEarly = true
			}
		default:
			m.Update(msg)
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
	go loadFile(filepath.Join(t.TempDir(), "missing.jsonl"), m.opt.Inspect, ch)
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
