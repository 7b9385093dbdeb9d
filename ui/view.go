package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/stream"
)

// wideLayout is the width from which detail and fixes sit beside the
// timeline instead of below it.
const wideLayout = 140

// layout sizes the panes for the window and the mode. Called on resize and
// when the mode changes, never per frame.
func (m *Model) layout() {
	w, h := max(m.w, 20), max(m.h, 10)
	m.list.SetSize(w, max(1, h-4))
	m.list.move(0, len(m.xs))
	if m.tl == nil {
		return
	}
	if w >= wideLayout {
		lw := w * 3 / 5
		rw := w - lw - 2
		body := h - 4 // header 2, sparkline 1, status 1
		m.tl.SetSize(lw, max(1, body-2))
		dh := max(1, body/2-1)
		m.det.SetSize(rw, dh)
		m.fx.SetSize(rw, max(1, body-dh-2))
	} else {
		body := h - 7 // header 2, sparkline 1, two titles, column header, status
		th := max(1, body/2)
		m.tl.SetSize(w, th)
		lw := w / 2
		m.det.SetSize(lw, max(1, body-th))
		m.fx.SetSize(w-lw-2, max(1, body-th))
	}
	m.refreshPanes()
}

// View implements tea.Model.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	w := m.w
	var b strings.Builder
	switch {
	case m.fatal != nil:
		b.WriteString(m.styles.FocusTitle.Render("midstream") + " " + m.styles.Value.Render(oneLine(m.titleText())) + "\n\n")
		// Wrapped, not cut: a read error ends with what to do about it
		// (the flag that raises a limit).
		for _, l := range strings.Split(ansi.Wrap("✗ ERROR: "+oneLine(stream.RedactText(m.fatal.Error())), w, " "), "\n") {
			b.WriteString(m.styles.Error.Render(l) + "\n")
		}
		b.WriteString("\n")
		b.WriteString(m.styles.Dim.Render("press any key to exit"))
		return b.String()
	case m.mode == modeLoading:
		b.WriteString(fit(m.styles.FocusTitle.Render("midstream")+" "+m.styles.Value.Render(oneLine(m.titleText())), w) + "\n\n")
		b.WriteString(m.styles.Value.Render(cut(m.loadingText(), w)))
		return padLines(b.String(), m.h-1) + "\n" + m.statusView()
	case m.helpOn:
		return m.helpScreen()
	case m.mode == modeList:
		b.WriteString(fit(m.styles.FocusTitle.Render("midstream")+" "+m.styles.Value.Render(oneLine(m.titleText())), w) + "\n")
		b.WriteString(m.paneTitle(true, fmt.Sprintf("Exchanges (%d) — enter opens, esc comes back", len(m.xs)), w) + "\n")
		b.WriteString(m.list.header() + "\n")
		b.WriteString(m.list.View(m.xs))
		return padLines(b.String(), m.h-1) + "\n" + m.statusView()
	}
	st := m.current()
	b.WriteString(headerView(&m.styles, st, m.sourceText(st), m.tl.shown, m.sdk(), w) + "\n")
	b.WriteString(m.sparkView(st, w) + "\n")
	tlTitle := m.paneTitle(m.focus == focusTimeline, m.timelineTitle(st), m.tl.w)
	detTitle := m.paneTitle(m.focus == focusDetail, m.detailTitle(), m.det.w)
	fxTitle := m.paneTitle(m.focus == focusFixes, "Fixes", m.fx.w)
	if w >= wideLayout {
		left := tlTitle + "\n" + m.tl.header() + "\n" + m.tl.View()
		right := detTitle + "\n" + m.det.View() + "\n" + fxTitle + "\n" + m.fx.View()
		b.WriteString(joinColumns(left, right, m.tl.w, m.styles.Rule.Render("│")+" "))
	} else {
		b.WriteString(tlTitle + "\n" + m.tl.header() + "\n" + m.tl.View() + "\n")
		left := detTitle + "\n" + m.det.View()
		right := fxTitle + "\n" + m.fx.View()
		b.WriteString(joinColumns(left, right, m.det.w, m.styles.Rule.Render("│")+" "))
	}
	return padLines(b.String(), m.h-1) + "\n" + m.statusView()
}

func (m *Model) titleText() string {
	if m.opt.Title != "" {
		return m.opt.Title
	}
	return m.path
}

