package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// rowKind tells timeline rows apart: transport milestones and events.
type rowKind int

const (
	rowRequest rowKind = iota
	rowHeaders
	rowFirstByte
	rowEvent
	rowEnd
)

// rowKey identifies a row independently of where it is drawn, so that the
// selection survives new events, filters and replay restarts.
type rowKey struct {
	kind rowKind
	ev   int // event index for rowEvent
}

// timeline is the virtualised list of milestones and events. Only the rows
// in view are rendered, so its View costs the same at 100 and 1,000,000
// events.
type timeline struct {
	st     *exchangeState
	styles *Styles
	w, h   int

	shown int // events revealed so far (replay); len(events) otherwise

	filter    string
	filtered  []int // event indexes matching filter, ascending
	filterPos int   // events scanned for the filter so far

	sel      rowKey
	top      int
	follow   bool
	newCount int
	sev      map[int]inspect.Severity // worst finding per event

	// rows caches rendered event rows by (event, selected): styling is
	// most of a frame's cost, and a frame mostly redraws the rows of the
	// previous one. Reset when anything a row shows changes (size,
	// findings); bounded to a few screens.
	cache map[rowCacheKey]string
	rowsW int
}

type rowCacheKey struct {
	ev       int
	selected bool
}

func newTimeline(st *exchangeState, styles *Styles) *timeline {
	return &timeline{st: st, styles: styles, follow: true, sel: rowKey{kind: rowRequest}}
}

// SetSize sets the rows and columns the timeline draws into.
func (t *timeline) SetSize(w, h int) {
	t.w, t.h = w, h
	t.cache = nil
	t.scrollToSel()
}

// pre lists the milestones drawn before the events.
func (t *timeline) pre() []rowKind {
	x := t.st.x
	var ks []rowKind
	if x == nil {
		return ks
	}
	if x.Request != nil {
		ks = append(ks, rowRequest)
	}
	if x.Response != nil {
		ks = append(ks, rowHeaders)
	}
	if x.Timed && x.ChunkCount() > 0 {
		ks = append(ks, rowFirstByte)
	}
	return ks
}

func (t *timeline) hasEnd() bool { return t.st.done && t.shown >= t.st.events.Len() }

// nEvents is the number of event rows (after filter and replay limit).
func (t *timeline) nEvents() int {
	if t.filter == "" {
		return t.shown
	}
	return sort.SearchInts(t.filtered, t.shown)
}

func (t *timeline) rows() int {
	n := len(t.pre()) + t.nEvents()
	if t.hasEnd() {
		n++
	}
	return n
}

// keyAt returns the key of row r.
func (t *timeline) keyAt(r int) rowKey {
	pre := t.pre()
	if r < len(pre) {
		return rowKey{kind: pre[r]}
	}
	r -= len(pre)
	if r < t.nEvents() {
		if t.filter == "" {
			return rowKey{kind: rowEvent, ev: r}
		}
		return rowKey{kind: rowEvent, ev: t.filtered[r]}
	}
	return rowKey{kind: rowEnd}
}

// rowOf returns the row of key k, or the nearest row when k is hidden.
func (t *timeline) rowOf(k rowKey) int {
	pre := t.pre()
	switch k.kind {
	case rowEvent:
		i := k.ev
		if t.filter != "" {
			i = sort.SearchInts(t.filtered, k.ev)
		}
		if n := t.nEvents(); i >= n {
			i = n - 1
		}
		if i < 0 {
			i = 0
		}
		return len(pre) + i
	case rowEnd:
		return t.rows() - 1
	}
	for i, p := range pre {
		if p == k.kind {
			return i
		}
	}
	return 0
}

// selectedEvent returns the selected event index, or -1 for a milestone.
func (t *timeline) selectedEvent() int {
	if t.sel.kind == rowEvent && t.sel.ev < t.shown {
		return t.sel.ev
	}
	return -1
}

// reveal shows events up to n (replay pacing, live arrivals).
func (t *timeline) reveal(n int) {
	if n > t.st.events.Len() {
		n = t.st.events.Len()
	}
	before := t.nEvents()
	t.shown = n
	t.syncFilter()
	added := t.nEvents() - before
	if t.follow {
		t.toTail()
	} else if added > 0 {
		t.newCount += added
	}
}

// move moves the selection by delta rows; reaching the tail resumes follow.
func (t *timeline) move(delta int) {
	rows := t.rows()
	if rows == 0 {
		return
	}
	r := t.rowOf(t.sel) + delta
	r = max(0, min(r, rows-1))
	t.sel = t.keyAt(r)
	t.follow = r == rows-1 && delta > 0
	if t.follow {
		t.newCount = 0
	}
	t.scrollToSel()
}

