package inspect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Gemini's streamGenerateContent without alt=sse answers
// `Content-Type: application/json` and streams one JSON array element by
// element: "[{…}\n,\r\n{…}\n]" (domain.md §4.4; hydra PR #855; nous PR
// #26 added a parser for exactly this form). It is no SSE, so when the
// Gemini grammar reads the exchange it is read here as its elements, one
// event each, without holding the body. (Other JSON arrays are answers,
// not streams, and stay as they were.)

// maxArrayElem bounds one array element held in memory (Gemini's chunks
// are a few KiB; a larger one is reported, not read).
const maxArrayElem = 16 << 20

// arrayElem is one element of a streamed JSON array.
type arrayElem struct {
	off, length int64
	data        []byte // valid until the next call of next
	cut         bool   // the body ended inside it
}

// arrayScanner reads a streamed JSON array's elements one at a time from
// a reader, keeping only the current element.
type arrayScanner struct {
	r      io.ByteScanner
	off    int64 // bytes consumed
	buf    []byte
	state  uint8 // 0 before '[', 1 expecting an element or ']', 2 expecting ',' or ']', 3 closed
	closed bool  // the closing ']' arrived

	// The element being read: where it starts and the nesting, string
	// and escape state so far, so that reading can resume (elemAfter)
	// when the bytes after a cut arrive.
	elemOff    int64
	depth      int
	inStr, esc bool
}

// errArrayFormat reports a body that breaks the array form, with the
// offset of the offending byte.
type errArrayFormat struct {
	off int64
	why string
}

func (e *errArrayFormat) Error() string {
	return fmt.Sprintf("JSON array stream: %s at byte %d", e.why, e.off)
}

func newArrayScanner(r io.Reader) *arrayScanner {
	return &arrayScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// skipSpace skips JSON whitespace and returns the next byte (unread).
func (s *arrayScanner) skipSpace() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			s.off++
		default:
			_ = s.r.UnreadByte()
			return c, nil
		}
	}
}

// next returns the next element; io.EOF after the last one (closed then
// says whether the array was closed). A byte that breaks the form is an
// *errArrayFormat; an element cut by the end of the body is returned once
// with cut set.
func (s *arrayScanner) next() (arrayElem, error) {
	for {
		c, err := s.skipSpace()
		if err != nil {
			return arrayElem{}, io.EOF
		}
		switch {
		case s.state == 0 && c == '[':
			s.r.ReadByte()
			s.off++
			s.state = 1
		case (s.state == 1 || s.state == 2) && c == ']':
			s.r.ReadByte()
			s.off++
			s.state, s.closed = 3, true
		case s.state == 2 && c == ',':
			s.r.ReadByte()
			s.off++
			s.state = 1
		case s.state == 1 && (c == '{' || c == '['):
			s.state = 2
			return s.element()
		case s.state == 3:
			return arrayElem{}, &errArrayFormat{s.off, "data after the closing ]"}
		default:
			return arrayElem{}, &errArrayFormat{s.off, fmt.Sprintf("unexpected %q", c)}
		}
	}
}

// element reads one object or array, tracking nesting and strings only:
// the element's validity is its checker's business.
func (s *arrayScanner) element() (arrayElem, error) {
	s.elemOff, s.buf = s.off, s.buf[:0]
	s.depth, s.inStr, s.esc = 0, false, false
	return s.elemAfter()
}

// elemAfter goes on reading the element that starts at elemOff, whose
// bytes so far are in buf; a cut element can be resumed with it once more
// bytes arrive (the live Timeline does).
func (s *arrayScanner) elemAfter() (arrayElem, error) {
	e := arrayElem{off: s.elemOff}
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			e.length, e.data, e.cut = s.off-e.off, s.buf, true
			return e, nil
		}
		s.off++
		if len(s.buf) < maxArrayElem {
			s.buf = append(s.buf, c)
		} else {
			return arrayElem{}, &errArrayFormat{e.off, fmt.Sprintf("an element longer than %d bytes", maxArrayElem)}
		}
		switch {
		case s.esc:
			s.esc = false
		case s.inStr:
			switch c {
			case '\\':
				s.esc = true
			case '"':
				s.inStr = false
			}
		case c == '"':
			s.inStr = true
		case c == '{' || c == '[':
			s.depth++
		case c == '}' || c == ']':
			s.depth--
			if s.depth == 0 {
				e.length, e.data = s.off-e.off, s.buf
				return e, nil
			}
		}
	}
}

