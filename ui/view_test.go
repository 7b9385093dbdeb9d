package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui/demodata"
)

// TestGoldenViews pins what the user sees, ANSI stripped, at the smallest
// supported size and a common one. go test ./ui -update refreshes them.
func TestGoldenViews(t *testing.T) {
	tests := []struct {
		name  string
		demos []string
		keys  []string
		w, h  int
		start int // Options.Start: 1 opens the first of several, as `midstream demo` does
	}{
		// The README's screen: every demo loaded and the first opened,
		// exactly as `midstream demo` runs it.
		{"overloaded-80x24", demodata.Names(), nil, 80, 24, 1},
		{"overloaded-120x40", []string{"overloaded"}, nil, 120, 40, 0},
		{"overloaded-assembled-120x40", []string{"overloaded"}, []string{"a"}, 120, 40, 0},
		{"http-529-80x24", []string{"http-529"}, nil, 80, 24, 0},
		{"truncated-120x40", []string{"truncated"}, nil, 120, 40, 0},
		{"clean-80x24", []string{"clean"}, nil, 80, 24, 0},
		{"openai-120x40", []string{"openai"}, nil, 120, 40, 0},
		{"list-120x40", []string{"overloaded", "first-event", "http-529", "truncated", "clean", "openai"}, nil, 120, 40, 0},
		{"help-80x24", []string{"overloaded"}, []string{"?"}, 80, 24, 0},
		{"wide-160x40", []string{"overloaded"}, nil, 160, 40, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var xs []*stream.Exchange
			for _, d := range tt.demos {
				xs = append(xs, demo(t, d))
			}
			m, _ := newTestModel(t, xs, Options{Title: "demo", Instant: true, Start: tt.start}, tt.w, tt.h)
			press(m, tt.keys...)
			golden(t, tt.name, screen(m))
		})
	}
}