func (t *timeline) toTop() {
	t.follow = false
	t.sel = t.keyAt(0)
	t.scrollToSel()
}

func (t *timeline) toTail() {
	t.follow, t.newCount = true, 0
	if rows := t.rows(); rows > 0 {
		t.sel = t.keyAt(rows - 1)
	}
	t.scrollToSel()
}

// selectEvent selects event i (e.g. the next finding), leaving follow.
func (t *timeline) selectEvent(i int) {
	t.sel = rowKey{kind: rowEvent, ev: i}
	t.follow = false
	t.scrollToSel()
}

func (t *timeline) scrollToSel() {
	if t.h <= 0 {
		return
	}
	r := t.rowOf(t.sel)
	if r < t.top {
		t.top = r
	}
	if r >= t.top+t.h {
		t.top = r - t.h + 1
	}
	if rows := t.rows(); t.top > rows-t.h {
		t.top = max(0, rows-t.h)
	}
}

// setFilter filters event rows by type or summary (case-insensitive).
func (t *timeline) setFilter(f string) {
	t.filter = strings.ToLower(strings.TrimSpace(f))
	t.filtered, t.filterPos = nil, 0
	t.syncFilter()
	t.scrollToSel()
}

// selectFiltered moves the selection onto a matching event: the selected
// one if it matches, else the next match, else the last one.
func (t *timeline) selectFiltered() {
	t.follow = false
	n := t.nEvents()
	if t.filter == "" || n == 0 {
		t.scrollToSel()
		return
	}
	from := 0
	if t.sel.kind == rowEvent {
		from = t.sel.ev
	}
	i := min(sort.SearchInts(t.filtered[:n], from), n-1)
	t.sel = rowKey{kind: rowEvent, ev: t.filtered[i]}
	t.scrollToSel()
}

// syncFilter extends the filter to events that arrived since last time.
func (t *timeline) syncFilter() {
	if t.filter == "" {
		return
	}
	evs := t.st.events
	for ; t.filterPos < evs.Len(); t.filterPos++ {
		// The summary is read back from the body: only when the types
		// do not match already.
		e := evs.Meta(t.filterPos)
		if strings.Contains(strings.ToLower(e.Type), t.filter) ||
			strings.Contains(strings.ToLower(e.DataType), t.filter) ||
			strings.Contains(strings.ToLower(evs.At(t.filterPos).Summary), t.filter) {
			t.filtered = append(t.filtered, t.filterPos)
		}
	}
}

// column widths
type cols struct{ num, at, gap, typ, sum, size, find int }

func (t *timeline) layout() cols {
	c := cols{num: 7, at: 9, gap: 9, typ: 19, size: 6, find: 8}
	if t.w < 100 {
		c.at = 0
	}
	seps := 6 // spaces between columns
	if c.at > 0 {
		seps++
	}
	c.sum = t.w - 2 - c.num - c.at - c.gap - c.typ - c.size - c.find - seps
	if c.sum < 8 {
		c.find = 2
		c.sum = t.w - 2 - c.num - c.at - c.gap - c.typ - c.size - c.find - seps
	}
	return c
}

// View renders the visible rows.
func (t *timeline) View() string {
	if t.h <= 0 || t.w <= 0 {
		return ""
	}
	rows := t.rows()
	var b strings.Builder
	top := t.top
	if t.follow {
		top = max(0, rows-t.h)
	}
	c := t.layout()
	if t.cache == nil || t.rowsW != t.w {
		t.cache, t.rowsW = map[rowCacheKey]string{}, t.w
	}
	selRow := t.rowOf(t.sel)
	for i := 0; i < t.h; i++ {
		r := top + i
		if i > 0 {
			b.WriteByte('\n')
		}
		if r >= rows {
			b.WriteString(strings.Repeat(" ", t.w))
			continue
		}
		k := t.keyAt(r)
		if k.kind != rowEvent {
			b.WriteString(t.renderRow(k, c, r == selRow))
			continue
		}
		ck := rowCacheKey{ev: k.ev, selected: r == selRow}
		row, ok := t.cache[ck]
		if !ok {
			row = t.renderRow(k, c, ck.selected)
			if len(t.cache) > 8*t.h+64 {
				clear(t.cache)
			}
			t.cache[ck] = row
		}
		b.WriteString(row)
	}
	return b.String()
}

