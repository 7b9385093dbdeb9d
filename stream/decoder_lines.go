package stream

// Line reading for Decoder: the read buffer, its refills, and the search
// for line ends, with a fast path for lines already buffered.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// Line kinds that fast tells apart from the first bytes of a line.
const (
	kindOther     = iota // any other line: applied by field
	kindBlank            // an empty line: dispatch
	kindData             // "data:", value at v
	kindEvent            // "event: ", value at v
	kindSameEvent        // "event: " and the last type interned
	kindID               // "id: ", value at v
)

// Little-endian words of the field prefixes fast matches, with masks that
// keep the prefix's bytes of a word loaded at the start of a line.
const (
	wordData, mask5  = 0x3a61746164, 1<<40 - 1     // "data:"
	wordID, mask4    = 0x203a6469, 1<<32 - 1       // "id: "
	wordEvent, mask7 = 0x203a746e657665, 1<<56 - 1 // "event: "
)

// fast decodes the complete lines already in the buffer, as long as they
// end in LF or CRLF, without calling readLine. It returns true with an
// event when a blank line dispatched one, and false when the slow path
// must take the next line (none complete, a lone CR, or a line over the
// limit). It takes the frames frame does not: comments, several fields
// of one kind, unusual order, lines near the end of the buffer.
//
// Each line is classified from its first word, and its end is found in the
// way that suits its kind: a repeated event line by one comparison, an id
// line by a word-at-a-time scan, a data line by IndexByte. Lines with
// fewer than 16 bytes after their start in the buffer, and other fields,
// are found by IndexByte and applied by field.
func (d *Decoder) fast(ev *Event) bool {
	buf := d.buf[:d.end] // d.start < d.end
	s := d.start
	// cr is the next '\r' at or after s; -1 when there is none before the
	// end of buf; crUnknown when not searched for. In CRLF input the next
	// CR is always one line ahead, so it is not searched for: each line
	// found by an LF search is checked for a lone CR instead, and lines
	// found by a word scan cannot hold one.
	cr := d.cr
	if cr < s {
		cr = d.crFrom(s)
	}

	lf := -1 // the LF ending the line at s, once found
	for s < len(buf) {
		kind, v, searched := kindOther, s, false
		lf = -1
		if c := buf[s]; c == '\n' {
			kind, lf = kindBlank, s
		} else if c == '\r' {
			if s+1 >= len(buf) || buf[s+1] != '\n' {
				break // a lone CR, or one whose LF is not read yet
			}
			kind, lf = kindBlank, s+1
		} else if s+16 <= len(buf) {
			// At least 16 bytes remain, so the word loads below (at s,
			// and at v < s+8) stay inside buf.
			w := binary.LittleEndian.Uint64(buf[s:])
			switch {
			case w&mask5 == wordData:
				kind, v = kindData, s+5
				if buf[v] == ' ' {
					v++
				}
			case w&mask4 == wordID:
				// "id: " and an ID under 8 bytes, the usual shape,
				// take one word load.
				kind, v = kindID, s+4
				if k := firstEOL(binary.LittleEndian.Uint64(buf[v:])); k < 8 {
					lf = lineEnd(buf, v+k)
				}
			case w&mask7 == wordEvent:
				// Most event lines repeat the last type (runs of
				// content_block_delta): compare it a word at a time.
				kind, v = kindEvent, s+7
				t := d.lastType
				n := v + len(t)
				same := n+1 < len(buf)
				if len(t) <= 24 {
					same = same && d.isLastType(buf, v)
				} else {
					same = same && string(buf[v:n]) == t
				}
				if same {
					if buf[n] == '\n' {
						kind, lf = kindSameEvent, n
					} else if buf[n] == '\r' && buf[n+1] == '\n' {
						kind, lf = kindSameEvent, n+1
					}
				}
			}
		}
		if lf < 0 {
			j := bytes.IndexByte(buf[v:], '\n')
			if j < 0 {
				d.start = s
				d.lf, d.lfScanned = -1, len(buf)
				d.syncCR(cr)
				return false
			}
			lf, searched = v+j, true
		}

		// Where the line's content ends, and whether a lone CR ends it
		// first (the slow path takes that line).
		e := lf
		if uint(cr) < uint(lf) { // a CR known to come before the LF
			if cr != lf-1 {
				break
			}
			e, cr = cr, crUnknown
			d.crlf = true
		} else if cr == crUnknown {
			if lf > s && buf[lf-1] == '\r' {
				e = lf - 1
			}
			// Lines found by a word scan stop at the first CR or LF;
			// only searched ones can hide a CR.
			if searched && bytes.IndexByte(buf[v:e], '\r') >= 0 {
				break
			}
		}
		if d.maxLine > 0 && e-s > d.maxLine {
			break
		}

		if e == s { // a blank line
			if d.nData > 0 {
				d.start = lf + 1
				d.lf, d.lfScanned = -1, d.start
				d.syncCR(cr)
				d.fillEvent(ev)
				d.resetFrame()
				return true
			}
			d.resetFrame()
			s = lf + 1
			continue
		}
		if !d.inFrame {
			d.inFrame, d.frameStart = true, d.base+int64(s)
		}
		switch kind {
		case kindSameEvent:
			d.sawField, d.typ = true, d.lastType
		case kindData:
			d.addData(buf[v:e])
		case kindEvent:
			d.sawField, d.typ = true, d.intern(buf[v:e])
		case kindID:
			d.sawField = true
			if e-v <= 8 { // v+8 <= len(buf): see above
				d.setWordID(binary.LittleEndian.Uint64(buf[v:]), e-v)
			} else {
				d.setID(buf[v:e])
			}
		default:
			d.field(buf[s:e:e], d.base+int64(s))
		}
		s = lf + 1
	}
	d.start = s
	if lf >= s {
		d.lf, d.lfScanned = lf, lf+1
	} else {
		d.lf, d.lfScanned = -1, s
	}
	d.syncCR(cr)
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

// syncCR stores the CR position fast ended with back into the cache.
func (d *Decoder) syncCR(cr int) {
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
