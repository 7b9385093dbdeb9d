package main

import (
	"fmt"
	"io"
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