// StreamedJSONArray reports whether x is Gemini's streamed JSON array
// (streamGenerateContent without alt=sse): a body in the array form whose
// URL, headers or elements name the Gemini grammar. Such a body is a
// stream, though it is one well-formed JSON array labelled
// application/json; any other JSON array is an answer, not a stream.
func StreamedJSONArray(x *stream.Exchange) bool {
	return jsonArrayBody(x) && detectProvider(x).dialect == dialectGemini
}

// arrayProbeLen is how much of a body is looked at for the array form:
// Diagnose reads this prefix and a live Timeline decides once it holds
// this many bytes, so both agree, and a body of whitespace is not held
// while waiting for a '['.
const arrayProbeLen = 4 << 10

// jsonArrayBody reports whether x's body has the streamed-array form.
func jsonArrayBody(x *stream.Exchange) bool {
	array, _ := arrayStart(x.BodyPrefix(arrayProbeLen), true)
	return array
}

// arrayStart reports whether a body starting with p is a streamed JSON
// array: its first non-space bytes are [ then { or ] (or nothing more).
// known is false while p, not yet final, leaves that open.
func arrayStart(p []byte, final bool) (array, known bool) {
	k := 0
	for k < len(p) && isJSONSpace(p[k]) {
		k++
	}
	switch {
	case k == len(p):
		return false, final
	case p[k] != '[':
		return false, true
	}
	for k++; k < len(p) && isJSONSpace(p[k]); k++ {
	}
	if k == len(p) {
		return final, final
	}
	return p[k] == '{' || p[k] == ']', true
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// eachArrayElem calls f with each element of x's streamed JSON array until
// f returns false; it returns the scanner (whether the array was closed)
// and the format error that stopped it, if any.
func eachArrayElem(x *stream.Exchange, f func(e arrayElem) bool) (*arrayScanner, error) {
	s := newArrayScanner(x.BodyReader())
	for {
		e, err := s.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s, nil
			}
			return s, err
		}
		if !f(e) || e.cut {
			return s, nil
		}
	}
}

// decodeJSONArray builds the timeline from a streamed JSON array: each
// element is an event (Raw) fed to the dialect's checker; an element cut
// by the end of the body is kept on the timeline only, as a cut SSE frame
// is.
func (d *diag) decodeJSONArray() {
	s, ferr := eachArrayElem(d.x, func(e arrayElem) bool {
		var at time.Duration
		if d.x.Timed {
			at = d.ci.At(e.off + max(e.length-1, 0))
		}
		d.arrayElemEvent(e, at)
		return true
	})
	d.arrayForm = true
	switch {
	case ferr != nil:
		d.decodeErr = ferr
	case !s.closed && d.cutAt < 0 && d.ev.ev.n > 0 && !d.opt.InFlight:
		d.f.add("S-array-unclosed", SeverityWarning, "The JSON array was never closed",
			"The body ended after a whole element but without the array's closing ]: the connection was cut between elements, and a parser of the whole body fails on it.", d.ev.ev.n-1)
	}
	d.endEvents()
}

// arrayElemEvent adds element e of a streamed JSON array, which arrived
// at at, to the timeline and feeds it to the dialect's checker; an element
// cut by the end of the body is kept on the timeline only, as a cut SSE
// frame is. Diagnose and the live Timeline both read elements through it.
func (d *diag) arrayElemEvent(e arrayElem, at time.Duration) {
	i := d.ev.ev.n
	dt := ""
	if !e.cut {
		dt = d.internType(jfield(e.data, "type"))
	}
	r := evRec{typ: "message", dataType: dt, off: e.off, length: e.length, unterminated: e.cut, raw: true, dialect: d.dialect, at: at}
	if e.cut {
		d.cutAt = i
		d.f.add("S-unterminated-event", SeverityWarning, "The stream ended inside an array element",
			"The body ended before this element of the JSON array was complete, so no client parses it.", i)
	} else {
		d.cur = evCtx{name: "message", dataType: dt, data: e.data}
		d.chk.event(i, &d.cur)
	}
	d.addEvent(&r)
}

// arrayEvents calls f with the data of each whole element of x's streamed
// JSON array, up to element upTo (for Assemble).
func arrayEvents(x *stream.Exchange, upTo int, f func(data []byte)) {
	n := 0
	eachArrayElem(x, func(e arrayElem) bool {
		if n > upTo {
			return false
		}
		n++
		if !e.cut {
			f(e.data)
		}
		return true
	})
}

// sniffArray matches the shapes of the leading elements of a streamed
// JSON array for provider detection.
func sniffArray(x *stream.Exchange) sniffResult {
	var r sniffResult
	n := 0
	eachArrayElem(x, func(e arrayElem) bool {
		if !e.cut {
			r.add("message", e.data)
		}
		n++
		return n < sniffEvents
	})
	return r
}
