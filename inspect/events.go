package inspect

import (
	"bytes"
	"errors"
	"io"

	"github.com/midstreamhq/midstream/stream"
)

// checker is the provider-specific part of Diagnose. event is called for
// every dispatched event in order and may set ev.summary; finish is called
// once after the last event.
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
	summary  string // set by the checker
}

// decode runs the single pass over the body: it builds the timeline and
// feeds each event to the provider's checker.
func (d *diag) decode() {
	x := d.x
	ci := d.ci
	comments := 0
	dec := stream.NewDecoder(x.BodyReader())
	dec.OnComment(func(stream.Comment) { comments++ })
	cur := bodyCursor{x: x}
	// The timeline is built in fixed-size pages and joined once at the end:
	// growing one slice by append would allocate about five times its final
	// size on a million-event stream, and no cheap count of events up front
	// is reliable (keepalive-only bodies have blank lines but no events).
	var pages [][]EventInfo
	page := make([]EventInfo, 0, 256)
	count := 0
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
		info := d.event(count, &e, comments)
		comments = 0
		if x.Timed {
			// An event is dispatched when its last byte (the blank line)
			// arrives.
			info.At = ci.At(e.Offset + max(e.Length-1, 0))
		}
		if len(page) == cap(page) {
			pages = append(pages, page)
			page = make([]EventInfo, 0, min(2*cap(page), timelinePage))
		}
		page = append(page, info)
		count++
	}
	if len(pages) == 0 {
		d.v.Events = page
	} else {
		d.v.Events = make([]EventInfo, 0, count)
		for _, p := range pages {
			d.v.Events = append(d.v.Events, p...)
		}
		d.v.Events = append(d.v.Events, page...)
	}
	d.trailingComments = comments
	d.v.EventCount = len(d.v.Events)
}

// event builds the timeline entry of e, the i-th event, which followed
// comments comment lines, and runs the provider's checks on it (they set
// the summary). Diagnose and Timeline both build entries here, so the
// events shown while a stream arrives read like the verdict's. At is left
// to the caller.
func (d *diag) event(i int, e *stream.Event, comments int) EventInfo {
	info := EventInfo{
		Index:        i,
		Type:         e.Type,
		DataType:     d.internType(jfield(e.Data, "type")),
		ID:           e.ID,
		Offset:       e.Offset,
		Length:       e.Length,
		Comments:     comments,
		Unterminated: e.Unterminated,
	}
	if e.Unterminated {
		// The spec says a client discards a frame cut before its blank
		// line, so no SDK sees it: keep it on the timeline only.
		info.Summary = "(cut before its blank line; clients discard it)"
		d.f.add("S-unterminated-event", SeverityWarning, "The stream ended inside an event",
			"The last frame has no terminating blank line, so every SSE client discards it: the bytes arrived but the event never did.",
			info.Index)
	} else {
		d.cur = evCtx{name: e.Type, dataType: info.DataType, data: e.Data}
		d.chk.event(info.Index, &d.cur)
		info.Summary = d.cur.summary
	}
	return info
}

// bodyCursor reads single body bytes at offsets that rarely go back,
// through a window of the body read ahead, so checking a frame's last
// bytes costs no read per event.
type bodyCursor struct {
	x     *stream.Exchange
	win   []byte
	start int64 // body offset of win[0]
}

// at returns the body byte at off, or -1 past the end.
func (c *bodyCursor) at(off int64) int {
	if off < c.start || off >= c.start+int64(len(c.win)) {
		if c.win == nil {
			c.win = make([]byte, 0, 64<<10)
		}
		n, _ := c.x.ReadBodyAt(c.win[:cap(c.win)], off)
		c.win, c.start = c.win[:n], off
		if n == 0 {
			return -1
		}
	}
	return int(c.win[off-c.start])
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

// timelinePage is the largest page of the timeline under construction.
const timelinePage = 32 << 10

// internType returns the JSON "type" string for raw, reusing one string
// per distinct type so a million events do not allocate a million copies.
func (d *diag) internType(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	inner := raw[1 : len(raw)-1]
	if s, ok := d.types[string(inner)]; ok {
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
// frame its Offset and Length point at (EventInfo keeps no copy).
func eventData(x *stream.Exchange, ev EventInfo) []byte {
	if ev.Offset < 0 || ev.Length < 0 || ev.Offset+ev.Length > x.BodyLen() {
		return nil
	}
	frame := make([]byte, ev.Length)
	if n, _ := x.ReadBodyAt(frame, ev.Offset); int64(n) < ev.Length {
		return nil
	}
	dec := stream.NewDecoder(bytes.NewReader(frame))
	e, err := dec.Next()
	if err != nil {
		return nil
	}
	return e.Data
}
