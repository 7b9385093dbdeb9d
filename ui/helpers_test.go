package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui/demodata"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// loadSync publishes xs to the model's feed as a replay does and applies
// every update and every decode and diagnosis in order, as the program
// would, but without goroutines racing the test.
func loadSync(t testing.TB, m *Model, xs []*stream.Exchange, opt inspect.Options) {
	t.Helper()
	m.feed = stream.NewFeed()
	publishExchanges(xs, m.feed)
	m.feed.Close()
	pump(m)
}

// pump applies what the feed holds, then runs the queued work (decoding,
// diagnoses, reloads) until none is left.
func pump(m *Model) {
	m.queueWork = true
	if m.feed != nil {
		if us, closed := m.feed.Drain(); len(us) > 0 || closed {
			m.Update(feedMsg{updates: us, closed: closed})
		}
	}
	settle(m)
}

// settle runs the queued work, and the work it queues, until none is left.
func settle(m *Model) {
	m.queueWork = true
	for len(m.work) > 0 {
		fn := m.work[0]
		m.work = m.work[1:]
		m.Update(fn())
	}
}

// loadFrames loads the raw bytes the detail pane waits for after a test
// changed the selection without going through Update, as Update would.
func loadFrames(m *Model) {
	m.queueWork = true
	m.requestFrame()
	settle(m)
}

// newTestModel opens xs at w×h, fully loaded, with replay pacing off
// unless paced is set, and with a clipboard that records instead of
// touching the real one.
func newTestModel(t testing.TB, xs []*stream.Exchange, opt Options, w, h int) (*Model, *fakeClip) {
	t.Helper()
	m := newModel(opt)
	fc := &fakeClip{}
	m.clip = fc.env()
	m.dir = t.TempDir()
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	loadSync(t, m, xs, opt.Inspect)
	return m, fc
}

func demo(t testing.TB, name string) *stream.Exchange {
	t.Helper()
	d, ok := demodata.Find(name)
	if !ok {
		t.Fatalf("no demo %q", name)
	}
	return d.Exchange()
}

// screen is the View with ANSI stripped and trailing spaces trimmed.
func screen(m *Model) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys and runs the commands that are not timers, returning
// their messages' effects (copy, save, assemble), then the work they
// queued (the detail pane's frame loads among it), as the program would.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		runCmd(m, cmd)
		if m.queueWork {
			settle(m)
		}
	}
}

// runCmd executes cmd and feeds back copy/save/assemble results; timers
// and feed waits are not run.
func runCmd(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	// Timers (status TTL, replay ticks) would block: give each command a
	// moment and drop those that do not answer at once.
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(150 * time.Millisecond):
		return
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c)
		}
	case copiedMsg, savedMsg, assembledMsg, frameLoadedMsg:
		_, next := m.Update(msg)
		_ = next
	}
}

type fakeClip struct {
	local    []string
	osc      strings.Builder
	env_     map[string]string
	localErr error
	saved    string
}

func (f *fakeClip) env() clipEnv {
	return clipEnv{
		getenv: func(k string) string { return f.env_[k] },
		goos:   "linux",
		term:   &f.osc,
		local: func(s string) error {
			if f.localErr != nil {
				return f.localErr
			}
			f.local = append(f.local, s)
			return nil
		},
		saveFile: func(s, pattern string) (string, error) {
			f.saved = s
			return "/tmp/" + strings.Replace(pattern, "*", "test", 1), nil
		},
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./ui -update refreshes it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
