package ui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// liveModel returns a model following a feed at w×h.
func liveModel(t *testing.T, w, h int) (*Model, *stream.Feed) {
	t.Helper()
	f := stream.NewFeed()
	m, _ := newLiveModel(f, Options{Title: "live"})
	m.clip = (&fakeClip{}).env()
	m.queueWork = true // feedLive runs the decoding and diagnoses
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m, f
}

// feedLive applies a batch of live updates, then the decoding and the
// diagnoses it starts, as the program would.
func feedLive(m *Model, msg feedMsg) tea.Cmd {
	_, cmd := m.Update(msg)
	settle(m)
	return cmd
}

func sseEvent(i int) string {
	return fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word%d \"}}\n\n", i)
}

// startUpdates are the first updates of a live exchange.
func startUpdates() []stream.Update {
	return []stream.Update{
		{Seq: 1, Start: &stream.Exchange{Source: "live", Timed: true, Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{}}}},
		{Seq: 1, Response: &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, At: 300 * time.Millisecond}},
	}
}

func chunkUpdates(from, to int, at time.Duration) []stream.Update {
	var us []stream.Update
	for i := from; i < to; i++ {
		us = append(us, stream.Update{Seq: 1, Chunk: &stream.Chunk{At: at + time.Duration(i)*time.Millisecond, Data: []byte(sseEvent(i))}})
	}
	return us
}

func TestFeedBatchOpensExchangeAndFollowsTail(t *testing.T) {
	m, _ := liveModel(t, 100, 30)
	if !strings.Contains(screen(m), "Waiting for the first request") {
		t.Fatalf("before any update the screen should say it is waiting:\n%s", screen(m))
	}
	// One event split across two chunks must come out once, whole.
	ev := sseEvent(99)
	us := append(startUpdates(), chunkUpdates(0, 5, time.Second)...)
	us = append(us,
		stream.Update{Seq: 1, Chunk: &stream.Chunk{At: 2 * time.Second, Data: []byte(ev[:20])}},
		stream.Update{Seq: 1, Chunk: &stream.Chunk{At: 2100 * time.Millisecond, Data: []byte(ev[20:])}})
	feedLive(m, feedMsg{updates: us})
	st := m.current()
	if st == nil {
		t.Fatal("the first exchange was not opened")
	}
	if got := st.events.Len(); got != 6 {
		t.Fatalf("decoded %d events, want 6", got)
	}
	if at := st.events.Meta(5).At; at != 2100*time.Millisecond {
		t.Errorf("split event arrived at %v, want the time of its last chunk (2.1s)", at)
	}
	if got := m.tl.selectedEvent(); got != 5 {
		t.Errorf("follow mode selected event %d, want the last (5)", got)
	}
	s := screen(m)
	for _, want := range []string{"HTTP 200", "word99", "following", "← headers"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
}

func TestScrolledAwayCountsNewEventsAndGResumesFollow(t *testing.T) {
	m, _ := liveModel(t, 100, 30)
	feedLive(m, feedMsg{updates: append(startUpdates(), chunkUpdates(0, 40, time.Second)...)})
	press(m, "k", "k", "k")
	if m.tl.follow {
		t.Fatal("moving up must leave follow mode")
	}
	sel := m.tl.sel
	feedLive(m, feedMsg{updates: chunkUpdates(40, 47, 2*time.Second)})
	if m.tl.sel != sel {
		t.Errorf("selection moved from %+v to %+v while scrolled away", sel, m.tl.sel)
	}
	if !strings.Contains(screen(m), "7 new ↓") {
		t.Errorf("screen should announce 7 new events:\n%s", screen(m))
	}
	press(m, "G")
	if !m.tl.follow || m.tl.newCount != 0 || m.tl.selectedEvent() != 46 {
		t.Errorf("G: follow=%v new=%d sel=%d, want following the tail (46)", m.tl.follow, m.tl.newCount, m.tl.selectedEvent())
	}
	if strings.Contains(screen(m), "new ↓") {
		t.Error(`"new ↓" still shown after G`)
	}
}

func TestFocusCyclesWithTabAndIsVisibleWithoutColour(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 80, 24)
	tests := []struct {
		name  string
		focus focus
		title string
	}{
		{"start", focusTimeline, "▶ Timeline"},
		{"tab", focusDetail, "▶ Detail"},
		{"tab again", focusFixes, "▶ Fixes"},
		{"wraps", focusTimeline, "▶ Timeline"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if i > 0 {
				press(m, "tab")
			}
			if m.focus != tt.focus {
				t.Fatalf("focus %v, want %v", m.focus, tt.focus)
			}
			if s := screen(m); strings.Count(s, "▶ ") != 1 || !strings.Contains(s, tt.title) {
				t.Errorf("want exactly one focus marker, on %q:\n%s", tt.title, s)
			}
		})
	}
	press(m, "enter")
	if m.focus != focusDetail {
		t.Errorf("enter: focus %v, want detail", m.focus)
	}
}

