package ui

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// An injected exchange says so in its list row and in the header, so an
// injected fault is never read as the provider's.
func TestInjectedLabel(t *testing.T) {
	injected := func() *stream.Exchange {
		x := demo(t, "overloaded")
		x.Injected = "error@5:overloaded_error"
		return x
	}
	tests := []struct {
		name  string
		xs    []*stream.Exchange
		w, h  int
		start int
		wants []string
	}{
		{"injected-list-120x40", []*stream.Exchange{injected(), demo(t, "clean")}, 120, 40, 0, []string{"injected "}},
		{"injected-80x24", []*stream.Exchange{injected()}, 80, 24, 0, []string{"injected error@5:overloaded_error"}},
		{"injected-never-fired-120x40", []*stream.Exchange{neverFired(t)}, 120, 40, 0, []string{"injected error@99:api_error (never fired)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, tt.xs, Options{Title: "serve", Instant: true, Start: tt.start}, tt.w, tt.h)
			got := screen(m)
			for _, want := range tt.wants {
				if !strings.Contains(got, want) {
					t.Errorf("screen lacks %q:\n%s", want, got)
				}
			}
			golden(t, tt.name, got)
		})
	}
	// A clean exchange is never labelled.
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "clean")}, Options{Title: "serve", Instant: true}, 120, 40)
	if strings.Contains(screen(m), "injected") {
		t.Error("a clean exchange is labelled injected")
	}
}

// neverFired is a proxy capture whose end line says its fault never
// fired (stream.End.Fired).
func neverFired(t *testing.T) *stream.Exchange {
	x := demo(t, "clean")
	x.Injected = "error@99:api_error"
	x.End.By, x.End.Fired = stream.ByUpstream, &stream.Fired{}
	return x
}

// The label is sanitized and redacted like any capture text.
func TestInjectedLabelIsSanitized(t *testing.T) {
	x := demo(t, "overloaded")
	x.Injected = "cut@1\x1b[2J sk-ant-api03-CANARYINJECTED0123456789abcdef"
	m, _ := newTestModel(t, []*stream.Exchange{x}, Options{Title: "serve", Instant: true}, 160, 40)
	got := screen(m)
	if strings.Contains(got, "\x1b[2J") || strings.Contains(got, "CANARYINJECTED") {
		t.Errorf("label not sanitized or redacted:\n%q", got)
	}
}

// In a live proxy session the label arrives with the response headers
// (the proxy knows only then whether the answer is rewritten).
func TestLiveInjectedLabelArrivesWithResponse(t *testing.T) {
	m, _ := liveModel(t, 120, 30)
	feedLive(m, feedMsg{updates: []stream.Update{
		{Seq: 1, Start: &stream.Exchange{Source: "proxy#1", Timed: true, Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}},
		{Seq: 1, Response: &stream.Response{Status: 529}, Injected: "status:529"},
		{Seq: 1, End: &stream.End{Reason: stream.EndEOF, By: stream.ByMidstream}},
		{Seq: 2, Start: &stream.Exchange{Source: "proxy#2", Timed: true, Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}},
		{Seq: 2, Response: &stream.Response{Status: 429}},
		{Seq: 2, End: &stream.End{Reason: stream.EndEOF, By: stream.ByUpstream}},
	}})
	press(m, "esc")
	s := screen(m)
	if !contains(s, "injected proxy#1") || strings.Contains(s, "injected proxy#2") {
		t.Errorf("want only proxy#1 labelled injected:\n%s", s)
	}
}
