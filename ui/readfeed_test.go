package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// writeCapture writes a midstream JSONL capture of n exchanges whose
// bodies are events SSE events each, 1 ms apart, and returns its path.
func writeCapture(t testing.TB, n, events int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "capture.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for x := range n {
		fmt.Fprintf(w, `{"format":"midstream-capture","version":1,"timed":true,"source":"exchange%d","request":null,"response":{"status":200,"status_text":"OK","headers":{"Content-Type":["text/event-stream"]},"at_us":100}}`+"\n", x+1)
		for i := range events {
			text, _ := json.Marshal(sseEvent(i))
			fmt.Fprintf(w, `{"t":"chunk","at_us":%d,"text":%s}`+"\n", 1000*(i+1), text)
		}
		fmt.Fprintf(w, `{"t":"end","at_us":%d,"reason":"eof"}`+"\n", 1000*(events+1))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// openFile opens path as RunReplayFile does, with work queued for the
// test to run.
func openFile(t testing.TB, path string, opt Options) *Model {
	t.Helper()
	m, _, stop := newFileModel(path, opt)
	t.Cleanup(stop)
	m.queueWork = true
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

// pumpOnce applies what the feed and the loader have sent so far, then
// runs the work it queued (decoding, diagnoses); it reports whether the
// feed is closed.
func pumpOnce(m *Model) (closed bool) {
	for drained := false; !drained; {
		select {
		case msg, ok := <-m.loadCh:
			if !ok {
				m.loadCh = nil
				drained = true
				break
			}
			m.Update(msg)
		default:
			drained = true
		}
	}
	us, closed := m.feed.Drain()
	m.Update(feedMsg{updates: us, closed: closed})
	settle(m)
	return closed
}

// pumpAll pumps until the feed is closed and the loader has finished.
func pumpAll(t testing.TB, m *Model) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !pumpOnce(m) || m.loadCh != nil {
		select {
		case <-m.feed.Ready():
		case <-time.After(10 * time.Millisecond): // the loader's last message
		case <-deadline:
			t.Fatal("the capture was not read in 30s")
		}
	}
}

// TestFirstEventsShowWhileTheFileIsRead holds the real reader back half
// way through a capture: the events of the half it read must be on
// screen, with the reading progress, while the tail is still unread.
func TestFirstEventsShowWhileTheFileIsRead(t *testing.T) {
	const events = 40_000 // about 6 MB of JSONL
	path := writeCapture(t, 1, events)
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	real := readCapture
	readCapture = func(ctx context.Context, path string, feed *stream.Feed, lim stream.Limits, progress func(read, total int64)) ([]*stream.Exchange, error) {
		return real(ctx, path, feed, lim, func(read, total int64) {
			progress(read, total)
			if total > 0 && read >= total/2 {
				once.Do(func() { close(held); <-release })
			}
		})
	}
	t.Cleanup(func() { readCapture = real })

	m := openFile(t, path, Options{Title: "capture.jsonl", Instant: true})
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the reader never got half way")
	}
	if closed := pumpOnce(m); closed {
		t.Fatal("the feed closed while the reader was held")
	}
	st := m.current()
	if m.mode != modeExchange || st == nil {
		t.Fatalf("the exchange is not open while the file is read:\n%s", screen(m))
	}
	if n := st.events.Len(); n == 0 || n >= events {
		t.Fatalf("%d events on screen while half the file is read, want some of %d", n, events)
	}
	s := screen(m)
	if !strings.Contains(s, "content_block_delta") || !strings.Contains(s, "reading ") {
		t.Errorf("want event rows and the reading progress on screen:\n%s", s)
	}

	close(release)
	pumpAll(t, m)
	if m.fatal != nil {
		t.Fatal(m.fatal)
	}
	if n := m.current().events.Len(); n != events {
		t.Errorf("%d events once read, want %d", n, events)
	}
	if s := screen(m); strings.Contains(s, "reading ") {
		t.Errorf("reading progress still shown once read:\n%s", s)
	}
}