func TestFilterByTypeAndClear(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 100, 30)
	press(m, "/", "e", "r", "r", "o", "r", "enter")
	if got := m.tl.nEvents(); got != 1 {
		t.Fatalf("filter error: %d events, want 1", got)
	}
	if got := m.tl.selectedEvent(); got != 22 {
		t.Errorf("filter error selected event %d, want the error (22)", got)
	}
	if s := screen(m); !strings.Contains(s, `filter "error": 1`) || strings.Contains(s, "content_block_delta") {
		t.Errorf("filtered screen wrong:\n%s", s)
	}
	press(m, "esc")
	if m.tl.filter != "" || m.tl.nEvents() != 23 {
		t.Errorf("esc: filter %q with %d events, want none and 23", m.tl.filter, m.tl.nEvents())
	}
	// Text matches too.
	press(m, "/", "s", "t", "i", "t", "c", "h", "enter")
	if got := m.tl.nEvents(); got != 1 {
		t.Errorf("filter by text: %d events, want 1", got)
	}
}

func TestSDKCycling(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 120, 40)
	sdkNames := m.sdkNames()
	for _, n := range sdkNames {
		if strings.HasPrefix(n, "openai-") || strings.HasPrefix(n, "google-genai") {
			t.Errorf("p offers %s for an Anthropic stream: %v", n, sdkNames)
		}
	}
	if len(sdkNames) < 3 {
		t.Fatalf("p offers %v for an Anthropic stream", sdkNames)
	}
	for i, want := range sdkNames[:3] {
		press(m, "p")
		if m.sdkPick != i {
			t.Fatalf("after %d presses sdkPick=%d", i+1, m.sdkPick)
		}
		if s := screen(m); !strings.Contains(s, "SDK: "+want) {
			t.Errorf("fixes pane does not follow the pick %q:\n%s", want, s)
		}
	}
	for range sdkNames[3:] {
		press(m, "p")
	}
	if m.sdkPick != len(sdkNames)-1 {
		t.Fatalf("after %d presses sdkPick=%d", len(sdkNames), m.sdkPick)
	}
	press(m, "p")
	if m.sdkPick != -1 || m.sdk() != m.current().verdict.SDK {
		t.Errorf("after the last SDK, p returns to the detected one: sdkPick=%d", m.sdkPick)
	}
	if s := screen(m); !strings.Contains(s, "back to the detected one") {
		t.Errorf("status does not say the detected SDK is back:\n%s", s)
	}
	press(m, "p")
	if m.sdkPick != 0 {
		t.Errorf("the cycle starts again at the first SDK, got %d", m.sdkPick)
	}
}

func TestExchangeListNavigation(t *testing.T) {
	xs := []*stream.Exchange{demo(t, "overloaded"), demo(t, "clean"), demo(t, "http-529")}
	m, _ := newTestModel(t, xs, Options{Title: "session.har", Instant: true}, 120, 30)
	if m.mode != modeList {
		t.Fatalf("several exchanges must open on the list, mode %v", m.mode)
	}
	s := screen(m)
	for _, want := range []string{"Exchanges (3)", "demo:overloaded", "demo:clean", "HTTP 529"} {
		if !strings.Contains(s, want) {
			t.Errorf("list lacks %q:\n%s", want, s)
		}
	}
	press(m, "j", "enter")
	if m.mode != modeExchange || m.current().seq != 2 {
		t.Fatalf("enter on row 2 opened mode %v seq %v", m.mode, m.cur)
	}
	if !strings.Contains(screen(m), "demo:clean") {
		t.Errorf("opened exchange header lacks its source:\n%s", screen(m))
	}
	press(m, "esc")
	if m.mode != modeList || m.list.sel != 1 {
		t.Errorf("esc: mode %v sel %d, want the list with row 2 selected", m.mode, m.list.sel)
	}
	press(m, "G", "enter")
	if m.current().seq != 3 {
		t.Errorf("G enter opened %d, want 3", m.current().seq)
	}
}

func TestLayoutHoldsOnResize(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 80, 24)
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {81, 25}, {200, 60}, {140, 30}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			lines := strings.Split(m.View(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%d lines, want %d", len(lines), sz[1])
			}
			for i, l := range lines {
				if w := width(l); w > sz[0] {
					t.Errorf("line %d is %d cells wide, over %d: %q", i, w, sz[0], l)
				}
			}
			if !strings.Contains(screen(m), "HTTP 200") {
				t.Error("the status line must stay on screen")
			}
		})
	}
}

