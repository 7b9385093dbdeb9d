package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/inspect"
)

// fixes shows the findings for the stream and for the selected event, and
// what the user's SDK will do.
type fixes struct {
	textPane // styled lines, each cut to w
	styles   *Styles
	// seq and ev are the exchange and event the pane was scrolled for.
	seq, ev int
}

// follow resets the scroll to the top when the pane is about another
// exchange (seq) or event (ev) than before, so that advice for one event
// never sits under another.
func (f *fixes) follow(seq, ev int) {
	if seq != f.seq || ev != f.ev {
		f.seq, f.ev, f.top = seq, ev, 0
	}
}

// setContent rebuilds the pane for verdict v, selected event sel (-1 for
// none) and SDK answer sdk. Called when any of them changes.
func (f *fixes) setContent(v *inspect.Verdict, sel int, sdk *inspect.SDKAnswer, picked string) {
	s := f.styles
	f.lines = f.lines[:0]
	w := max(1, f.w)
	add := func(st func(...string) string, text string, indent string) {
		text = oneLine(text)
		for _, l := range strings.Split(ansi.Wordwrap(text, max(1, w-len(indent)), " "), "\n") {
			f.lines = append(f.lines, st(fit(indent+l, w)))
		}
	}
	if v == nil {
		add(s.Dim.Render, "Diagnosing…", "")
		return
	}
	var mine []inspect.Finding
	for _, fd := range v.Findings {
		for _, e := range fd.Events {
			if e == sel {
				mine = append(mine, fd)
				break
			}
		}
	}
	if sel >= 0 {
		add(s.FocusTitle.Render, fmt.Sprintf("Event %d", sel+1), "")
		if len(mine) == 0 {
			add(s.Dim.Render, "no finding on this event", "  ")
		}
		for _, fd := range mine {
			f.finding(fd, add)
		}
		f.lines = append(f.lines, "")
	}
	add(s.FocusTitle.Render, fmt.Sprintf("Stream (%d findings)", len(v.Findings)), "")
	if len(v.Findings) == 0 {
		add(s.OK.Render, "✓ no findings", "  ")
	}
	for _, fd := range v.Findings {
		f.finding(fd, add)
	}
	f.lines = append(f.lines, "")
	f.sdk(sdk, picked, add)
	f.scroll(0)
}

func (f *fixes) finding(fd inspect.Finding, add func(func(...string) string, string, string)) {
	g, word := severityMark(string(fd.Severity))
	add(f.styles.severity(string(fd.Severity)).Render, fmt.Sprintf("%s %s  %s  [%s]", g, word, fd.Title, fd.Code), "  ")
	if fd.Detail != "" {
		add(f.styles.Value.Render, fd.Detail, "    ")
	}
	for _, fix := range fd.Fixes {
		add(f.styles.OK.Render, "→ "+fix, "    ")
	}
}

func (f *fixes) sdk(a *inspect.SDKAnswer, picked string, add func(func(...string) string, string, string)) {
	s := f.styles
	if a == nil && picked != "" {
		add(s.FocusTitle.Render, "SDK: "+picked+" (picked with p)", "")
		add(s.Dim.Render, "inspect has no answer for this SDK and exchange", "  ")
		return
	}
	if a == nil {
		add(s.FocusTitle.Render, "SDK: not detected", "")
		add(s.Dim.Render, "press p to pick your SDK", "  ")
		return
	}
	name := a.Name
	if a.Version != "" {
		name += "@" + a.Version
	}
	from := a.DetectedFrom
	if picked != "" {
		from = "picked with p"
	}
	add(s.FocusTitle.Render, "SDK: "+name+" ("+from+")", "")
	raises := a.Raises
	if raises == "" {
		raises = "nothing (the stream looks complete to it)"
	}
	add(s.Value.Render, "raises: "+raises, "  ")
	status := "none"
	if a.StatusReported != nil {
		status = fmt.Sprint(*a.StatusReported)
	}
	add(s.Value.Render, "status reported: "+status, "  ")
	if a.ErrorTypeAt != "" {
		add(s.Value.Render, "error type at: "+a.ErrorTypeAt, "  ")
	}
	switch {
	case a.NothingToRetry:
		add(s.OK.Render, "✓ nothing to retry: the stream completed", "  ")
	case a.BuiltinRetry:
		add(s.OK.Render, "✓ built-in retry fires", "  ")
	default:
		add(s.Warn.Render, "✗ built-in retry does NOT fire", "  ")
	}
	if a.Advice != "" {
		add(s.Value.Render, a.Advice, "  ")
	}
	if a.Snippet != "" {
		add(s.Dim.Render, "fix ("+a.Language+"):", "  ")
		for _, l := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
			f.lines = append(f.lines, s.Value.Render(fit("    "+oneLine(l), max(1, f.w))))
		}
	}
}
