package stream

// Line reading for Decoder: the read buffer, its refills, and the search
// for line ends, with a fast path for lines already buffered.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
)

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
		case e-s >= 3 && buf[s] == 'i' && buf[s+1] == 'd' && buf[s+2] == ':':
			d.sawField = true
			v := s + 3
			if v < e && buf[v] == ' ' {
				v++
			}
			// A short ID is read as one word; the buffer has bytes past
			// the line's end (its LF at least), so the load stays inside
			// d.buf when at least 8 bytes remain.
			if e-v <= 8 && v+8 <= len(d.buf) {
				d.setWordID(binary.LittleEndian.Uint64(d.buf[v:v+8]), e-v)
			} else {
				d.setID(buf[v:e])
			}
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
			if next < len(buf) && buf[next] == 'i' {
				// An id line: short, so a word-at-a-time scan finds
				// its end sooner than a call to IndexByte, and sees
				// that it holds no lone CR, so it needs no CR check.
				// "id: " and an ID under 8 bytes, the usual shape,
				// take one word load.
				if next+13 <= len(buf) && string(buf[next:next+4]) == "id: " {
					if k := firstEOL(binary.LittleEndian.Uint64(buf[next+4 : next+12])); k < 8 {
						if lf = lineEnd(buf, next+4+k); lf >= 0 {
							break
						}
					}
				}
				if lf = shortLine(buf, next); lf >= 0 {
					break
				}
			}
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

// shortLine returns the index of the LF that ends the line starting at i
// when that line is under 32 bytes and ends in LF or CRLF with no other CR
// in it; otherwise -1. It reads 8 bytes at a time.
func shortLine(buf []byte, i int) int {
	for j := i; j < i+32; j += 8 {
		if j+8 > len(buf) {
			for ; j < len(buf); j++ {
				if buf[j] == '\n' || buf[j] == '\r' {
					break
				}
			}
			return lineEnd(buf, j)
		}
		if k := firstEOL(binary.LittleEndian.Uint64(buf[j : j+8])); k < 8 {
			return lineEnd(buf, j+k)
		}
	}
	return -1
}

// firstEOL returns the index of the first CR or LF byte of the
// little-endian word w, or 8 when it has none. The zero-byte test is exact
// for the lowest zero byte, the only one used.
func firstEOL(w uint64) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	lf, cr := w^(ones*'\n'), w^(ones*'\r')
	return bits.TrailingZeros64(((lf-ones)&^lf|(cr-ones)&^cr)&highs) / 8
}

// lineEnd returns j when buf[j] is an LF, j+1 when buf[j:] starts with
// CRLF, and -1 otherwise (a lone CR, or j at the end of buf).
func lineEnd(buf []byte, j int) int {
	switch {
	case j >= len(buf):
		return -1
	case buf[j] == '\n':
		return j
	case j+1 < len(buf) && buf[j+1] == '\n':
		return j + 1 // buf[j] is CR
	}
	return -1
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
