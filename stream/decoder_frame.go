package stream

// The whole-frame path: the frame shape LLM APIs send for nearly every
// event, decoded in one straight run.

import "bytes"

// frame decodes the frame at d.start in one go when it has the shape
//
//	["event: " TYPE EOL] ["id: " ID EOL] ("data:" [" "] DATA EOL)+ EOL
//
// with EOL an LF or a CRLF, all of it already in the buffer, and no lone
// CR in it. It reports false, having consumed nothing, for any other
// frame; fast then takes it line by line. Nearly every event of the
// Anthropic and OpenAI APIs has this shape, and the per-line bookkeeping
// fast does for any shape (the frame state in d, a classification and
// CR and limit checks per line) costs more than the bytes.
//
// Giving up part way is harmless. An id or event line already applied is
// applied again, to the same effect, when fast reads it; d.data may have
// been written, but no frame in progress uses it (d.nData is 0).
func (d *Decoder) frame(ev *Event) bool {
	buf := d.buf[:d.end]
	s := d.start
	end := len(buf)
	m := d.maxLine
	if m > 0 && m < 32 {
		return false // the event and id lines below are not checked against it
	}
	cr := d.cr
	if cr < s {
		cr = d.crFrom(s)
	}
	p := s
	typ := "message"

	// Before every word load, p+16 <= end: the load at p and the one at
	// v, less than 8 bytes further, stay inside buf.
	if p+16 > end {
		return false
	}
	if word(buf, p)&mask7 == wordEvent {
		v := p + 7
		t := d.lastType
		n := v + len(t)
		if n+1 >= end || len(t) > 24 {
			return false
		}
		// Most event lines repeat the last type (runs of
		// content_block_delta).
		same := d.isLastType(buf, v)
		if same {
			typ = t
		} else {
			// Another type: a short line, found by a word scan.
			lf := shortLine(buf, p)
			if lf < 0 {
				return false
			}
			n = lf
			if buf[n-1] == '\r' {
				n--
			}
			typ = d.intern(buf[v:n])
		}
		switch {
		case buf[n] == '\n':
			p = n + 1
		case buf[n] == '\r' && buf[n+1] == '\n':
			p = n + 2
		default:
			return false
		}
		if typ == "" {
			typ = "message"
		}
		if p+16 > end {
			return false
		}
	}
	if word(buf, p)&mask4 == wordID {
		v := p + 4
		k := firstEOL(word(buf, v))
		if k == 8 {
			return false
		}
		lf := lineEnd(buf, v+k)
		if lf < 0 {
			return false
		}
		d.setWordID(word(buf, v), k)
		p = lf + 1
	}

	// One or more data lines, then a blank line.
	var data []byte
	joined := false // data is in d.data
	fend := 0
	for {
		if p+16 > end || word(buf, p)&mask5 != wordData {
			return false
		}
		v := p + 5
		if buf[v] == ' ' {
			v++
		}
		j := bytes.IndexByte(buf[v:], '\n')
		if j < 0 {
			return false
		}
		lf := v + j
		e := lf
		if cr == crUnknown {
			// CRLF input, where no search runs ahead: the event and id
			// lines were read up to their first CR or LF, but a data
			// line is searched for its LF only.
			if buf[e-1] == '\r' {
				e--
			}
			if bytes.IndexByte(buf[v:e], '\r') >= 0 {
				return false
			}
		}
		if m > 0 && e-p > m {
			return false
		}
		switch {
		case data == nil:
			data = buf[v:e:e]
		case !joined:
			d.data = append(d.data[:0], data...)
			joined = true
			fallthrough
		default:
			d.data = append(d.data, '\n')
			d.data = append(d.data, buf[v:e]...)
		}
		p = lf + 1
		if p >= end {
			return false
		}
		if buf[p] == '\n' {
			fend = p + 1
			break
		}
		if buf[p] == '\r' {
			if p+1 >= end || buf[p+1] != '\n' {
				return false
			}
			fend = p + 2
			break
		}
	}
	if uint(cr) < uint(fend) {
		// A CR found by the search before the frame's end: fast takes
		// the frame, and the stream from here on as CRLF.
		return false
	}
	if joined {
		data = d.data[:len(d.data):len(d.data)]
	}

	ev.Data = data
	ev.Type = typ
	ev.ID = d.lastID
	ev.Offset = d.base + int64(s)
	ev.Length = int64(fend - s)
	ev.Unterminated = false
	// The LF and CR caches stay valid: what they hold before fend is
	// behind the new start.
	d.start = fend
	return true
}

// crFrom returns the position of the next CR at or after s, as fast and
// frame use it, when d.cr is behind s: -1 when buf[s:] has none, or
// crUnknown in CRLF input, where no search runs ahead. LF-only input is
// searched once per fill.
func (d *Decoder) crFrom(s int) int {
	switch {
	case d.crScanned >= d.end:
		return -1
	case d.crlf:
		return crUnknown
	}
	return d.nextCR()
}

// isLastType reports whether buf[v:] starts with the last type interned.
// The caller makes sure that buf holds max(8, len(d.lastType)) bytes from
// v and that the type is at most 24 bytes long. It compares three words
// at once against words taken from the type when it was interned (setLastType),
// without a branch on the type's length, which keeps it small enough for
// the compiler to inline: a call here costs more than the comparison.
func (d *Decoder) isLastType(buf []byte, v int) bool {
	tw := &d.typeWords
	return ((word(buf, v)^tw[0])|(word(buf, v+d.typeOff[0])^tw[1])|(word(buf, v+d.typeOff[1])^tw[2]))&d.typeMask == 0
}