// TestHostilePayloadIsNeutralised feeds escape sequences, control
// characters, bidi overrides and wide characters through every pane.
func TestHostilePayloadIsNeutralised(t *testing.T) {
	body := "event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\r\nline\u202eevil 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字 é"}}` + "\n\n" +
		"event: \x1b[5mblink\ndata: x\x7f\x1b\n\n"
	x := stream.FromBody("evil\x1b[31m.sse", []byte(body))
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m, _ := newTestModel(t, []*stream.Exchange{x}, Options{Instant: true}, sz[0], sz[1])
		press(m, "g", "j")
		for _, keys := range [][]string{nil, {"a"}, {"a", "j"}} {
			press(m, keys...)
			v := m.View()
			for _, bad := range []string{"\x1b]0;", "\x1b[2J", "\x1b[5m", "\x07", "\r", "\u202e", "\x7f"} {
				if strings.Contains(v, bad) {
					t.Errorf("%dx%d %v: view contains %q", sz[0], sz[1], keys, bad)
				}
			}
			for i, l := range strings.Split(v, "\n") {
				if w := width(l); w > sz[0] {
					t.Errorf("%dx%d: line %d is %d cells wide", sz[0], sz[1], i, w)
				}
			}
		}
		press(m, "g", "j")
		if s := screen(m); !strings.Contains(s, "␛") {
			t.Errorf("the raw frame should show ESC as ␛:\n%s", s)
		}
	}
}

func TestOneLineAndCut(t *testing.T) {
	tests := []struct {
		name, in string
		w        int
		want     string
	}{
		{"plain", "hello", 10, "hello"},
		{"cut ascii", "hello world", 6, "hello…"},
		{"csi shown", "a\x1b[31mb\x1b[0mc", 20, "a␛[31mb␛[0mc"},
		{"osc shown", "a\x1b]0;title\x07b", 20, "a␛]0;title␇b"},
		{"newline visible", "a\nb\r", 10, "a␊b␍"},
		{"wide cut on cell boundary", "漢字漢字", 5, "漢字…"},
		{"combining kept whole", "e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		{"invalid utf8", "a\xffb", 10, "a\uFFFDb"},
		{"c1 control", "a\u009bb", 10, "a\\u009bb"},
		{"bidi override", "a\u202eb", 10, "a\\u202eb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cut(oneLine(tt.in), tt.w)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if w := width(got); w > tt.w {
				t.Errorf("width %d over %d", w, tt.w)
			}
		})
	}
}

func TestSparklineMarksStallAndError(t *testing.T) {
	s := newSparkline()
	for i := 0; i < 20; i++ {
		s.add(time.Duration(i)*50*time.Millisecond, 10*time.Second)
	}
	s.add(25*time.Second, 10*time.Second) // a 24s stall
	s.markError(25 * time.Second)
	line := s.render(40)
	if !strings.Contains(line, "╌") || !strings.HasSuffix(line, "✗") {
		t.Errorf("render %q: want stall marks and the error at the end", line)
	}
	if leg := s.legend(); !strings.Contains(leg, "1 stall") || !strings.Contains(leg, "✗ error") {
		t.Errorf("legend %q", leg)
	}
	if w := width(line); w > 40 {
		t.Errorf("width %d", w)
	}
	// Growing past the bucket range keeps the counts.
	for i := 0; i < 100000; i++ {
		s.add(30*time.Second+time.Duration(i)*time.Millisecond, time.Hour)
	}
	total := 0
	for _, c := range s.counts {
		total += c
	}
	if total != s.n || s.n != 100021 {
		t.Errorf("counted %d of %d events", total, s.n)
	}
}

// bigModel is an exchange of n events, loaded without decoding (the
// benchmark measures View, not loading).
func bigModel(b testing.TB, n int) *Model {
	frame := sseEvent(0)
	body := []byte(strings.Repeat(frame, n))
	x := &stream.Exchange{Source: "big.sse", Format: stream.FormatSSE, Chunks: []stream.Chunk{{Data: body}}, End: stream.End{Reason: stream.EndEOF}, Timed: true}
	m := newModel(Options{Instant: true})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	tl := inspect.NewTimeline(x)
	evs := tl.Feed(stream.Chunk{Data: body}).Append(tl.Finish())
	for i := range evs.Len() {
		evs.SetAt(i, time.Duration(i)*time.Millisecond)
	}
	m.xs = []*exchangeState{newExchangeState(1, x, 0)}
	m.loaded = true
	m.Update(decodedMsg{seq: 1, events: evs, decoded: int64(len(body)), done: true})
	m.Update(verdictMsg{seq: 1, full: true, v: &inspect.Verdict{Source: "big.sse", HTTPStatus: 200, Events: evs, Findings: []inspect.Finding{{Code: "X", Severity: inspect.SeverityError, Title: "t", Events: []int{n - 1}}}}})
	if m.current().events.Len() != n {
		b.Fatalf("model holds %d events", m.current().events.Len())
	}
	return m
}

// BenchmarkView shows that a frame costs the same at 100 and 1,000,000
// events: only visible rows are rendered.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{100, 1_000_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			m := bigModel(b, n)
			press(m, "g", "j", "j") // a selected row in view, not following
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = m.View()
			}
		})
	}
}

// BenchmarkScrollAndView is a key press plus a frame, at both sizes.
func BenchmarkScrollAndView(b *testing.B) {
	for _, n := range []int{100, 1_000_000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			m := bigModel(b, n)
			down := keyMsg("j")
			up := keyMsg("k")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					m.Update(down)
				} else {
					m.Update(up)
				}
				_ = m.View()
			}
		})
	}
}

// TestREADMEShowsTheCurrentScreen keeps the README's picture of the
// screen equal to the golden 80×24 view.
func TestREADMEShowsTheCurrentScreen(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/golden/overloaded-80x24.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```text\n"+string(want)+"\n```") {
		t.Error("README.md's screen picture differs from testdata/golden/overloaded-80x24.golden: paste the golden into the ```text block of \"## The inspector\"")
	}
}
