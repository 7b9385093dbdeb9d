package ui

import (
	"fmt"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// exchangeList is the list of exchanges of a multi-exchange capture or a
// proxy session: both statuses per row, mismatches marked.
type exchangeList struct {
	styles *Styles
	w, h   int
	sel    int
	top    int
}

// SetSize sets the pane's size.
func (l *exchangeList) SetSize(w, h int) { l.w, l.h = w, h }

func (l *exchangeList) move(delta, n int) {
	if n == 0 {
		return
	}
	l.sel = max(0, min(l.sel+delta, n-1))
	if l.sel < l.top {
		l.top = l.sel
	}
	if l.sel >= l.top+l.h {
		l.top = l.sel - l.h + 1
	}
}

// header renders the column titles.
func (l *exchangeList) header() string {
	rest := fmt.Sprintf(" %-9s %-32s %-10s %-20s %9s", "status", "in-stream", "", "outcome", "events")
	srcW := max(8, l.w-2-4-width(rest))
	return l.styles.Dim.Render(fit("      "+fit("source", srcW)+rest, l.w))
}

// View renders the visible rows of xs.
func (l *exchangeList) View(xs []*exchangeState) string {
	s := l.styles
	var b strings.Builder
	for i := 0; i < l.h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		j := l.top + i
		if j >= len(xs) {
			b.WriteString(strings.Repeat(" ", l.w))
			continue
		}
		b.WriteString(l.row(xs[j], j == l.sel, s))
	}
	return b.String()
}

func (l *exchangeList) row(st *exchangeState, selected bool, s *Styles) string {
	cursor := "  "
	if selected {
		cursor = "▸ "
	}
	v := st.verdict
	http, mapped, mark, outcome := "HTTP …", "stream …", "", ""
	if st.x.Response != nil {
		http = fmt.Sprintf("HTTP %d", st.x.Response.Status)
	}
	if v != nil {
		if v.HTTPStatus == 0 && (v.Outcome == inspect.OutcomeNoResponse || v.Outcome == inspect.OutcomeCanceled) {
			http = "no resp."
		}
		if v.HTTPStatus != 0 {
			http = fmt.Sprintf("HTTP %d", v.HTTPStatus)
			if v.HTTPStatusAssumed {
				http += "?"
			}
		}
		mapped, mark, outcome = rowVerdict(st)
	}
	src := oneLine(stream.RedactText(st.x.Source))
	if st.x.Injected != "" {
		// A fault midstream injected, not the provider's: said first, so
		// a narrow column cuts the source, never the label.
		src = "injected " + src
	}
	rest := fmt.Sprintf(" %-9s %-32s %-10s %-20s %6d ev", http, cut(mapped, 32), mark, cut(outcome, 20), st.eventCount())
	srcW := max(8, l.w-2-4-width(rest))
	line := cursor + fmt.Sprintf("%3d ", st.seq) + fit(cutLeft(src, srcW), srcW) + rest
	line = fit(line, l.w)
	switch {
	case selected:
		return s.Selected.Render(line)
	case v != nil && v.Mismatch && !pending(st, st.events.Len()):
		return s.Error.Render(line)
	}
	return s.Value.Render(line)
}

// rowVerdict is the stream column, the mark and the outcome of a row: an
// exchange still arriving says "streaming…" with no mark, never a verdict
// drawn from the end it has not reached.
func rowVerdict(st *exchangeState) (mapped, mark, outcome string) {
	v := st.verdict
	if pending(st, st.events.Len()) {
		return "stream, no error yet", "", "streaming…"
	}
	switch {
	case v.MappedStatus != 0:
		mapped = fmt.Sprintf("stream → %d", v.MappedStatus)
		if v.Error != nil {
			mapped += " " + v.Error.Type
		}
	case v.Outcome == inspect.OutcomeComplete || v.Outcome == inspect.OutcomeHTTPError:
		mapped = "stream ok"
	case v.Outcome == inspect.OutcomeNoResponse || v.Outcome == inspect.OutcomeCanceled:
		mapped = "no stream"
	default:
		mapped = "stream cut off"
	}
	switch {
	case v.Mismatch:
		mark = "✗ MISMATCH"
	case v.Outcome != inspect.OutcomeNoResponse && v.Outcome != inspect.OutcomeCanceled:
		mark = "✓ agree"
	}
	return mapped, mark, outcomeText(v)
}