func TestReplayPacing(t *testing.T) {
	m := newModel(Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	loadSync(t, m, []*stream.Exchange{demo(t, "overloaded")}, m.opt.Inspect)
	if !m.replay || m.tl.shown != 0 {
		t.Fatalf("paced replay should start with nothing shown: replay=%v shown=%d", m.replay, m.tl.shown)
	}
	t0 := time.Unix(0, 0)
	tick := func(d time.Duration) { m.Update(replayTickMsg{gen: m.gen, at: t0.Add(d)}) }
	tick(0)
	tick(700 * time.Millisecond) // message_start at 0.695s, then every 42ms
	if m.tl.shown != 1 {
		t.Fatalf("at 0.7s shown=%d, want 1", m.tl.shown)
	}
	press(m, " ")
	tick(5 * time.Second)
	if m.tl.shown != 1 {
		t.Errorf("paused replay advanced to %d", m.tl.shown)
	}
	if !strings.Contains(screen(m), "⏸ paused") {
		t.Errorf("status line should say paused:\n%s", screen(m))
	}
	press(m, "right")
	if m.tl.shown != 2 {
		t.Errorf("→ shows %d events, want 2", m.tl.shown)
	}
	press(m, " ", "+")
	if m.speed != 2 {
		t.Errorf("+ gives speed %v, want 2", m.speed)
	}
	tick(6 * time.Second) // 1s real at 2x → clock 2.737s
	if m.tl.shown < 20 || m.tl.shown > 22 {
		t.Errorf("at clock ~2.7s shown=%d, want the deltas but not the error", m.tl.shown)
	}
	if strings.Contains(screen(m), "MISMATCH") {
		t.Error("the mismatch must not be announced before the error event is replayed")
	}
	press(m, "r")
	tick(7 * time.Second)
	tick(14 * time.Second) // 2x: clock 14s, past the end at 5.3s
	if m.replay || m.tl.selectedEvent() != 22 {
		t.Errorf("a finished replay selects the error event: replay=%v sel=%d", m.replay, m.tl.selectedEvent())
	}
	if !strings.Contains(screen(m), "MISMATCH") {
		t.Errorf("after the error event the mismatch is shown:\n%s", screen(m))
	}
	press(m, "r")
	if m.tl.shown != 0 || !m.replay {
		t.Errorf("r: shown=%d replay=%v, want a fresh replay", m.tl.shown, m.replay)
	}
	// Stale ticks of the previous replay are dropped.
	m.Update(replayTickMsg{gen: m.gen - 1, at: t0.Add(time.Hour)})
	if m.tl.shown != 0 {
		t.Errorf("a stale tick advanced the new replay to %d", m.tl.shown)
	}
}

func TestCopyStatusNeverSilent(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		localErr error
		want     []string
		wantFile bool
		tmux     bool
	}{
		{name: "local display", env: map[string]string{"DISPLAY": ":0"}, want: []string{"✓ diagnosis copied to the clipboard", "also sent by OSC 52"}},
		{name: "ssh, no display", env: map[string]string{}, want: []string{"diagnosis saved to /tmp/midstream-diagnosis-test.md", "sent by OSC 52 (unconfirmed"}, wantFile: true},
		{name: "tmux", env: map[string]string{"TMUX": "/tmp/tmux-0/default,1,0"}, want: []string{"OSC 52 via tmux", "saved to"}, wantFile: true, tmux: true},
		{name: "display but no tool", env: map[string]string{"DISPLAY": ":0"}, localErr: fmt.Errorf("No clipboard utilities available"), want: []string{"clipboard failed: No clipboard utilities available", "saved to"}, wantFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClip{env_: tt.env, localErr: tt.localErr}
			r := copyText("## diagnosis 529", diagnosisFilePattern, fc.env())
			msg, _ := r.message("diagnosis", 0)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("status %q lacks %q", msg, w)
				}
			}
			if (fc.saved != "") != tt.wantFile {
				t.Errorf("fallback file written=%v, want %v", fc.saved != "", tt.wantFile)
			}
			osc := fc.osc.String()
			if !strings.Contains(osc, "\x1b]52;c;") {
				t.Errorf("no OSC 52 sequence written: %q", osc)
			}
			if tt.tmux != strings.HasPrefix(osc, "\x1bPtmux;") {
				t.Errorf("tmux wrapping=%v, want %v: %q", strings.HasPrefix(osc, "\x1bPtmux;"), tt.tmux, osc)
			}
		})
	}
}