func (t *timeline) renderRow(k rowKey, c cols, selected bool) string {
	s := t.styles
	cursor := "  "
	if selected {
		cursor = "▸ "
	}
	var num, at, gap, typ, sum, size, find string
	gapStyle := s.Dim
	rowStyle := s.Value
	switch k.kind {
	case rowEvent:
		e := t.st.events.At(k.ev)
		num = fmt.Sprint(k.ev + 1)
		if t.st.x.Timed {
			at = "+" + fmtDur(e.At)
			var prev time.Duration
			if k.ev > 0 {
				prev = t.st.events.Meta(k.ev - 1).At
			}
			g := e.At - prev
			switch {
			case g >= t.st.stall:
				gap, gapStyle = "╌"+fmtDur(g), s.Stall
			case g >= time.Second:
				gap, gapStyle = "+"+fmtDur(g), s.Slow
			default:
				gap = "+" + fmtDur(g)
			}
		}
		typ = e.Type
		if (typ == "message" || typ == "") && e.DataType != "" {
			typ = e.DataType
		}
		sum = oneLine(e.Summary)
		if e.Unterminated {
			sum = "(unterminated) " + sum
		}
		size = fmtSize(e.Length)
		if sev, ok := t.sev[k.ev]; ok {
			g, w := severityMark(string(sev))
			find = g + " " + w
			rowStyle = s.severity(string(sev))
		}
	default:
		num = "—"
		at, typ, sum = t.milestone(k.kind)
		rowStyle = s.Milestone
		if k.kind == rowEnd && t.st.x.Timed && t.st.events.Len() > 0 {
			g := t.st.x.End.At - t.st.events.Meta(t.st.events.Len()-1).At
			gap = "+" + fmtDur(g)
			if g >= t.st.stall {
				gap, gapStyle = "╌"+fmtDur(g), s.Stall
			}
		}
	}
	line := cursor + fitRight(num, c.num) + " "
	if c.at > 0 {
		line += fitRight(at, c.at) + " "
	}
	plainLeft := line
	gapCell := fitRight(gap, c.gap) + " "
	rest := fit(oneLine(typ), c.typ) + " " + fit(sum, c.sum) + " " + fitRight(size, c.size) + " " + fit(find, c.find)
	if selected {
		return s.Selected.Render(fit(plainLeft+gapCell+rest, t.w))
	}
	return s.Dim.Render(plainLeft) + gapStyle.Render(gapCell) + rowStyle.Render(fit(rest, t.w-width(plainLeft)-width(gapCell)))
}

// milestone returns the time, label and summary of a transport row.
func (t *timeline) milestone(k rowKind) (at, label, sum string) {
	x := t.st.x
	timed := x.Timed
	stamp := func(d time.Duration) string {
		if !timed {
			return ""
		}
		return "+" + fmtDur(d)
	}
	switch k {
	case rowRequest:
		r := x.Request
		return stamp(0), "→ request sent", oneLine(r.Method + " " + r.URL)
	case rowHeaders:
		r := x.Response
		ct := ""
		if r.Header != nil {
			ct = r.Header.Get("Content-Type")
		}
		return stamp(r.At), "← headers", oneLine(fmt.Sprintf("HTTP %d %s", r.Status, ct))
	case rowFirstByte:
		first, _, _ := x.ChunkTimes()
		return stamp(first), "← first byte", fmt.Sprintf("%d chunks", x.ChunkCount())
	case rowEnd:
		return stamp(x.End.At), "■ end of stream", endText(x.End)
	}
	return "", "", ""
}

// endTexts words each end reason for the end row and the detail pane.
var endTexts = map[stream.EndReason]string{
	stream.EndEOF:        "eof (clean end of body)",
	stream.EndReset:      "connection reset",
	stream.EndTimeout:    "timeout",
	stream.EndCanceled:   "canceled",
	stream.EndError:      "transport error",
	stream.EndIncomplete: "capture cut short",
	stream.EndUnknown:    "end not recorded",
}

func endText(e stream.End) string {
	txt := endTexts[e.Reason]
	if txt == "" {
		txt = string(e.Reason)
	}
	if e.Err != "" {
		txt += ": " + oneLine(stream.RedactText(e.Err))
	}
	return txt
}

func fmtSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%dB", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1fK", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
}

// header renders the column titles.
func (t *timeline) header() string {
	c := t.layout()
	line := "  " + fitRight("#", c.num) + " "
	if c.at > 0 {
		line += fitRight("at", c.at) + " "
	}
	line += fitRight("gap", c.gap) + " " + fit("type", c.typ) + " " + fit("summary", c.sum) + " " + fitRight("size", c.size) + " " + fit("finding", c.find)
	return t.styles.Dim.Render(fit(line, t.w))
}
