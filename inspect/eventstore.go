package inspect

import (
	"bytes"
	"math"
	"sort"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Events is a compact timeline: for each event it keeps 32 bytes (where
// the frame is in the body, when it arrived, its type ids, comment count
// and flags) and derives the rest — the ID and the summary — on demand by
// reading the frame back from the exchange's body.
//
// Like a slice, an Events value is a view: Append returns the grown
// timeline and may share storage with its receiver, which must not be
// appended to again. A windowed timeline (Options.Window) keeps only some
// events; Len still counts all of them and Kept tells which are held.
// The zero value is an empty timeline.
type Events struct {
	x     *stream.Exchange // body the frames are read back from
	names []string         // type names by id (a snapshot of tab's)
	tab   *typeTable       // identity of the table names comes from

	runs      []eventRun // sealed runs of kept events, ascending
	tail      []entry    // the open run: events tailFirst, tailFirst+1, …
	tailFirst int
	n         int         // events in the timeline, kept or not
	wide      []wideEntry // fields too large for an entry, by index
}

// entry is the resident part of one event.
type entry struct {
	off      int64         // frame offset in the body
	at       time.Duration // arrival (timed captures), else 0
	length   uint32        // frame length (see flagWide)
	idBack   uint32        // 0: no ID; else the ID was set from body offset off-(idBack-1) on
	typ      uint16        // SSE event type id (see flagRetype)
	dtyp     uint16        // JSON data type id (see flagRetype)
	comments uint16        // comment lines before the event (see flagWide)
	flags    uint8
	dialect  dialect // how the summary is derived
}

// entry flags.
const (
	flagUnterminated uint8 = 1 << iota
	flagWide               // length, comments or ID start are in Events.wide
	flagRetype             // the type table was full: types are re-derived
	flagRaw                // a bare JSON value, not an SSE frame
)

// wideEntry holds the fields of event index that do not fit an entry.
type wideEntry struct {
	index    int
	length   int64
	comments int
	idStart  int64 // -1 when no ID
}

// eventRun is a run of kept events with consecutive indexes.
type eventRun struct {
	first int
	ents  []entry
}

// typeTable interns event and data type names to small ids. It is only
// ever appended to, so a snapshot of names stays valid for its readers.
type typeTable struct {
	names []string
	ids   map[string]uint16
	last  [2]string // the names of the last two lookups
	lastI [2]uint16
}

// maxTypes bounds the type table; events of further types get flagRetype.
const maxTypes = math.MaxUint16

func newTypeTable() *typeTable {
	return &typeTable{names: []string{""}, ids: map[string]uint16{"": 0}}
}

// id returns the id of name, adding it; ok is false when the table is full.
func (t *typeTable) id(name string) (uint16, bool) {
	// Names come from the decoder's and diag's interning, so the same
	// string (pointer and length) repeats: compare with the last hits.
	if name == t.last[0] {
		return t.lastI[0], true
	}
	if name == t.last[1] {
		t.last[0], t.last[1], t.lastI[0], t.lastI[1] = t.last[1], t.last[0], t.lastI[1], t.lastI[0]
		return t.lastI[0], true
	}
	i, ok := t.ids[name]
	if !ok {
		if len(t.names) >= maxTypes {
			return 0, false
		}
		i = uint16(len(t.names))
		t.names = append(t.names, name)
		t.ids[name] = i
	}
	t.last[1], t.lastI[1] = t.last[0], t.lastI[0]
	t.last[0], t.lastI[0] = name, i
	return i, true
}

// Len returns the number of events in the timeline, kept or not.
func (ev Events) Len() int { return ev.n }

// Kept reports whether event i is held (always, unless windowed).
func (ev Events) Kept(i int) bool {
	_, ok := ev.entry(i)
	return ok
}

// At returns event i with its ID and Summary, read back from the body.
// An event a windowed timeline did not keep comes back with only Index.
func (ev Events) At(i int) EventInfo {
	info, e, ok := ev.meta(i)
	if !ok {
		return info
	}
	info.Summary, info.ID = ev.derive(e, info)
	return info
}

// Meta returns event i without its ID and Summary: no body is read.
func (ev Events) Meta(i int) EventInfo {
	info, _, _ := ev.meta(i)
	return info
}

// SetAt sets the arrival time of event i (when it is kept). The storage
// is shared with the values Events was copied from, as a slice's is.
func (ev Events) SetAt(i int, at time.Duration) {
	if e, ok := ev.entry(i); ok {
		e.at = at
	}
}

// Exchange returns the exchange the frames are read back from.
func (ev Events) Exchange() *stream.Exchange { return ev.x }

// entry returns event i's entry, or false when it is not kept.
func (ev Events) entry(i int) (*entry, bool) {
	if i < 0 || i >= ev.n {
		return nil, false
	}
	if i >= ev.tailFirst {
		if k := i - ev.tailFirst; k < len(ev.tail) {
			return &ev.tail[k], true
		}
		return nil, false
	}
	r := sort.Search(len(ev.runs), func(k int) bool { return ev.runs[k].first > i }) - 1
	if r < 0 {
		return nil, false
	}
	if k := i - ev.runs[r].first; k < len(ev.runs[r].ents) {
		return &ev.runs[r].ents[k], true
	}
	return nil, false
}

func (ev Events) meta(i int) (EventInfo, *entry, bool) {
	e, ok := ev.entry(i)
	if !ok {
		return EventInfo{Index: i}, nil, false
	}
	info := EventInfo{
		Index:        i,
		Offset:       e.off,
		Length:       int64(e.length),
		At:           e.at,
		Comments:     int(e.comments),
		Unterminated: e.flags&flagUnterminated != 0,
		Raw:          e.flags&flagRaw != 0,
	}
	if int(e.typ) < len(ev.names) && int(e.dtyp) < len(ev.names) {
		info.Type, info.DataType = ev.names[e.typ], ev.names[e.dtyp]
	}
	if e.flags&flagWide != 0 {
		w := ev.wideAt(i)
		info.Length, info.Comments = w.length, w.comments
	}
	if e.flags&flagRetype != 0 {
		info.Type, info.DataType = ev.retype(info)
	}
	return info, e, true
}

func (ev Events) wideAt(i int) wideEntry {
	k := sort.Search(len(ev.wide), func(k int) bool { return ev.wide[k].index >= i })
	if k < len(ev.wide) && ev.wide[k].index == i {
		return ev.wide[k]
	}
	return wideEntry{index: i, idStart: -1}
}

// frame reads the raw bytes of the event described by info.
func (ev Events) frame(info EventInfo) []byte {
	x := ev.x
	if x == nil || info.Offset < 0 || info.Length < 0 || info.Offset+info.Length > x.BodyLen() {
		return nil
	}
	b := make([]byte, info.Length)
	if n, _ := x.ReadBodyAt(b, info.Offset); int64(n) < info.Length {
		return nil
	}
	return b
}

// frameEvent decodes the SSE frame of info again; a raw event's frame is
// its data.
func (ev Events) frameEvent(info EventInfo) (stream.Event, bool) {
	b := ev.frame(info)
	if b == nil {
		return stream.Event{}, false
	}
	if info.Raw {
		return stream.Event{Type: "message", Data: b, Offset: info.Offset, Length: info.Length}, true
	}
	e, err := stream.NewDecoder(bytes.NewReader(b)).Next()
	return e, err == nil
}

// retype derives the types of an event whose ids did not fit the table.
func (ev Events) retype(info EventInfo) (typ, dataType string) {
	e, ok := ev.frameEvent(info)
	if !ok {
		return "", ""
	}
	return e.Type, jstring(jfield(e.Data, "type"))
}

// derive reads an event's frame back and returns its summary and ID.
func (ev Events) derive(e *entry, info EventInfo) (summary, id string) {
	if e.dialect == dialectBedrock {
		return bedrockSummary(ev.frame(info)), ""
	}
	if info.Unterminated {
		summary = unterminatedSummary
	} else if fe, ok := ev.frameEvent(info); ok {
		summary = summarize(e.dialect, info.Type, info.DataType, fe.Data)
	}
	return summary, ev.id(e, info)
}

// id returns the last event ID in force at the event: decoding the body
// from where the ID was set up to the event's end yields that one event.
func (ev Events) id(e *entry, info EventInfo) string {
	start := info.Offset - int64(e.idBack) + 1
	if e.flags&flagWide != 0 {
		start = ev.wideAt(info.Index).idStart
	} else if e.idBack == 0 {
		return ""
	}
	if start < 0 || start > info.Offset {
		return ""
	}
	fe, ok := ev.frameEvent(EventInfo{Offset: start, Length: info.Offset + info.Length - start})
	if !ok {
		return ""
	}
	return fe.ID
}

// Append returns ev with the events of b after its own (b's indexes are
// shifted to follow ev's); b must keep every event (no window). Like
// append, the result may share ev's storage.
func (ev Events) Append(b Events) Events {
	start := b.tailFirst
	if len(b.runs) > 0 {
		start = b.runs[0].first
	}
	if b.n <= start {
		return ev
	}
	if ev.x == nil {
		ev.x = b.x
	}
	shift := ev.n - start
	for _, r := range b.runs {
		ev = ev.appendEntries(b, r.ents)
	}
	ev = ev.appendEntries(b, b.tail)
	for _, w := range b.wide {
		w.index += shift
		ev.wide = append(ev.wide[:len(ev.wide):len(ev.wide)], w)
	}
	return ev
}

// appendEntries appends entries of b.
func (ev Events) appendEntries(b Events, ents []entry) Events {
	if ev.tab == nil || ev.tab == b.tab {
		if ev.tab == nil || len(b.names) > len(ev.names) {
			ev.names, ev.tab = b.names, b.tab
		}
		ev.tail = append(ev.tailFor(), ents...)
	} else {
		ev = ev.appendRetyped(b, ents)
	}
	ev.n += len(ents)
	return ev
}

// tailFor returns the tail to append to: it must end at event n (a
// windowed timeline's tail may not; it is sealed and a new run begins).
func (ev *Events) tailFor() []entry {
	if ev.tailFirst+len(ev.tail) == ev.n {
		return ev.tail
	}
	if len(ev.tail) > 0 {
		ev.runs = append(ev.runs[:len(ev.runs):len(ev.runs)], eventRun{first: ev.tailFirst, ents: ev.tail})
	}
	ev.tail, ev.tailFirst = nil, ev.n
	return nil
}

// appendRetyped appends b's entries whose type ids come from another
// table, translating them into a table of ev's own.
func (ev Events) appendRetyped(b Events, ents []entry) Events {
	own := newTypeTable()
	for _, s := range ev.names[min(1, len(ev.names)):] {
		own.id(s)
	}
	ev.tab = own
	tail := ev.tailFor()
	for _, e := range ents {
		t, ok1 := own.id(b.names[e.typ])
		d, ok2 := own.id(b.names[e.dtyp])
		e.typ, e.dtyp = t, d
		if !ok1 || !ok2 {
			e.flags |= flagRetype
		}
		tail = append(tail, e)
	}
	ev.tail, ev.names = tail, own.names
	return ev
}

// kept returns how many events are held.
func (ev Events) kept() int {
	n := len(ev.tail)
	for _, r := range ev.runs {
		n += len(r.ents)
	}
	return n
}