// TestCaptureOfSeveralExchangesListsThemAll: a JSONL capture of several
// exchanges and a HAR read as they go open on the list of all of them,
// and enter opens the first.
func TestCaptureOfSeveralExchangesListsThemAll(t *testing.T) {
	tests := []struct {
		name string
		path string
		n    int
	}{
		{"JSONL", writeCapture(t, 3, 50), 3},
		{"HAR", filepath.Join("..", "stream", "testdata", "chrome.har"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := openFile(t, tt.path, Options{Instant: true})
			pumpAll(t, m)
			if m.fatal != nil {
				t.Fatal(m.fatal)
			}
			want := fmt.Sprintf("Exchanges (%d)", tt.n)
			if s := screen(m); m.mode != modeList || !strings.Contains(s, want) {
				t.Fatalf("want the list of %d exchanges:\n%s", tt.n, s)
			}
			press(m, "enter")
			settle(m)
			if m.mode != modeExchange || m.cur != 0 {
				t.Fatalf("enter opened %d (mode %v), want the first", m.cur, m.mode)
			}
		})
	}
}

// TestPacedReplayOfAFileKeepsChunkTimes: read as it goes, a timed capture
// still plays at its recorded pace: events show as the replay clock
// passes their chunks' arrival times (1 ms apart here).
func TestPacedReplayOfAFileKeepsChunkTimes(t *testing.T) {
	m := openFile(t, writeCapture(t, 1, 100), Options{})
	pumpAll(t, m)
	st := m.current()
	if !m.replay || st == nil || st.events.Len() != 100 {
		t.Fatalf("want a paced replay of 100 events, got replay %v:\n%s", m.replay, screen(m))
	}
	if m.tl.shown != 0 {
		t.Fatalf("%d events shown at replay time 0, want none", m.tl.shown)
	}
	at := time.Now()
	m.Update(replayTickMsg{gen: m.gen, at: at})
	m.Update(replayTickMsg{gen: m.gen, at: at.Add(50*time.Millisecond + 500*time.Microsecond)})
	if m.tl.shown != 50 {
		t.Errorf("%d events shown 50.5 ms into the replay, want 50", m.tl.shown)
	}
}

// TestFirstExchangeGivesWayToTheList: a first exchange opened while its
// file is read (a huge body) becomes the list when a second one turns
// up, unless the user has acted on it since.
func TestFirstExchangeGivesWayToTheList(t *testing.T) {
	for _, acted := range []bool{false, true} {
		t.Run(fmt.Sprintf("acted=%v", acted), func(t *testing.T) {
			m := newModel(Options{Title: "capture.jsonl", Instant: true})
			m.queueWork = true
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			m.Update(feedMsg{updates: append(startUpdates(), chunkUpdates(0, 5, time.Second)...)})
			settle(m)
			if m.mode != modeExchange || !m.provisional {
				t.Fatalf("the growing first exchange is not open:\n%s", screen(m))
			}
			if acted {
				press(m, "j")
			}
			second := stream.Update{Seq: 2, Start: &stream.Exchange{Source: "second", Timed: true}}
			m.Update(feedMsg{updates: []stream.Update{second}, closed: true})
			settle(m)
			if want := map[bool]mode{false: modeList, true: modeExchange}[acted]; m.mode != want {
				t.Errorf("mode %v after a second exchange, want %v:\n%s", m.mode, want, screen(m))
			}
		})
	}
}

// TestReadErrorAfterTheFirstEvents: a capture that turns out broken part
// way through, after its first events were shown, ends on the error
// screen naming the file and the line, as a capture read whole did.
func TestReadErrorAfterTheFirstEvents(t *testing.T) {
	path := writeCapture(t, 1, 2000)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"format\":\"midstream-capture\",\"version\":1}\n{not json\n")
	f.Close()
	m := openFile(t, path, Options{Title: "capture.jsonl", Instant: true})
	pumpAll(t, m)
	var fe *stream.FormatError
	if !errors.As(m.fatal, &fe) || fe.Line != 2004 {
		t.Fatalf("fatal error %v, want a FormatError at line 2004", m.fatal)
	}
	if s := screen(m); !strings.Contains(s, "ERROR") || !strings.Contains(s, "capture.jsonl") || !strings.Contains(s, "line 2004") {
		t.Errorf("want the error screen naming the file and line:\n%s", s)
	}
}
