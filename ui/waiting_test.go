package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestLiveWaitShowsSpinnerWithElapsedTime: between sending a live request
// and its first body byte, the timeline says what it waits for and for how
// long, and the spinner stops once bytes flow.
func TestLiveWaitShowsSpinnerWithElapsedTime(t *testing.T) {
	m, _ := liveModel(t, 100, 30)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	start := stream.Update{Seq: 1, Start: &stream.Exchange{Source: "live", Timed: true, Started: t0,
		Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{}}}}
	if cmd := feedLive(m, feedMsg{updates: []stream.Update{start}}); cmd == nil {
		t.Fatal("a waiting exchange must arm the spinner")
	}
	if !m.waitTicking {
		t.Fatal("spinner not ticking while the request waits")
	}
	if cmd := m.applyWaitTick(waitTickMsg{at: t0.Add(1200 * time.Millisecond)}); cmd == nil {
		t.Error("the spinner must re-arm while the request still waits")
	}
	if s := screen(m); !strings.Contains(s, "waiting for the response… 1.2s") {
		t.Errorf("screen lacks the connecting spinner with elapsed time:\n%s", s)
	}

	feedLive(m, feedMsg{updates: []stream.Update{{Seq: 1, Response: &stream.Response{Status: 200, Header: http.Header{}, At: 300 * time.Millisecond}}}})
	m.applyWaitTick(waitTickMsg{at: t0.Add(65 * time.Second)})
	if s := screen(m); !strings.Contains(s, "HTTP 200, waiting for the first byte… 1m05s") {
		t.Errorf("screen lacks the first-byte wait:\n%s", s)
	}

	feedLive(m, feedMsg{updates: chunkUpdates(0, 1, time.Second)})
	if s := screen(m); strings.Contains(s, "waiting for the first byte") {
		t.Errorf("the spinner must go once bytes arrive:\n%s", s)
	}
	if cmd := m.applyWaitTick(waitTickMsg{at: t0.Add(66 * time.Second)}); cmd != nil || m.waitTicking {
		t.Error("the spinner must stop re-arming once nothing waits")
	}
}

// TestReplayHasNoSpinner: a capture opened from a file never waits.
func TestReplayHasNoSpinner(t *testing.T) {
	m, _ := liveModel(t, 100, 30)
	m.feed = nil
	if cmd := m.startWaiting(); cmd != nil {
		t.Error("no spinner without a live feed")
	}
}
