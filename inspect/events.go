package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// checker is the provider-specific part of Diagnose. event is called for
// every dispatched event in order; finish is called once after the last
// event. Checkers compute no summaries: Events derives them on demand.
type checker interface {
	event(i int, ev *evCtx)
	finish()
}

// evCtx is the event a checker looks at. One lives in diag and is reused
// for every event, so handing it to the checker allocates nothing; data
// aliases the decoder's buffer and is valid only during the call.
type evCtx struct {
	name     string // SSE event field ("message" when absent)
	dataType string // JSON "type" of the data, "" if none
	data     []byte
	// delta is set (delta.ok) when data matched the content_block_delta
	// template of an Anthropic stream: data is then valid JSON and delta
	// holds the fields the checks read.
	delta fastDelta
}

// decode runs the single pass over the body: it builds the timeline and
// feeds each event to the provider's checker.
func (d *diag) decode() {
	x := d.x
	comments := 0
	dec := stream.NewDecoder(x.BodyReader())
	dec.OnComment(func(stream.Comment) { comments++ })
	cur := bodyCursor{x: x}
	for {
		e, err := dec.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				d.decodeErr = err
			}
			break
		}
		if !e.Unterminated && cur.splitCRLF(e.Offset+e.Length) {
			e.Length++
		}
		var at time.Duration
		if x.Timed {
			// An event is dispatched when its last byte (the blank line)
			// arrives.
			at = d.ci.At(e.Offset + max(e.Length-1, 0))
		}
		d.event(&e, comments, at)
		comments = 0
	}
	d.trailingComments = comments
	var at func(int64) time.Duration
	if x.Timed {
		at = d.ci.At
	}
	d.rawTailEvent(at)
	d.endEvents()
}

// event adds e, which followed comments comment lines and arrived at at,
// to the timeline and runs the provider's checks on it. Diagnose and
// Timeline both add events here, so the events shown while a stream
// arrives read like the verdict's.
func (d *diag) event(e *stream.Event, comments int, at time.Duration) {
	i := d.ev.ev.n
	// The checker's view is filled in place: d.cur is large enough that
	// building and copying a fresh one per event showed in profiles.
	cur := &d.cur
	cur.delta.ok = false
	if d.dialect == dialectAnthropic && useTemplates {
		matchDelta(e.Data, &cur.delta)
	}
	dataType := "content_block_delta"
	if !cur.delta.ok {
		dataType = d.internType(jfield(e.Data, "type"))
	}
	r := evRec{
		typ:          e.Type,
		dataType:     dataType,
		id:           e.ID,
		off:          e.Offset,
		length:       e.Length,
		at:           at,
		comments:     comments,
		unterminated: e.Unterminated,
		dialect:      d.dialect,
	}
	if e.Unterminated && e.Data == nil && !d.opt.InFlight {
		if _, _, ok := d.rawTail(); ok {
			// A raw JSON error, not a frame: rawTailEvent adds it once
			// the pass ends.
			return
		}
	}
	if e.Unterminated {
		// The spec says a client discards a frame cut before its blank
		// line, so no SDK sees it: keep it on the timeline only.
		d.cutAt, d.cutType = i, dataType
		if string(bytes.TrimSpace(e.Data)) == "[DONE]" {
			d.cutType = "[DONE]"
		}
		if d.cutErrorFrame(i, e.Type, dataType, e.Data) {
			d.addEvent(&r)
			return
		}

		d.f.add("S-unterminated-event", SeverityWarning, "The stream ended inside an event",
			"The last frame has no terminating blank line, so every SSE client discards it: the bytes arrived but the event never did.",
			i)
	} else {
		d.lastEnd = e.Offset + e.Length
		cur.name, cur.dataType, cur.data = e.Type, dataType, e.Data
		d.chk.event(i, cur)
	}
	d.addEvent(&r)
}

// cutErrorFrame handles event i, a frame cut before its blank line, when
// it carries an error: SSE clients dispatch an event only on the blank
// line (domain.md §2.1), so none sees it, but its type and the status it
// stands for are reported from the bytes. It reports whether the frame
// was an error.
func (d *diag) cutErrorFrame(i int, name, dt string, data []byte) bool {
	if d.err != nil || d.cutErr != nil || d.opt.InFlight {
		return false
	}
	typ, msg, status, spendCap, ok := d.errorOf(name, dt, data)
	if !ok {
		return false
	}
	d.cutErr = &StreamError{Type: typ, Message: msg, EventIndex: i, OutputBeforeError: d.firstContent >= 0 && d.firstContent < i}
	d.cutStatus, d.cutSpendCap = status, spendCap
	d.pin(i)
	st := "an unknown status"
	if status != 0 {
		st = fmt.Sprint(status)
	}
	d.f.add("S-unterminated-error", SeverityError, fmt.Sprintf("The %s error event was cut before its blank line: no client sees it", orUnknownType(typ)),
		fmt.Sprintf("Event %d carries %s (stands for %s), but its frame has no terminating blank line. SSE clients, the SDK decoders included, dispatch an event only on the blank line and discard a frame cut before it, so they see a stream that simply stopped: no error, no type to branch on, no retry decision. The outcome is therefore truncated; the type and status come from the raw bytes.", i+1, orUnknownType(typ), st),
		i)
	return true
}

