package inspect

import (
	"math"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// evRec is one event as the single pass sees it, before it is compacted.
type evRec struct {
	typ, dataType string
	off, length   int64
	at            time.Duration
	comments      int
	id            string // last event ID in force
	unterminated  bool
	raw           bool // a bare JSON value, not an SSE frame (EventInfo.Raw)
	dialect       dialect
}

// eventsBuilder compacts events into an Events timeline as they are
// decoded. With a window it keeps only the first window events, the last
// window events and those pinned (with context); the rest are dropped as
// they age out of a ring of the last window events.
type eventsBuilder struct {
	ev     Events
	window int // 0: keep every event

	ring   []entry // the latest events not kept, oldest at ringAt
	ringAt int
	ringN  int
	keepTo int // events before this index are kept

	prevEnd int64  // body offset just past the previous event
	prevID  string // last event ID in force after it
	idStart int64  // where that ID was set: the region holding its line
}

// timelinePage is the largest run of a full timeline: runs are sealed at
// this size, so a million events never need one huge growing slice.
const timelinePage = 32 << 10

// minWindow is the smallest window: reports show 4 events before and 2
// after the one they centre on.
const minWindow = 8

func newEventsBuilder(x *stream.Exchange, tab *typeTable, window int) *eventsBuilder {
	if window > 0 {
		window = max(window, minWindow)
	}
	b := &eventsBuilder{window: window}
	b.ev.x, b.ev.tab = x, tab
	if window > 0 {
		b.ring = make([]entry, window)
	}
	return b
}

// add appends the next event.
func (b *eventsBuilder) add(r *evRec) {
	i := b.ev.n
	e := entry{off: r.off, at: r.at, dialect: r.dialect}
	var ok1, ok2 bool
	e.typ, ok1 = b.ev.tab.id(r.typ)
	e.dtyp, ok2 = b.ev.tab.id(r.dataType)
	if !ok1 || !ok2 {
		e.flags |= flagRetype
	}
	if r.unterminated {
		e.flags |= flagUnterminated
	}
	if r.raw {
		e.flags |= flagRaw
	}
	// The ID: set where it changed (the bytes after the previous event up
	// to this one's end hold its line), else inherited.
	switch {
	case r.id == "":
		b.idStart = -1
	case r.id != b.prevID || b.idStart < 0:
		b.idStart = b.prevEnd
	}
	b.prevID, b.prevEnd = r.id, r.off+r.length
	idBack := int64(0)
	if b.idStart >= 0 {
		idBack = r.off - b.idStart + 1
	}
	if r.length > math.MaxUint32 || r.comments > math.MaxUint16 || idBack > math.MaxUint32 || idBack < 0 {
		e.flags |= flagWide
		b.ev.wide = append(b.ev.wide, wideEntry{index: i, length: r.length, comments: r.comments, idStart: b.idStart})
	} else {
		e.length, e.comments, e.idBack = uint32(r.length), uint16(r.comments), uint32(idBack)
	}
	b.ev.n++
	switch {
	case b.window == 0 || i < b.window || i < b.keepTo:
		b.keep(i, e)
	case b.ringN < len(b.ring):
		b.ring[(b.ringAt+b.ringN)%len(b.ring)] = e
		b.ringN++
	default: // the oldest ages out
		b.ring[b.ringAt] = e
		b.ringAt = (b.ringAt + 1) % len(b.ring)
	}
}

// keep stores event i.
func (b *eventsBuilder) keep(i int, e entry) {
	ev := &b.ev
	full := len(ev.tail) == cap(ev.tail) && len(ev.tail) > 0
	if ev.tailFirst+len(ev.tail) != i || (full && b.window == 0) {
		if len(ev.tail) > 0 {
			ev.runs = append(ev.runs, eventRun{first: ev.tailFirst, ents: ev.tail})
		}
		n := 256
		if b.window > 0 {
			n = 2*b.window + 1
		} else if len(ev.tail) > 0 {
			n = min(2*cap(ev.tail), timelinePage)
		}
		ev.tail, ev.tailFirst = make([]entry, 0, n), i
	}
	ev.tail = append(ev.tail, e)
}

// pin keeps event i with before events before it and after events after
// it (a windowed timeline only; i is at most the event being added, and
// events that already aged out stay dropped).
func (b *eventsBuilder) pin(i, before, after int) {
	if b.window == 0 || i < 0 {
		return
	}
	lo := i - before
	first := b.ev.n - b.ringN // index of the oldest event in the ring
	for k := 0; k < b.ringN; k++ {
		if idx := first + k; idx >= lo {
			b.keep(idx, b.ring[(b.ringAt+k)%len(b.ring)])
		}
	}
	if b.ringN > 0 && first+b.ringN-1 >= lo {
		b.ringAt, b.ringN = 0, 0
	}
	b.keepTo = max(b.keepTo, i+after+1)
}

// finish keeps the last events and returns the timeline.
func (b *eventsBuilder) finish() Events {
	b.pin(b.ev.n, b.window, 0)
	b.ev.names = b.ev.tab.names
	return b.ev
}

// take returns the events added since the last take, for a Timeline feed,
// and starts a new batch (the ID state carries over).
func (b *eventsBuilder) take() Events {
	out := b.ev
	out.names = out.tab.names
	b.ev = Events{x: out.x, tab: out.tab, tailFirst: out.n, n: out.n}
	// Number the batch's events from 0.
	base := out.tailFirst
	if len(out.runs) > 0 {
		base = out.runs[0].first
		for k := range out.runs {
			out.runs[k].first -= base
		}
	}
	for k := range out.wide {
		out.wide[k].index -= base
	}
	out.tailFirst -= base
	out.n -= base
	return out
}

// timingAcc computes, event by event, what the timing checks need, so a
// windowed timeline gives the same figures as a full one.
type timingAcc struct {
	n            int
	first, prev  time.Duration
	maxGap       time.Duration
	maxGapAfter  int
	limit        time.Duration // stall threshold
	last         time.Duration // last progress event, -1 before any
	keep         int           // keepalives since it
	silent, kept []int         // events ending a stall, without / with keepalives (the first maxEventRefs)
	silentN      int           // stalls without keepalives
	keptN        int           // stalls with keepalives
	silentMax    time.Duration
	keptMax      time.Duration
	pin          func(i int) // keeps the first event of each stall kind
}

func newTimingAcc(limit time.Duration, pin func(int)) timingAcc {
	if limit <= 0 {
		limit = defaultStall
	}
	return timingAcc{maxGapAfter: -1, limit: limit, last: -1, pin: pin}
}

// add accounts event i, which arrived at at after comments comment lines.
func (t *timingAcc) add(i int, at time.Duration, comments int, keepalive bool) {
	if t.n == 0 {
		t.first = at
	} else if g := at - t.prev; g > t.maxGap {
		t.maxGap, t.maxGapAfter = g, i
	}
	t.n++
	t.prev = at
	t.keep += comments
	if keepalive {
		t.keep++
		return
	}
	t.check(i, at)
	t.last, t.keep = at, 0
}

// check records a stall ending at event i at time at.
func (t *timingAcc) check(i int, at time.Duration) {
	if t.last < 0 {
		return
	}
	g := at - t.last
	if g <= t.limit {
		return
	}
	if t.keep > 0 {
		if len(t.kept) == 0 && t.pin != nil {
			t.pin(i)
		}
		// A finding lists maxEventRefs events: keep no more, so a
		// capture of a million stalls costs a counter.
		if t.keptN++; len(t.kept) < maxEventRefs {
			t.kept = append(t.kept, i)
		}
		t.keptMax = max(t.keptMax, g)
	} else {
		if len(t.silent) == 0 && t.pin != nil {
			t.pin(i)
		}
		if t.silentN++; len(t.silent) < maxEventRefs {
			t.silent = append(t.silent, i)
		}
		t.silentMax = max(t.silentMax, g)
	}
}
