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
	"time"
)

// Event is one dispatched server-sent event.
//
// Data is owned by the Decoder: it stays valid only until the next call to
// Next. Callers that keep an event past that point must Clone it.
type Event struct {
	// Type is the event field, or "message" when the frame had none.
	Type string
	// ID is the last event ID seen on the stream (it persists across
	// events, as in EventSource), "" when none was set.
	ID string
	// Data is the frame's data lines joined with "\n", without a trailing
	// newline.
	Data []byte
	// Offset is the byte offset in the input of the first line of the
	// frame (a leading BOM counts as input).
	Offset int64
	// Length is the number of input bytes of the frame, up to and
	// including the blank line that dispatched it.
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
	onComment func(Comment)

	// Position cache for LF so that CR-only input stays linear: lf is the
	// index of the next '\n' at or after start, or -1 when none is in
	// buf[start:lfScanned].
	lf        int
	lfScanned int

	// Frame being assembled.
	inFrame    bool
	frameStart int64
	sawField   bool
	hasData    bool
	data       []byte
	typ        string
	lastID     string
	retry      time.Duration
	hasRetry   bool
	comments   int64
	typeCache  map[string]string
	pendingErr error
}

// NewDecoder returns a decoder reading from r with no line-length limit.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, buf: make([]byte, 64<<10), lf: -1, typeCache: make(map[string]string, 16)}
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
// io.EOF is returned after any pending frame has been surfaced.
func (d *Decoder) Next() (Event, error) {
	if d.pendingErr != nil {
		return Event{}, d.pendingErr
	}
	for {
		line, lineOff, terminated, err := d.readLine()
		if err != nil {
			if err == io.EOF || !errors.As(err, new(*LineTooLongError)) {
				if d.sawField {
					ev := d.event(d.Offset())
					ev.Unterminated = true
					d.resetFrame()
					d.pendingErr = err
					return ev, nil
				}
			}
			d.pendingErr = err
			return Event{}, err
		}
		if !d.inFrame {
			d.inFrame = true
			d.frameStart = lineOff
		}
		if len(line) == 0 && terminated {
			if d.hasData {
				ev := d.event(d.Offset())
				d.resetFrame()
				return ev, nil
			}
			d.resetFrame()
			continue
		}
		d.field(line, lineOff)
		if !terminated {
			// The input ended inside this line; the next readLine
			// reports the end.
			continue
		}
	}
}

func (d *Decoder) event(end int64) Event {
	data := d.data
	if len(data) > 0 {
		data = data[:len(data)-1] // drop the last "\n"
	}
	t := d.typ
	if t == "" {
		t = "message"
	}
	return Event{Type: t, ID: d.lastID, Data: data, Offset: d.frameStart, Length: end - d.frameStart}
}

func (d *Decoder) resetFrame() {
	d.inFrame = false
	d.sawField = false
	d.hasData = false
	d.data = d.data[:0]
	d.typ = ""
}

func (d *Decoder) field(line []byte, off int64) {
	if line[0] == ':' {
		d.comments++
		if d.onComment != nil {
			d.onComment(Comment{Text: line[1:], Offset: off})
		}
		return
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		d.sawField = true
		d.hasData = true
		d.data = append(d.data, value...)
		d.data = append(d.data, '\n')
	case "event":
		d.sawField = true
		d.typ = d.intern(value)
	case "id":
		d.sawField = true
		if bytes.IndexByte(value, 0) < 0 && string(value) != d.lastID {
			d.lastID = string(value)
		}
	case "retry":
		d.sawField = true
		if n, ok := digits(value); ok {
			d.retry, d.hasRetry = time.Duration(n)*time.Millisecond, true
		}
	default:
		// Unknown fields are ignored, as the spec says.
	}
}

// intern returns a string for an event type without allocating for the
// types already seen; streams use a handful of names.
func (d *Decoder) intern(b []byte) string {
	if s, ok := d.typeCache[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.typeCache) < 256 {
		d.typeCache[s] = s
	}
	return s
}

func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// readLine returns the next line without its terminator, the input offset
// of its first byte, and whether it was terminated (false only for a last
// line cut by the end of input). The returned slice aliases d.buf and is
// valid until the next call.
func (d *Decoder) readLine() (line []byte, off int64, terminated bool, err error) {
	for {
		if !d.bomDone {
			if d.end-d.start < 3 && d.rerr == nil {
				if err := d.fill(); err != nil && err != io.EOF {
					return nil, 0, false, err
				}
				continue
			}
			d.bomDone = true
			if d.end-d.start >= 3 && bytes.HasPrefix(d.buf[d.start:d.end], []byte("\xEF\xBB\xBF")) {
				d.start += 3
			}
		}
		if d.skipLF && d.start < d.end {
			d.skipLF = false
			if d.buf[d.start] == '\n' {
				d.start++
			}
		}
		win := d.buf[d.start:d.end]
		nl := d.nextLF()
		var cr int
		if nl >= 0 {
			cr = bytes.IndexByte(win[:nl-d.start], '\r')
		} else {
			cr = bytes.IndexByte(win, '\r')
		}
		off = d.base + int64(d.start)
		switch {
		case cr >= 0:
			line = win[:cr]
			d.start += cr + 1
			if d.start < d.end {
				if d.buf[d.start] == '\n' {
					d.start++
				}
			} else {
				d.skipLF = true
			}
			return line, off, true, d.checkLen(len(line), off)
		case nl >= 0:
			line = win[:nl-d.start]
			d.start = nl + 1
			return line, off, true, d.checkLen(len(line), off)
		}
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
		if err := d.fill(); err != nil && err != io.EOF {
			if d.end > d.start {
				continue // hand out what is buffered first
			}
			return nil, off, false, err
		}
	}
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

// fill reads more input, compacting or growing the buffer first.
func (d *Decoder) fill() error {
	if d.rerr != nil {
		return d.rerr
	}
	if d.start > 0 && (d.end == len(d.buf) || d.start == d.end) {
		n := copy(d.buf, d.buf[d.start:d.end])
		d.base += int64(d.start)
		if d.lf >= 0 {
			d.lf -= d.start
		}
		d.lfScanned = max(d.lfScanned-d.start, 0)
		d.end = n
		d.start = 0
	}
	if d.end == len(d.buf) {
		nb := make([]byte, 2*len(d.buf))
		copy(nb, d.buf[:d.end])
		d.buf = nb
	}
	for range 100 {
		n, err := d.r.Read(d.buf[d.end:])
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