func (m *Model) sourceText(st *exchangeState) string {
	if len(m.xs) > 1 || m.opt.Title == "" {
		return stream.RedactText(st.x.Source)
	}
	return stream.RedactText(m.opt.Title)
}

func (m *Model) loadingText() string {
	if m.live {
		return "Waiting for the first request…"
	}
	if m.total > 0 {
		return fmt.Sprintf("Reading %s: %s of %s (%d%%)", m.titleText(), fmtBytes(m.read), fmtBytes(m.total), m.read*100/m.total)
	}
	return fmt.Sprintf("Reading %s: %s", m.titleText(), fmtBytes(m.read))
}

// readingText says how far reading a replayed file has got once its
// first screen is open ("" when it is read).
func (m *Model) readingText() string {
	if m.live || m.loaded || m.fatal != nil || m.read <= 0 {
		return ""
	}
	if m.total > 0 {
		return fmt.Sprintf("reading %d%%", m.read*100/m.total)
	}
	return "reading " + fmtBytes(m.read)
}

func fmtBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}

func (m *Model) timelineTitle(st *exchangeState) string {
	t := "Timeline · " + plural(st.events.Len(), "event")
	if m.tl.shown < st.events.Len() {
		t = fmt.Sprintf("Timeline · %d of %s", m.tl.shown, plural(st.events.Len(), "event"))
	}
	if m.tl.filter != "" {
		t += fmt.Sprintf(" · filter %q: %d", m.tl.filter, m.tl.nEvents())
	}
	if m.tl.newCount > 0 {
		t += fmt.Sprintf(" · %d new ↓", m.tl.newCount)
	} else if m.tl.follow && !st.done {
		t += " · following"
	}
	if e := m.evictedText(st); e != "" {
		t += " · " + e
	}
	if m.live && waitingFor(st) {
		t += " · " + m.waitingText(st)
	}
	return t
}

func (m *Model) detailTitle() string {
	if m.det.assembled {
		return "Detail · assembled (a: raw)"
	}
	return "Detail · raw (a: assembled)"
}

// paneTitle marks the focused pane with a glyph as well as colour.
func (m *Model) paneTitle(focused bool, text string, w int) string {
	if focused {
		return m.styles.FocusTitle.Render(fit("▶ "+text, w))
	}
	return m.styles.Title.Render(fit("  "+text, w))
}

func (m *Model) sparkView(st *exchangeState, w int) string {
	legend := st.spark.legend()
	label := "arrivals "
	room := w - width(label) - width(legend) - 2
	line := ""
	if room >= 8 {
		line = st.spark.render(room)
	}
	out := m.styles.Dim.Render(label) + m.styles.Spark.Render(line) + "  " + m.styles.Dim.Render(legend)
	return fit(out, w)
}

// statusView is the bottom line: the filter input, a status message, or
// the replay state and the short help.
func (m *Model) statusView() string {
	w := m.w
	switch {
	case m.filtering:
		return fit(m.input.View(), w)
	case m.status != "":
		st := m.styles.Status
		if m.statusBad {
			st = m.styles.StatusErr
		}
		return st.Render(fit(oneLine(m.status), w))
	}
	var parts []string
	if p := m.problemText(); p != "" {
		// A failing recording outranks the key hints: it stays visible.
		return m.styles.StatusErr.Render(fit(oneLine(p), w))
	}
	if t := m.readingText(); t != "" {
		parts = append(parts, t)
	}
	if st := m.current(); st != nil {
		if t := decodingText(st); t != "" && !m.live {
			parts = append(parts, t)
		}
		if m.replay {
			state := "▶ replay"
			if m.paused {
				state = "⏸ paused"
			}
			parts = append(parts, fmt.Sprintf("%s %gx", state, m.speed))
		}
	}
	if m.opt.OTLPDropped != nil {
		if n := m.opt.OTLPDropped(); n > 0 {
			parts = append(parts, "otlp: "+plural(int(n), "span")+" dropped")
		}
	}
	prefix := ""
	if len(parts) > 0 {
		prefix = m.styles.Status.Render(strings.Join(parts, " · ") + " · ")
	}
	return fit(m.footerKeys(prefix, w), w)
}

// joinColumns puts two blocks side by side; left lines are padded to lw.
func joinColumns(left, right string, lw int, sep string) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	n := max(len(l), len(r))
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		var a, c string
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			c = r[i]
		}
		b.WriteString(fit(a, lw) + sep + c)
	}
	return b.String()
}

// padLines makes s exactly n lines (cut or padded with blank lines).
func padLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
