// Package stream is the wire layer of midstream: it decodes Server-Sent
// Events exactly as the WHATWG event-stream rules say, holds captured HTTP
// exchanges byte for byte, reads and writes every capture format users
// bring, and feeds live data to the rest of the program.
//
// stream imports no terminal or UI package.
package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
	"unsafe"
)

// Event is one dispatched server-sent event.
//
// Ownership: Data belongs to the Decoder. It may alias the decoder's read
// buffer and stays valid only until the next call to Next; a caller that
// keeps an event past that point must Clone it. Appending to Data never
// writes into the decoder's buffers (its capacity equals its length). Type
// and ID are ordinary strings and may be kept.
type Event struct {
	// Type is the event field, or "message" when the frame had none.
	Type string
	// ID is the last event ID seen on the stream (it persists across
	// events, as in EventSource), "" when none was set.
	ID string
	// Data is the frame's data lines joined with "\n", without a trailing
	// newline. The bytes are passed through as sent: the decoder does not
	// replace invalid UTF-8.
	Data []byte
	// Offset is the byte offset in the input of the first line of the
	// frame (a leading BOM counts as input). Comment lines that precede the
	// frame's fields in the same block belong to the frame.
	Offset int64
	// Length is the number of input bytes of the frame, up to and
	// including the blank line that dispatched it. When that blank line
	// ends in a CR that was the last byte read so far, an LF arriving in a
	// later read is not counted (waiting for it could stall a live stream);
	// it is skipped as the rest of that line ending.
	Length int64
	// Unterminated is true for the one event the decoder returns when the
	// input ended inside a frame, before its blank line. Such an event was
	// never dispatched on the wire; the spec says a client discards it.
	Unterminated bool
}

// Clone returns a copy of e whose Data does not alias the decoder's buffer.
func (e Event) Clone() Event {
	e.Data = bytes.Clone(e.Data)
	return e
}

// Comment is a comment line (one starting with ':'), such as a keepalive.
// Text excludes the leading colon and is valid only during the callback.
type Comment struct {
	Text   []byte
	Offset int64
}

// LineTooLongError reports a line longer than the limit set with
// SetMaxLineLength.
type LineTooLongError struct {
	Offset int64 // offset of the start of the line
	Limit  int
}

// Error names the line's byte offset and the limit.
func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("sse: line at byte %d is longer than the %d-byte limit", e.Offset, e.Limit)
}

// initialBuffer is the first read buffer size. It fits in L2 with room to
// spare; the buffer doubles only when one line does not fit.
const initialBuffer = 64 << 10

// Decoder reads server-sent events from an io.Reader.
type Decoder struct {
	r     io.Reader
	buf   []byte
	start int   // first unread byte in buf
	end   int   // end of valid bytes in buf
	base  int64 // input offset of buf[0]
	rerr  error // sticky read error (io.EOF included)

	maxLine   int
	bomDone   bool
	skipLF    bool // the previous line ended in CR: a following LF belongs to it
	crlf      bool // a CRLF line ending was seen: see fast
	onComment func(Comment)

	// Terminator position caches, so that every byte is searched at most
	// once for '\n' and once for '\r' whatever the mix of line endings:
	// lf is the index of the next '\n' at or after start when lf >= start;
	// otherwise buf[start:lfScanned] holds none. cr and crScanned are the
	// same for '\r'.
	lf, lfScanned int
	cr, crScanned int

	// Frame being assembled.
	inFrame    bool
	frameStart int64
	sawField   bool // a non-comment line was seen in this frame
	nData      int  // data lines in this frame
	aliased    bool // the single data line is alias, not copied into data
	alias      []byte
	data       []byte
	typ        string
	lastType   string // the last type interned, checked before the map
	// lastType as isLastType compares it: the words at offsets 0,
	// typeOff[0] and typeOff[1] of the type, under typeMask.
	typeWords  [3]uint64
	typeOff    [2]int
	typeMask   uint64
	lastID     string
	idWord     uint64 // lastID as setWordID saw it, when idWordLen >= 0
	idWordLen  int
	retry      time.Duration
	hasRetry   bool
	comments   int64
	typeCache  map[string]string
	pendingErr error

	// slab backs ID strings so that a stream with a new id on every event
	// does not allocate once per event; see idString and setWordID.
	slab []byte
}

// NewDecoder returns a decoder reading from r with no line-length limit.
func NewDecoder(r io.Reader) *Decoder {
	size := initialBuffer
	if l, ok := r.(interface{ Len() int }); ok && l.Len() < size {
		// A small in-memory input needs no 64 KiB buffer.
		size = max(l.Len()+1, 64)
	}
	return &Decoder{r: r, buf: make([]byte, size), lf: -1, cr: -1, idWordLen: -1}
}

// newDecoderSize is NewDecoder with a chosen first buffer size; tests use
// tiny buffers to drive refills, compaction and growth.
func newDecoderSize(r io.Reader, n int) *Decoder {
	d := NewDecoder(r)
	d.buf = make([]byte, max(n, 1))
	return d
}