// TestCopyStatusFits checks that every copy status fits the status line
// at 120 and at 80 columns, keeping its most important part (where the
// text is) whole, with realistic fallback paths.
func TestCopyStatusFits(t *testing.T) {
	const path = "/tmp/midstream-diagnosis-3141592653.md"
	results := map[string]copyResult{
		"local":         {osc52: true, local: true},
		"local tmux":    {osc52: true, tmux: true, local: true},
		"ssh":           {osc52: true, file: path},
		"ssh tmux":      {osc52: true, tmux: true, file: path},
		"no tool":       {osc52: true, tmux: true, file: path, localErr: fmt.Errorf("No clipboard utilities available")},
		"save failed":   {osc52: true, fileErr: fmt.Errorf("open /tmp/x: permission denied")},
		"nothing works": {},
		// $TMPDIR under a test or on macOS: the file part alone is 94 columns.
		"ssh long path": {osc52: true, tmux: true, file: "/tmp/TestE2EReplayInTerminal3245362569/004/midstream-diagnosis-109740205.md"},
	}
	for name, r := range results {
		for _, what := range []string{"diagnosis", "raw frame"} {
			for _, w := range []int{120, 80} {
				msg, _ := r.message(what, w)
				// Only a path longer than the line itself may overflow it.
				if n := len([]rune(msg)); n > w && n > len(what+" saved to "+r.file) {
					t.Errorf("%s, %s, %d columns: %d-column status %q", name, what, w, n, msg)
				}
				if r.file != "" && !strings.Contains(msg, r.file) || r.local && !strings.Contains(msg, "copied to the clipboard") {
					t.Errorf("%s, %s, %d columns: status %q lost where the text is", name, what, w, msg)
				}
				if w == 120 && r.osc52 && !strings.Contains(msg, "OSC 52") {
					t.Errorf("%s, %s: at 120 columns the status %q leaves out OSC 52", name, what, msg)
				}
			}
		}
	}
}

func TestCopyKeyReportsResult(t *testing.T) {
	m, fc := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 100, 30)
	fc.env_ = map[string]string{"DISPLAY": ":0"}
	m.clip = fc.env()
	press(m, "c")
	s := screen(m)
	last := s[strings.LastIndex(s, "\n")+1:]
	switch {
	case len(fc.local) == 1:
		if !strings.Contains(last, "copied to the clipboard") {
			t.Errorf("status line %q does not say where it was copied", last)
		}
		if !strings.Contains(fc.local[0], "529") || strings.Contains(fc.local[0], "DEMOcanary") {
			t.Errorf("copied diagnosis lacks the 529 or leaks the canary key:\n%s", fc.local[0])
		}
	default:
		t.Errorf("nothing reached the clipboard; status: %q", last)
	}
}

// TestYankFallbackFileNamedForFrame checks that a raw frame copied with no
// local clipboard is saved as a midstream-frame-*.txt, not as a diagnosis.
func TestYankFallbackFileNamedForFrame(t *testing.T) {
	m, fc := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 120, 30)
	fc.env_ = map[string]string{}
	m.clip = fc.env()
	press(m, "G", "k", "y") // the error event
	s := screen(m)
	last := s[strings.LastIndex(s, "\n")+1:]
	if !strings.Contains(fc.saved, "event: error") || !strings.Contains(last, "/tmp/midstream-frame-test.txt") {
		t.Errorf("saved %q; status %q, want the frame in /tmp/midstream-frame-test.txt", fc.saved, last)
	}
}

func TestYankCopiesRedactedFrame(t *testing.T) {
	m, fc := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 100, 30)
	fc.env_ = map[string]string{"DISPLAY": ":0"}
	m.clip = fc.env()
	press(m, "g")
	press(m, "y")
	if !strings.Contains(screen(m), "select an event") {
		t.Errorf("y on a milestone should ask for an event:\n%s", screen(m))
	}
	press(m, "G", "k", "y") // the error event
	if len(fc.local) != 1 || !strings.Contains(fc.local[0], "event: error\ndata: ") {
		t.Fatalf("y copied %q, want the raw error frame", fc.local)
	}
}

// TestCleanStreamSDKDoesNotAlarm checks that for a complete stream with no
// error the fixes pane neither warns that the built-in retry does not fire
// nor offers a retry snippet.
func TestCleanStreamSDKDoesNotAlarm(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "clean")}, Options{Instant: true}, 120, 40)
	press(m, "p")
	s := screen(m)
	if !strings.Contains(s, "nothing to retry") {
		t.Errorf("fixes pane does not say there is nothing to retry:\n%s", s)
	}
	for _, bad := range []string{"does NOT fire", "fix ("} {
		if strings.Contains(s, bad) {
			t.Errorf("clean stream shows %q:\n%s", bad, s)
		}
	}
}
