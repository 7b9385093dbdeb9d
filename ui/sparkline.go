package ui

import (
	"fmt"
	"strings"
	"time"
)

// sparkBuckets bounds the memory and the render cost of the sparkline: the
// arrivals are counted into at most this many buckets, and the bucket span
// doubles (merging pairs) whenever the stream outgrows them. Adding an
// event is O(1) amortised; rendering is O(sparkBuckets + width).
const sparkBuckets = 512

// sparkline counts event arrivals over time.
type sparkline struct {
	span    time.Duration // time covered by one bucket
	counts  [sparkBuckets]int
	used    int // buckets up to the last event
	errAt   time.Duration
	hasErr  bool
	stalls  []stallSpan // at most maxStalls, the first ones seen
	last    time.Duration
	n       int
	untimed bool
}

type stallSpan struct{ from, to time.Duration }

const maxStalls = 64

func newSparkline() *sparkline { return &sparkline{span: 10 * time.Millisecond} }

// add records one event arriving at at; gaps of at least stall are
// recorded as stalls.
func (s *sparkline) add(at time.Duration, stall time.Duration) {
	if s.n > 0 && at-s.last >= stall && len(s.stalls) < maxStalls {
		s.stalls = append(s.stalls, stallSpan{s.last, at})
	}
	s.n++
	if at > s.last {
		s.last = at
	}
	for at >= s.span*sparkBuckets {
		s.grow()
	}
	b := int(at / s.span)
	s.counts[b]++
	if b+1 > s.used {
		s.used = b + 1
	}
}

// grow doubles the bucket span, merging neighbouring buckets.
func (s *sparkline) grow() {
	for i := 0; i < sparkBuckets/2; i++ {
		s.counts[i] = s.counts[2*i] + s.counts[2*i+1]
	}
	for i := sparkBuckets / 2; i < sparkBuckets; i++ {
		s.counts[i] = 0
	}
	s.span *= 2
	s.used = (s.used + 1) / 2
}

// finish records the end of the body at at: a long silence before it is
// a stall too (the stream hung, then the connection died), and the time
// axis extends to it.
func (s *sparkline) finish(at time.Duration, stall time.Duration) {
	if s.untimed || at <= s.last {
		return
	}
	if s.n > 0 && at-s.last >= stall && len(s.stalls) < maxStalls {
		s.stalls = append(s.stalls, stallSpan{s.last, at})
	}
	s.last = at
	for at >= s.span*sparkBuckets {
		s.grow()
	}
	if b := int(at/s.span) + 1; b > s.used {
		s.used = b
	}
}

func (s *sparkline) markError(at time.Duration) { s.errAt, s.hasErr = at, true }

var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// render draws the arrivals into w cells: block heights for counts, '·'
// for quiet time, '╌' for a stall and '✗' where the error arrived.
func (s *sparkline) render(w int) string {
	if w <= 0 || s.n == 0 {
		return ""
	}
	used := s.used
	cols := w
	if used < cols {
		cols = used
	}
	if cols < 1 {
		cols = 1
	}
	vals := make([]int, cols)
	maxv := 0
	for c := 0; c < cols; c++ {
		lo, hi := c*used/cols, (c+1)*used/cols
		if hi <= lo {
			hi = lo + 1
		}
		for b := lo; b < hi && b < sparkBuckets; b++ {
			vals[c] += s.counts[b]
		}
		if vals[c] > maxv {
			maxv = vals[c]
		}
	}
	total := time.Duration(used) * s.span
	colOf := func(t time.Duration) int {
		if total <= 0 {
			return 0
		}
		c := int(int64(t) * int64(cols) / int64(total))
		if c >= cols {
			c = cols - 1
		}
		return c
	}
	out := make([]rune, cols)
	for c, v := range vals {
		switch {
		case v == 0:
			out[c] = '·'
		default:
			lvl := (v*len(sparkLevels) - 1) / maxv
			out[c] = sparkLevels[lvl]
		}
	}
	for _, st := range s.stalls {
		for c := colOf(st.from) + 1; c < colOf(st.to); c++ {
			out[c] = '╌'
		}
	}
	if s.hasErr {
		out[colOf(s.errAt)] = '✗'
	}
	return string(out)
}

// legend says what the line covers.
func (s *sparkline) legend() string {
	var b strings.Builder
	if s.untimed {
		fmt.Fprintf(&b, "%s, untimed (by order)", plural(s.n, "event"))
	} else {
		fmt.Fprintf(&b, "%s in %s", plural(s.n, "event"), fmtDur(s.last))
	}
	if len(s.stalls) > 0 {
		fmt.Fprintf(&b, " · ╌ %d stall", len(s.stalls))
		if len(s.stalls) > 1 {
			b.WriteByte('s')
		}
	}
	if s.hasErr {
		b.WriteString(" · ✗ error")
	}
	return b.String()
}

// fmtDur prints a duration compactly: 0.031s, 4.2s, 1m03s.
func fmtDur(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + fmtDur(-d)
	case d < 10*time.Second:
		return fmt.Sprintf("%.3fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		m := int(d / time.Minute)
		return fmt.Sprintf("%dm%02ds", m, int((d-time.Duration(m)*time.Minute)/time.Second))
	}
}