// errorOf reads the error a frame's data carries, as the dialect's
// checker would: its type (or code), message, the status it stands for
// and whether it is the spend-cap 429. ok is false when the frame is no
// error (or its data is not whole JSON).
func (d *diag) errorOf(name, dt string, data []byte) (typ, msg string, status int, spendCap, ok bool) {
	if !validJSON(data) {
		return "", "", 0, false, false
	}
	e, ok := grammarOf(d.dialect).errorOf(name, dt, data)
	e = d.hostStatus(e)
	return e.typ, e.msg, e.status, e.spendCap, ok
}

// addEvent appends r to the timeline and the timing figures.
func (d *diag) addEvent(r *evRec) {
	i := d.ev.ev.n
	d.ev.add(r)
	if d.firstContent == i {
		d.firstContentAt = r.at
	}
	d.tacc.add(i, r.at, r.comments, r.dataType == "ping" || r.typ == "ping")
}

// endEvents ends the timeline of the single pass.
func (d *diag) endEvents() {
	d.v.Events = d.ev.finish()
	d.v.EventCount = d.v.Events.Len()
}

// bodyCursor reads single body bytes at offsets that rarely go back,
// through a window of the body, so checking a frame's last bytes costs no
// read per event. The window of a body held in memory is the chunk
// itself (no copy: copying a 64 MiB body in windows cost 8% of
// Diagnose); a spooled body is read ahead into a buffer.
type bodyCursor struct {
	x     *stream.Exchange
	win   []byte
	start int64 // body offset of win[0]
	buf   []byte
	chunk int   // in memory: index of the chunk after win
	next  int64 // in memory: body offset of that chunk
}

// at returns the body byte at off, or -1 past the end.
func (c *bodyCursor) at(off int64) int {
	if off < c.start || off >= c.start+int64(len(c.win)) {
		if !c.move(off) {
			return -1
		}
	}
	return int(c.win[off-c.start])
}

// move points the window at off; false past the end.
func (c *bodyCursor) move(off int64) bool {
	if c.x.Spool != nil {
		if c.buf == nil {
			c.buf = make([]byte, 64<<10)
		}
		n, _ := c.x.ReadBodyAt(c.buf, off)
		c.win, c.start = c.buf[:n], off
		return n > 0
	}
	if off < c.next {
		c.chunk, c.next = 0, 0 // went back: walk from the first chunk
	}
	for ; c.chunk < len(c.x.Chunks); c.chunk++ {
		d := c.x.Chunks[c.chunk].Data
		c.win, c.start = d, c.next
		c.next += int64(len(d))
		if off < c.next {
			c.chunk++
			return true
		}
	}
	c.win = nil
	return false
}

// splitCRLF reports a frame ending at end whose blank line is a CR with
// an LF next in the body. The decoder leaves that LF out of the frame's
// Length when the CR was the last byte of a read (a live stream must not
// wait for the LF); the body is complete here, so the LF is counted, and
// a frame's Length does not depend on where reads or chunks happened to
// split the body.
func (c *bodyCursor) splitCRLF(end int64) bool {
	return c.at(end-1) == '\r' && c.at(end) == '\n'
}

// internType returns the JSON "type" string for raw, reusing one string
// per distinct type so a million events do not allocate a million copies.
func (d *diag) internType(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	inner := raw[1 : len(raw)-1]
	// Most events repeat one of the last few types: compare before
	// hashing.
	for _, s := range d.lastTypes {
		if string(inner) == s && s != "" {
			return s
		}
	}
	if s, ok := d.types[string(inner)]; ok {
		d.lastTypes[d.lastNext] = s
		d.lastNext = (d.lastNext + 1) % len(d.lastTypes)
		return s
	}
	s, ok := jstr(raw)
	if !ok {
		return ""
	}
	if bytes.IndexByte(inner, '\\') < 0 && len(d.types) < 512 {
		d.types[s] = s
	}
	return s
}

// eventData returns the data of event i of v, decoded again from the raw
// frame (the timeline keeps no copy).
func eventData(v *Verdict, i int) []byte {
	e, ok := v.Events.frameEvent(v.Events.Meta(i))
	if !ok {
		return nil
	}
	return e.Data
}
