// Package stream is the wire layer of midstream: it decodes Server-Sent
// Events exactly as the WHATWG event-stream rules say, holds captured HTTP
// exchanges byte for byte, reads and writes every capture format users
// bring, and feeds live data to the rest of the program.
//
// stream imports no terminal or UI package.
package stream

import (
	"bytes"
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
	lastID     string
	retry      time.Duration
	hasRetry   bool
	comments   int64
	typeCache  map[string]string
	pendingErr error

	// slab backs ID strings so that a stream with a new id on every event
	// does not allocate once per event; see idString.
	slab []byte
}

// NewDecoder returns a decoder reading from r with no line-length limit.
func NewDecoder(r io.Reader) *Decoder {
	size := initialBuffer
	if l, ok := r.(interface{ Len() int }); ok && l.Len() < size {
		// A small in-memory input needs no 64 KiB buffer.
		size = max(l.Len()+1, 64)
	}
	return &Decoder{r: r, buf: make([]byte, size), lf: -1, cr: -1}
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
		if d.bomDone && !d.skipLF && d.start < d.end && d.fast(&ev) {
			return ev, nil
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

// fast decodes the complete lines already in the buffer, as long as they
// end in LF or CRLF, without calling readLine. It returns ok with an event
// when a blank line dispatched one, and !ok when the slow path must take
// the next line (none complete, a lone CR, or a line over the limit).
func (d *Decoder) fast(ev *Event) bool {
	buf := d.buf[:d.end] // d.start < d.end
	s := d.start
	limit := d.maxLine
	if limit <= 0 {
		limit = math.MaxInt
	}
	// cr is the next '\r' at or after s; -1 when there is none before the
	// end of buf; crUnknown when not searched for. LF-only input is
	// searched once per fill. In CRLF input the next CR is always one line
	// ahead, so it is not searched for: each line found by an LF search is
	// checked for a lone CR instead, and lines found without a search
	// cannot hold one.
	cr := d.cr
	if cr < s {
		switch {
		case d.crScanned >= d.end:
			cr = -1
		case d.crlf:
			cr = crUnknown
		default:
			cr = d.nextCR()
		}
	}
	// Most calls start on a frame's first line. When it repeats the event
	// line of the previous frame ("event: " and the last type, the usual
	// case in LLM streams), its end is known without a search, and its
	// type without a lookup.
	lf, same := -1, false
	switch buf[s] {
	case '\n':
		lf = s
	case 'e':
		t := d.lastType
		n := s + 7 + len(t)
		if n+1 < len(buf) && string(buf[s:s+7]) == "event: " && string(buf[s+7:n]) == t {
			if buf[n] == '\n' {
				lf, same = n, true
			} else if buf[n] == '\r' && buf[n+1] == '\n' {
				lf, same = n+1, true
			}
		}
	}
	if lf < 0 {
		lf = d.nextLF()
	}
	searched := !same // whether the line's end was found by a search
	for lf >= 0 {
		e, next := lf, lf+1
		if e > s && buf[e-1] == '\r' {
			e-- // CRLF
		}
		if cr == crUnknown {
			if searched && e > s && bytes.IndexByte(buf[s:e], '\r') >= 0 {
				break // a lone CR ends the line first
			}
		} else if cr >= 0 && cr < e {
			break
		}
		if e-s > limit {
			break
		}
		if e < lf {
			// The CR was the next one; the one after is not searched for.
			cr = crUnknown
			d.crlf = true
		}
		if !d.inFrame {
			d.inFrame = true
			d.frameStart = d.base + int64(s)
		}
		switch {
		case e == s:
			if d.nData > 0 {
				d.start = next
				d.sync(lf, cr)
				d.fillEvent(ev)
				d.resetFrame()
				return true
			}
			d.resetFrame()
		case same:
			// "event: " and the type of the last event line, found
			// without a search.
			d.sawField = true
			d.typ = d.lastType
		case e-s >= 5 && string(buf[s:s+5]) == "data:":
			d.addData(trimSpace(buf[s+5 : e]))
		case e-s >= 6 && string(buf[s:s+6]) == "event:":
			d.sawField = true
			d.typ = d.intern(trimSpace(buf[s+6 : e]))
		default:
			d.field(buf[s:e:e], d.base+int64(s))
		}
		// Find the next line's end; blank lines need no search.
		s, same, searched = next, false, false
		switch {
		case next < len(buf) && buf[next] == '\n':
			lf = next
		case next+1 < len(buf) && buf[next] == '\r' && buf[next+1] == '\n':
			lf = next + 1
		default:
			searched = true
			lf = -1
			if j := bytes.IndexByte(buf[next:], '\n'); j >= 0 {
				lf = next + j
			}
		}
	}
	d.start = s
	d.sync(lf, cr)
	return false
}

// crUnknown marks the next CR position as not searched for.
const crUnknown = -2

// sync stores the positions fast found back into the caches.
func (d *Decoder) sync(lf, cr int) {
	d.lf, d.lfScanned = lf, lf+1
	if lf < 0 {
		d.lfScanned = d.end
	}
	switch {
	case cr == crUnknown:
		d.cr, d.crScanned = -1, d.start
	case cr < 0:
		d.cr, d.crScanned = -1, d.end
	default:
		d.cr, d.crScanned = cr, cr+1
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
	d.data = d.data[:0]
	d.typ = ""
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
	}
}

// intern returns a string for an event type without allocating for the
// types already seen; streams use a handful of names.
func (d *Decoder) intern(b []byte) string {
	if string(b) == d.lastType { // runs of one type are the common case
		return d.lastType
	}
	if s, ok := d.typeCache[string(b)]; ok {
		d.lastType = s
		return s
	}
	s := string(b)
	d.lastType = s
	if d.typeCache == nil {
		d.typeCache = make(map[string]string, 16)
	}
	if len(d.typeCache) < 256 {
		d.typeCache[s] = s
	}
	return s
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

// readLine returns the next line without its terminator, the input offset
// of its first byte, and whether it was terminated (false only for a last
// line cut by the end of input). The returned slice aliases d.buf and is
// valid until the buffer is next filled.
func (d *Decoder) readLine() (line []byte, off int64, terminated bool, err error) {
	for {
		if !d.bomDone || d.skipLF {
			if ok, err := d.prelude(); err != nil {
				return nil, d.Offset(), false, err
			} else if !ok {
				continue
			}
		}
		s := d.start
		off = d.base + int64(s)
		if s < d.end && d.buf[s] == '\n' { // blank LF line: no search
			d.start = s + 1
			return d.buf[s:s], off, true, nil
		}
		lf := d.nextLF()
		cr := d.nextCR()
		switch {
		case cr >= 0 && (lf < 0 || cr < lf):
			line = d.buf[s:cr:cr]
			d.start = cr + 1
			if d.start < d.end {
				if d.buf[d.start] == '\n' {
					d.start++
				}
			} else {
				d.skipLF = true
			}
			return line, off, true, d.checkLen(len(line), off)
		case lf >= 0:
			d.start = lf + 1
			line = d.buf[s:lf:lf]
			return line, off, true, d.checkLen(len(line), off)
		}
		win := d.buf[s:d.end:d.end]
		if err := d.checkLen(len(win), off); err != nil {
			return nil, off, false, err
		}
		if d.rerr != nil {
			if len(win) > 0 {
				d.start = d.end
				return win, off, false, nil
			}
			return nil, off, false, d.rerr
		}
		if err := d.fill(); err != nil && err != io.EOF && d.end == d.start {
			return nil, off, false, err
		}
	}
}

// prelude strips a leading BOM once and skips the LF of a CRLF pair that
// was split across reads. It reports false when it had to read first.
func (d *Decoder) prelude() (bool, error) {
	if !d.bomDone {
		if d.end-d.start < 3 && d.rerr == nil {
			if err := d.fill(); err != nil && err != io.EOF && d.end == d.start {
				return false, err
			}
			return false, nil
		}
		d.bomDone = true
		if bytes.HasPrefix(d.buf[d.start:d.end], []byte("\xEF\xBB\xBF")) {
			d.start += 3
		}
	}
	if d.skipLF {
		if d.start == d.end && d.rerr == nil {
			if err := d.fill(); err != nil && err != io.EOF && d.end == d.start {
				return false, err
			}
			return false, nil
		}
		d.skipLF = false
		if d.start < d.end && d.buf[d.start] == '\n' {
			d.start++
		}
	}
	return true, nil
}

func (d *Decoder) checkLen(n int, off int64) error {
	if d.maxLine > 0 && n > d.maxLine {
		return &LineTooLongError{Offset: off, Limit: d.maxLine}
	}
	return nil
}

// nextLF returns the index in buf of the next '\n' at or after start, or
// -1, scanning each byte at most once per fill.
func (d *Decoder) nextLF() int {
	if d.lf >= d.start {
		return d.lf
	}
	from := max(d.start, d.lfScanned)
	if i := bytes.IndexByte(d.buf[from:d.end], '\n'); i >= 0 {
		d.lf = from + i
		d.lfScanned = d.lf + 1
		return d.lf
	}
	d.lf = -1
	d.lfScanned = d.end
	return -1
}

// nextCR is nextLF for '\r'. On an LF-only stream it scans each filled
// region once and then answers from the cache.
func (d *Decoder) nextCR() int {
	if d.cr >= d.start {
		return d.cr
	}
	from := max(d.start, d.crScanned)
	if i := bytes.IndexByte(d.buf[from:d.end], '\r'); i >= 0 {
		d.cr = from + i
		d.crScanned = d.cr + 1
		return d.cr
	}
	d.cr = -1
	d.crScanned = d.end
	return -1
}

// fill reads more input, compacting or growing the buffer first.
func (d *Decoder) fill() error {
	if d.rerr != nil {
		return d.rerr
	}
	if d.start > 0 && (d.end == len(d.buf) || d.start == d.end) {
		if d.aliased {
			// The data line is about to be overwritten: own a copy.
			d.data = append(d.data[:0], d.alias...)
			d.aliased, d.alias = false, nil
		}
		n := copy(d.buf, d.buf[d.start:d.end])
		d.base += int64(d.start)
		if d.lf >= 0 {
			d.lf -= d.start
		}
		if d.cr >= 0 {
			d.cr -= d.start
		}
		d.lfScanned = max(d.lfScanned-d.start, 0)
		d.crScanned = max(d.crScanned-d.start, 0)
		d.end = n
		d.start = 0
	}
	if d.end == len(d.buf) {
		// One line fills the buffer: grow it. The old buffer is left
		// untouched, so an aliased data line in it stays valid. Growing
		// 4x rather than 2x halves the bytes zeroed and copied on the
		// way to a long line's size. An in-memory reader (bytes.Reader,
		// strings.Reader, bytes.Buffer) says how much input is left,
		// which caps the last step.
		n := 4 * len(d.buf)
		if l, ok := d.r.(interface{ Len() int }); ok {
			if rest := l.Len(); rest >= 0 && rest < n-d.end {
				n = d.end + rest + 1
			}
		}
		nb := make([]byte, n)
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	for range 100 {
		n, err := d.r.Read(d.buf[d.end:])
		if n < 0 || n > len(d.buf)-d.end {
			d.rerr = fmt.Errorf("sse: reader returned an invalid count %d", n)
			return d.rerr
		}
		d.end += n
		if err != nil {
			d.rerr = err
			return err
		}
		if n > 0 {
			return nil
		}
	}
	d.rerr = io.ErrNoProgress
	return d.rerr
}
