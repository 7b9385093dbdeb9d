package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// TestWaitForFeedBatchesABurst: a burst published faster than the screen
// redraws arrives as one message, and the publisher never blocked.
func TestWaitForFeedBatchesABurst(t *testing.T) {
	f := stream.NewFeed()
	start := time.Now()
	for _, u := range append(startUpdates(), chunkUpdates(0, 5000, time.Second)...) {
		f.Publish(u)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("publishing 5002 updates took %v with no reader", d)
	}
	msg := waitForFeed(f)().(feedMsg)
	if len(msg.updates) != 5002 || msg.closed {
		t.Fatalf("one batch of %d updates (closed=%v), want all 5002", len(msg.updates), msg.closed)
	}
	m, _ := liveModel(t, 100, 30)
	m.feed = f
	cmd := feedLive(m, msg)
	if cmd == nil {
		t.Error("the feed command must be re-armed while the feed is open")
	}
	if n := m.current().events.Len(); n != 5000 {
		t.Errorf("%d events from the batch, want 5000", n)
	}
	f.Publish(stream.Update{Seq: 1, End: &stream.End{Reason: stream.EndEOF, At: 3 * time.Second}})
	f.Close()
	last := waitForFeed(f)().(feedMsg)
	if !last.closed || len(last.updates) != 1 {
		t.Fatalf("after Close: %d updates, closed=%v", len(last.updates), last.closed)
	}
	feedLive(m, last)
	if !m.current().done {
		t.Error("the end update must finish the exchange")
	}
}

func TestProxySessionListsExchangesAsTheyArrive(t *testing.T) {
	m, _ := liveModel(t, 120, 30)
	feedLive(m, feedMsg{updates: append(startUpdates(), chunkUpdates(0, 3, time.Second)...)})
	second := []stream.Update{
		{Seq: 2, Start: &stream.Exchange{Source: "proxy#2", Timed: true, Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}},
		{Seq: 2, Response: &stream.Response{Status: 529}},
		{Seq: 2, End: &stream.End{Reason: stream.EndEOF}},
	}
	feedLive(m, feedMsg{updates: second})
	if m.current().seq != 1 {
		t.Fatalf("a new exchange must not steal the screen; showing %d", m.current().seq)
	}
	press(m, "esc")
	if m.mode != modeList {
		t.Fatalf("esc in a live session goes to the exchange list, mode %v", m.mode)
	}
	if s := screen(m); !contains(s, "proxy#2", "HTTP 529", "Exchanges (2)") {
		t.Errorf("list lacks the second exchange:\n%s", s)
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "clean")}, Options{Instant: true}, 100, 30)
	press(m, "g")
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if got := m.tl.rowOf(m.tl.sel); got != 3 {
		t.Errorf("wheel down moved to row %d, want 3", got)
	}
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if got := m.tl.rowOf(m.tl.sel); got != 0 {
		t.Errorf("wheel up moved to row %d, want 0", got)
	}
}

func contains(s string, wants ...string) bool {
	for _, w := range wants {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// TestRecordingProblemStaysOnScreen: a capture that cannot be written is
// flashed, then stays on the status line, in the list and in an exchange.
func TestRecordingProblemStaysOnScreen(t *testing.T) {
	tests := []struct {
		name   string
		before []stream.Update
	}{
		{"before any exchange", nil},
		{"during an exchange", append(startUpdates(), chunkUpdates(0, 3, time.Second)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := liveModel(t, 120, 30)
			if tc.before != nil {
				m.Update(feedMsg{updates: tc.before})
			}
			m.Update(feedMsg{updates: []stream.Update{{Problem: "capture NOT recorded: write /x: no space left on device"}}})
			if s := screen(m); !strings.Contains(s, "no space left on device") {
				t.Fatalf("the problem is not on screen:\n%s", s)
			}
			m.Update(clearStatusMsg{gen: m.statusGen})
			if s := screen(m); !strings.Contains(s, "✗ capture NOT recorded") {
				t.Fatalf("the problem went away with the transient status:\n%s", s)
			}
			if tc.before == nil && len(m.xs) != 0 {
				t.Fatalf("a problem created an exchange")
			}
		})
	}
}