// SetMaxLineLength makes Next fail with *LineTooLongError when a line is
// longer than n bytes. n <= 0 removes the limit (the default).
func (d *Decoder) SetMaxLineLength(n int) { d.maxLine = n }

// OnComment sets a callback called for every comment line, in input order,
// before the event that follows it is returned.
func (d *Decoder) OnComment(f func(Comment)) { d.onComment = f }

// Retry returns the last valid reconnection time sent with a retry field.
func (d *Decoder) Retry() (time.Duration, bool) { return d.retry, d.hasRetry }

// Comments returns how many comment lines were read so far.
func (d *Decoder) Comments() int64 { return d.comments }

// Offset returns how many input bytes have been consumed.
func (d *Decoder) Offset() int64 { return d.base + int64(d.start) }

// Next returns the next dispatched event, or io.EOF after the last one.
// When the input ends inside a frame that carried fields, that frame is
// returned once with Unterminated set, then io.EOF. A read error other than
// io.EOF is returned after any pending frame has been surfaced; a
// *LineTooLongError is returned at once. Errors are sticky.
func (d *Decoder) Next() (ev Event, err error) {
	if d.pendingErr != nil {
		return Event{}, d.pendingErr
	}
	for {
		if d.bomDone && !d.skipLF && d.start < d.end {
			if !d.inFrame && d.frame(&ev) || d.fast(&ev) {
				return ev, nil
			}
		}
		// Slow path: one line that is not complete in the buffer, ends in
		// a lone CR, is too long, or comes first in the input.
		line, lineOff, terminated, err := d.readLine()
		if err != nil {
			var tooLong *LineTooLongError
			if !errors.As(err, &tooLong) && d.sawField {
				ev := d.event()
				ev.Unterminated = true
				d.resetFrame()
				d.pendingErr = err
				return ev, nil
			}
			d.pendingErr = err
			return Event{}, err
		}
		if !d.inFrame {
			d.inFrame = true
			d.frameStart = lineOff
		}
		if len(line) == 0 {
			if !terminated {
				continue // cannot happen: an unterminated line has bytes
			}
			if d.nData > 0 {
				ev := d.event()
				d.resetFrame()
				return ev, nil
			}
			d.resetFrame()
			continue
		}
		d.field(line, lineOff)
	}
}

// event builds the event of the frame being assembled, ending at the
// current read position.
func (d *Decoder) event() Event {
	var ev Event
	d.fillEvent(&ev)
	return ev
}

// fillEvent stores that event into ev field by field. (Building an Event
// value and copying it costs a store-forwarding stall per event: the copy
// reads 16 bytes at a time what was just written 8 bytes at a time.)
func (d *Decoder) fillEvent(ev *Event) {
	if d.aliased {
		ev.Data = d.alias
	} else if d.nData > 0 {
		ev.Data = d.data[:len(d.data):len(d.data)]
	} else {
		ev.Data = nil
	}
	ev.Type = d.typ
	if ev.Type == "" {
		ev.Type = "message"
	}
	ev.ID = d.lastID
	ev.Offset = d.frameStart
	ev.Length = d.base + int64(d.start) - d.frameStart
	ev.Unterminated = false
}

func (d *Decoder) resetFrame() {
	d.inFrame = false
	d.sawField = false
	d.nData = 0
	d.aliased = false
	d.alias = nil
	d.typ = ""
	// d.data needs no reset: a frame's second data line, or a fill while
	// the first is aliased, starts it again from d.data[:0].
}

// field applies one non-empty line. The common field names are matched by
// prefix first: a line starting "data:" has its first colon at index 4, so
// its name is exactly "data", and so on.
func (d *Decoder) field(line []byte, off int64) {
	var name, value []byte
	switch line[0] {
	case ':':
		d.comments++
		if d.onComment != nil {
			d.onComment(Comment{Text: line[1:len(line):len(line)], Offset: off})
		}
		return
	case 'd':
		if len(line) >= 5 && string(line[:5]) == "data:" {
			d.addData(trimSpace(line[5:]))
			return
		}
	case 'e':
		if len(line) >= 6 && string(line[:6]) == "event:" {
			d.sawField = true
			d.typ = d.intern(trimSpace(line[6:]))
			return
		}
	case 'i':
		if len(line) >= 3 && string(line[:3]) == "id:" {
			d.sawField = true
			d.setID(trimSpace(line[3:]))
			return
		}
	}
	name, value = line, nil
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], trimSpace(line[i+1:])
	}
	d.sawField = true
	switch string(name) {
	case "data":
		d.addData(value)
	case "event":
		d.typ = d.intern(value)
	case "id":
		d.setID(value)
	case "retry":
		if n, ok := digits(value); ok {
			d.retry, d.hasRetry = n, true
		}
	default:
		// Unknown fields are ignored, as the spec says; the line still
		// counts as part of the frame.
	}
}

// trimSpace removes the one space the spec allows after the colon.
func trimSpace(v []byte) []byte {
	if len(v) > 0 && v[0] == ' ' {
		return v[1:]
	}
	return v
}

