// Package ui is midstream's interactive inspector (Bubble Tea): the event
// timeline of an exchange beside its HTTP status and the status its
// in-stream error stands for, the selected event's detail, the fixes for
// the user's SDK, and a one-key copy of the diagnosis.
package ui

import (
	"errors"
	"os"
	"runtime/debug"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// Options configure the inspector.
type Options struct {
	// Title names the source in the header (file name, "proxy :8787", …).
	Title string
	// Diagnose options (SDK override, status override).
	Inspect inspect.Options
	// Instant shows a replay all at once instead of at its recorded pace.
	Instant bool
	// ToolVersion goes into copied diagnoses.
	ToolVersion string
	// Start, when > 0, opens exchange number Start (1-based) directly
	// instead of the exchange list; esc still goes back to the list.
	Start int
	// Captures, when set, names the capture file of each live exchange:
	// one evicted from memory in a long session is read back from it.
	Captures *CaptureNames
	// Theme picks the palette; "" and ThemeAuto follow the terminal.
	Theme Theme
	// Limits bound what reading a capture file may cost (the
	// --max-input, --max-decompressed and --max-line flags).
	Limits stream.Limits
	// OTLPDropped, when set, counts the spans --otlp export lost so far
	// (a slow or dead collector); the status line shows a count above 0.
	// It is called on every render: it must be cheap (an atomic load).
	OTLPDropped func() int64
}

// RunReplay opens the inspector on captured exchanges (one: its timeline;
// several: the exchange list).
func RunReplay(xs []*stream.Exchange, opt Options) error {
	if len(xs) == 0 {
		return errors.New("no exchanges to show")
	}
	m, cmd := newReplayModel(xs, opt)
	return run(m, cmd)
}

// RunReplayFile opens the inspector at once and reads the capture at path
// (within opt.Limits) in the background, showing bytes read of total; its
// exchanges are shown as they are read, so a large capture's first events
// are on screen long before it is fully read or decoded.
func RunReplayFile(path string, opt Options) error {
	defer collectSooner()()
	m, cmd, stopLoad := newFileModel(path, opt)
	defer stopLoad()
	if err := run(m, cmd); err != nil {
		return err
	}
	// A file that could not be read is an error for the exit status too.
	return m.fatal
}

// RunLive opens the inspector on exchanges arriving through feed (a live
// request, or a proxy session), in follow mode. It returns when the user
// quits.
func RunLive(feed *stream.Feed, opt Options) error {
	defer collectSooner()()
	m, cmd := newLiveModel(feed, opt)
	return run(m, cmd)
}

// collectSooner runs the collector at GOGC=50 unless GOGC is set, and
// returns the function that restores the setting.
//
// Why: the inspector's heap is mostly timelines, long-lived records
// without pointers that a collection marks in milliseconds. The default
// GOGC=100 lets the heap grow to twice what is live first; while the
// verdict of a huge capture is built two timelines are live (the interim
// one and the verdict's), and their doubling set the peak RSS (replay of
// 512 MiB of SSE: 573 MiB, 425 MiB with 50). The cost is more frequent
// collections of the readers' garbage: about 7% more CPU replaying a
// JSONL capture, none measurable on SSE. An explicit GOGC wins.
func collectSooner() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(50)
	return func() { debug.SetGCPercent(old) }
}

func run(m *Model, first tea.Cmd) error {
	m.initCmd = first
	// What still draws with adaptive colours (bubbles' own) follows the
	// palette chosen, not a second guess of the background.
	lipgloss.SetHasDarkBackground(m.dark)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion())
	_, err := p.Run()
	return err
}
