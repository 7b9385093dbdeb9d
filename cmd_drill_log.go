package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/midstreamhq/midstream/stream"
)

// The bounds of one run's log of CMD's output. CMD is the user's app and
// may print without end (a debug log of every chunk, a retry loop): the
// log keeps its first drillLogHead bytes and its last drillLogTail bytes,
// which hold the start-up and the final traceback that explain a failure,
// and says how much was left out between them. Memory stays within
// drillLogTail, the file within both.
const (
	drillLogHead = 1 << 20
	drillLogTail = 256 << 10
)

// boundedLog writes the first head bytes given to it through to w and
// keeps the last len(ring) bytes after them in a ring, written out by
// finish.
type boundedLog struct {
	w       io.Writer
	head    int64  // bytes still to write straight through
	ring    []byte // the tail; allocated on first use
	tailCap int
	pos     int   // next write position in ring
	full    bool  // ring has wrapped: ring[pos:] is older than ring[:pos]
	dropped int64 // bytes of the tail the ring overwrote
}

// newBoundedLog returns a boundedLog over w keeping head bytes, then the
// last tail bytes.
func newBoundedLog(w io.Writer, head, tail int) *boundedLog {
	return &boundedLog{w: w, head: int64(head), tailCap: tail}
}

// Write implements io.Writer; it reports all of p written unless w fails.
func (l *boundedLog) Write(p []byte) (int, error) {
	n := len(p)
	if l.head > 0 {
		k := min(int64(len(p)), l.head)
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.head -= k
		p = p[k:]
	}
	if len(p) > 0 && l.ring == nil {
		l.ring = make([]byte, l.tailCap)
	}
	for len(p) > 0 && l.tailCap > 0 {
		k := copy(l.ring[l.pos:], p)
		if l.full {
			l.dropped += int64(k)
		}
		l.pos += k
		p = p[k:]
		if l.pos == len(l.ring) {
			l.pos, l.full = 0, true
		}
	}
	if l.tailCap == 0 {
		l.dropped += int64(len(p))
	}
	return n, nil
}

// finish writes the kept tail after a note of how many bytes were left
// out. Call it once, after the last Write.
func (l *boundedLog) finish() error {
	if l.dropped > 0 {
		if _, err := fmt.Fprintf(l.w, "\n[midstream drill: %d bytes of CMD's output left out here]\n", l.dropped); err != nil {
			return err
		}
	}
	if l.full {
		if _, err := l.w.Write(l.ring[l.pos:]); err != nil {
			return err
		}
	}
	_, err := l.w.Write(l.ring[:l.pos])
	return err
}

// redactLineMax bounds the line redactingLines holds back: a longer line
// is passed on in pieces of this size, and a key cut in two there would
// escape redaction (CMD's lines are rarely that long).
const redactLineMax = 64 << 10

// redactingLines passes CMD's output to w a line at a time through
// stream.RedactText, so that a key CMD prints (its own, or one an SDK
// echoes in an error) is neither kept in the run's log nor shown by
// --verbose. Keys never span lines, so a line is the unit to redact.
type redactingLines struct {
	w   io.Writer
	buf []byte // the start of a line not yet ended, at most redactLineMax
}

// Write implements io.Writer.
func (r *redactingLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if room := redactLineMax - len(r.buf); len(p) > room {
				r.buf = append(r.buf, p[:room]...)
				p = p[room:]
				if err := r.flush(); err != nil {
					return 0, err
				}
				continue
			}
			r.buf = append(r.buf, p...)
			return n, nil
		}
		line := p[:i+1]
		p = p[i+1:]
		if len(r.buf)+len(line) <= redactLineMax {
			r.buf = append(r.buf, line...)
			if err := r.flush(); err != nil {
				return 0, err
			}
			continue
		}
		// A line longer than the bound: what was held back, then the
		// line itself, neither kept.
		if err := r.flush(); err != nil {
			return 0, err
		}
		if _, err := io.WriteString(r.w, stream.RedactText(string(line))); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// flush passes on, redacted, the part of a line held back.
func (r *redactingLines) flush() error {
	if len(r.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(r.w, stream.RedactText(string(r.buf)))
	r.buf = r.buf[:0]
	return err
}