// addData appends one data line. A frame's first data line is aliased in
// the read buffer, not copied: most frames have exactly one.
func (d *Decoder) addData(v []byte) {
	d.sawField = true
	switch d.nData {
	case 0:
		d.alias = v[:len(v):len(v)]
		d.aliased = true
	case 1:
		if d.aliased {
			d.data = append(d.data[:0], d.alias...)
			d.aliased, d.alias = false, nil
		}
		fallthrough
	default:
		d.data = append(d.data, '\n')
		d.data = append(d.data, v...)
	}
	d.nData++
}

// setID applies an id field: the last event ID becomes its value unless
// that holds a NUL. The string is made only when the ID changes.
func (d *Decoder) setID(v []byte) {
	if string(v) != d.lastID && bytes.IndexByte(v, 0) < 0 {
		d.lastID = d.idString(v)
		d.idWordLen = -1
	}
}

// setWordID is setID for an ID of n <= 8 bytes, given as the
// little-endian word w whose first n bytes are the ID (the rest are
// ignored). A stream with an id on every event (a counter, usually) pays
// here a few instructions per ID instead of calls to memequal, IndexByte
// and memmove, which cost more than the bytes.
func (d *Decoder) setWordID(w uint64, n int) {
	if n == 0 {
		d.lastID, d.idWordLen = "", -1
		return
	}
	mask := ^uint64(0) >> (64 - 8*n)
	w &= mask
	// x has the ID's bytes and 0xFF above them: it has a zero byte iff
	// the ID holds a NUL, which makes the field ignored.
	x := w | ^mask
	if (x-0x0101010101010101)&^x&0x8080808080808080 != 0 {
		return
	}
	if n == d.idWordLen && w == d.idWord {
		return // the same ID again
	}
	if cap(d.slab)-len(d.slab) < 8 {
		d.slab = make([]byte, 0, 8<<10)
	}
	// Writing all 8 bytes keeps the slab immutable where it matters: the
	// bytes past the ID are covered by no string yet, and the next ID
	// overwrites them before a string covers them.
	i := len(d.slab)
	binary.LittleEndian.PutUint64(d.slab[i:i+8], w)
	d.slab = d.slab[:i+n]
	d.lastID = unsafe.String(&d.slab[i], n)
	d.idWord, d.idWordLen = w, n
}

// intern returns a string for an event type without allocating for the
// types already seen; streams use a handful of names.
func (d *Decoder) intern(b []byte) string {
	if string(b) == d.lastType { // runs of one type are the common case
		return d.lastType
	}
	if s, ok := d.typeCache[string(b)]; ok {
		d.setLastType(s)
		return s
	}
	s := string(b)
	d.setLastType(s)
	if d.typeCache == nil {
		d.typeCache = make(map[string]string, 16)
	}
	if len(d.typeCache) < 256 {
		d.typeCache[s] = s
	}
	return s
}

// setLastType makes s the last type interned.
func (d *Decoder) setLastType(s string) {
	d.lastType = s
	// Offsets of the second and third words: for up to 8 bytes all three
	// are the first word, masked to the type's length; for up to 16, the
	// last 8 bytes twice; else bytes 8 to 16 and the last 8. Longer types
	// are not compared by words (see frame).
	n := len(s)
	if n > 24 {
		return // compared as a string, never by words
	}
	o1, o2 := 0, 0
	switch {
	case n > 16:
		o1, o2 = 8, n-8
	case n > 8:
		o1, o2 = n-8, n-8
	}
	var b [24]byte
	copy(b[:], s)
	d.typeMask = ^uint64(0) >> (64 - 8*min(n, 8)) // 0 when n == 0
	d.typeOff = [2]int{o1, o2}
	d.typeWords = [3]uint64{
		binary.LittleEndian.Uint64(b[0:]) & d.typeMask,
		binary.LittleEndian.Uint64(b[o1:]) & d.typeMask,
		binary.LittleEndian.Uint64(b[o2:]) & d.typeMask,
	}
}

// idString returns an immutable string holding b. Short IDs are carved out
// of a shared slab: each slab byte is written once, before the string that
// covers it is made, and never again, so the strings stay immutable; a kept
// ID keeps at most one slab alive.
func (d *Decoder) idString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 256 {
		return string(b)
	}
	if cap(d.slab)-len(d.slab) < len(b) {
		d.slab = make([]byte, 0, 8<<10)
	}
	n := len(d.slab)
	d.slab = append(d.slab, b...)
	return unsafe.String(&d.slab[n], len(b))
}

// digits parses a retry value: ASCII digits only, in milliseconds. Values
// too large for a time.Duration saturate.
func digits(b []byte) (time.Duration, bool) {
	if len(b) == 0 {
		return 0, false
	}
	const limit = math.MaxInt64 / int64(time.Millisecond)
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= limit {
			n = n*10 + int64(c-'0')
		}
	}
	if n > limit {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(n) * time.Millisecond, true
}
