package stream

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// captureBacking lets the spool of a recorded exchange read its body back
// from the exchange's own capture file instead of keeping a copy.
//
// Why (issue #10): the proxy wrote every body twice, to its capture file
// as chunk lines and to the shared spill file so that the inspector could
// re-read it; the second copy was an eighth to a sixth of the proxy's CPU
// under 100 concurrent streams. With a backing, a spool keeps in memory
// only the chunks whose lines the capture writer has not yet written
// (bounded by the writer's own backpressure, 320 KiB), and reads the
// others by decoding their lines from the file. Reading back costs a JSON
// decode per chunk, but only when someone reads the body, off the data
// path.
//
// Guarantees kept: the bytes read are the bytes appended (a decoded line
// whose length differs from the chunk's is an error, never wrong bytes);
// a chunk is dropped from memory only once its line is in the file; if
// the capture fails, the spool stops relying on it (unback) and spills
// what it still holds, as any spool does.
type captureBacking struct {
	f       *os.File      // a read handle of the capture, owned here
	durable *atomic.Int64 // bytes of the capture written (the writer's)

	mu     sync.Mutex // readers take turns; the fields below are theirs
	lastI  int        // the chunk last holds, when lastOK
	lastOK bool
	last   []byte
	raw    []byte // the line last read
}

// lineRef is where one chunk's line is in the capture file.
type lineRef struct {
	off int64
	n   int
}

// backing returns a backing for a spool recorded through cw, or nil when
// cw's writer is not a capture file that can be read back.
func (cw *CaptureWriter) backing() *captureBacking {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.back != nil {
		return cw.back
	}
	o, ok := cw.w.(*Output)
	if !ok || !o.made || o.tmp != "" {
		return nil
	}
	f, err := reopen(o.f) // a read handle that outlives Commit's close
	if err != nil {
		return nil // no way to read it back here: the spool spills
	}
	cw.back = &captureBacking{f: f, durable: &cw.durable}
	return cw.back
}

// readAt reads len(p) bytes of the body from off, from the lines of the
// chunks marks (body ends) and lines (their lines) describe. Readers of
// one body take turns (b.mu): the buffers are reused.
func (b *captureBacking) readAt(p []byte, off int64, marks []chunkMark, lines []lineRef) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	got := 0
	i := sort.Search(len(lines), func(i int) bool { return marks[i].end > off })
	for ; got < len(p) && i < len(lines); i++ {
		start := int64(0)
		if i > 0 {
			start = marks[i-1].end
		}
		data, err := b.chunk(i, lines[i], marks[i].end-start)
		if err != nil {
			return got, err
		}
		m := copy(p[got:], data[off-start:])
		got += m
		off += int64(m)
	}
	if got < len(p) {
		return got, fmt.Errorf("no chunk line holds body offset %d", off)
	}
	return got, nil
}

// chunk returns the decoded bytes of chunk i, whose line is l and whose
// length is want, valid until the next call; b.mu must be held. The last
// chunk decoded is kept: a reader reading less than a chunk at a time
// would otherwise decode it again for every read.
func (b *captureBacking) chunk(i int, l lineRef, want int64) ([]byte, error) {
	if b.lastOK && b.lastI == i {
		return b.last, nil
	}
	b.lastOK = false
	if cap(b.raw) < l.n {
		b.raw = make([]byte, l.n)
	}
	raw := b.raw[:l.n]
	if _, err := b.f.ReadAt(raw, l.off); err != nil {
		return nil, fmt.Errorf("reading a body back from its capture: %w", err)
	}
	data, err := decodeChunkLine(b.last[:0], raw)
	if err != nil {
		return nil, fmt.Errorf("reading a body back from its capture: line at offset %d: %w", l.off, err)
	}
	if int64(len(data)) != want {
		return nil, fmt.Errorf("reading a body back from its capture: line at offset %d holds %d bytes, not %d (the file changed?)", l.off, len(data), want)
	}
	b.lastI, b.lastOK, b.last = i, true, data
	return data, nil
}

// decodeChunkLine appends the body bytes of a chunk line to dst. Lines
// appendChunkLine wrote are decoded here directly (a capture read back
// for a diagnosis is read a few times over, and encoding/json took
// seconds per GiB each time); anything else, e.g. a surrogate pair, by
// encoding/json as the capture reader does.
func decodeChunkLine(dst, line []byte) ([]byte, error) {
	if rest, ok := bytes.CutPrefix(line, []byte(`{"t":"chunk","at_us":`)); ok {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '-') {
			i++
		}
		if body, ok := bytes.CutSuffix(rest[i:], []byte("\"}\n")); ok {
			if t, ok := bytes.CutPrefix(body, []byte(`,"text":"`)); ok {
				if out, ok := unescapeText(dst, t); ok {
					return out, nil
				}
			} else if t, ok := bytes.CutPrefix(body, []byte(`,"b64":"`)); ok {
				return base64.StdEncoding.AppendDecode(dst, t)
			}
		}
	}
	var l jsonlLine
	if err := json.Unmarshal(line, &l); err != nil || l.T != "chunk" {
		return nil, errors.New("not a chunk line")
	}
	data, err := decodeBytes(l.Text, l.B64)
	return append(dst, data...), err
}

// unescapeText appends the inside of a JSON string as appendJSONText
// writes it, unescaped, to dst; false for anything else (a surrogate
// escape, a raw quote or control byte), which the caller hands to
// encoding/json. Like the encoder it looks at 8 bytes at a time: SSE
// text has an escape every few words, and plain runs are copied whole.
func unescapeText(dst, s []byte) ([]byte, bool) {
	dst = slices.Grow(dst, len(s))
	start := 0
	for i := nextSpecial(s, 0); i < len(s); i = nextSpecial(s, i) {
		if s[i] != '\\' || i+1 >= len(s) {
			return dst, false // a raw quote or control byte
		}
		dst = append(dst, s[start:i]...)
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			if i+6 > len(s) {
				return dst, false
			}
			r, err := strconv.ParseUint(string(s[i+2:i+6]), 16, 16)
			if err != nil || r >= 0xD800 && r < 0xE000 {
				return dst, false
			}
			dst = utf8.AppendRune(dst, rune(r))
			i += 4
		default:
			return dst, false
		}
		i += 2
		start = i
	}
	return append(dst, s[start:]...), true
}

// nextSpecial returns the index of the first '"', '\\' or control byte
// of s at or after i, len(s) if none.
func nextSpecial(s []byte, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		q, b := x^(lo*'"'), x^(lo*'\\')
		// "has a byte below n" and "has a zero byte": the lowest flagged
		// byte is exact (see special8).
		if m := ((x-lo*0x20)&^x | (q-lo)&^q | (b-lo)&^b) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return len(s)
}

// back makes s read the chunks it is given by appendBacked back from b
// once their lines are written; false (and nothing changed) once s holds
// a byte.
func (s *Spool) back(b *captureBacking) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.n != 0 || len(st.marks) != 0 || st.back != nil || s.limit >= 0 || st.ro {
		return false
	}
	st.back, st.backOn = b, true
	return true
}

// backedSink is a CaptureSink whose chunk lines a spool can read back.
type backedSink interface {
	backing() *captureBacking
	chunkLine(c Chunk) (off int64, n int, err error)
}

// appendBacked appends one chunk whose line in the capture is l: it stays
// in memory until the line is written, and is then read from there.
func (s *Spool) appendBacked(at time.Duration, p []byte, l lineRef) error {
	st := s.st
	st.mu.Lock()
	if !st.backOn {
		st.mu.Unlock()
		return s.Append(at, p)
	}
	defer st.mu.Unlock()
	if st.mem == nil {
		st.mem = (*backBufs.Get().(*[]byte))[:0]
	}
	st.mem = append(st.mem, p...)
	st.n += int64(len(p))
	st.marks = append(st.marks, chunkMark{end: st.n, at: at})
	st.lines = append(st.lines, l)
	st.trim()
	return nil
}

// trim drops from memory the leading chunks whose lines are written;
// st.mu must be held (for writing).
func (st *spoolStore) trim() {
	d := st.back.durable.Load()
	k := len(st.lines)
	i := sort.Search(k, func(i int) bool { return st.lines[i].off+int64(st.lines[i].n) > d })
	if i == 0 {
		return
	}
	end := st.marks[i-1].end
	if drop := end - st.flushed; drop > 0 {
		// Copied down, not resliced: the array is reused for what comes
		// (usually nothing is left: the writer wrote every line).
		st.mem = append(st.mem[:0], st.mem[drop:]...)
		st.flushed = end
		st.backEnd = end
	}
}

// backBufs holds the buffers backed spools keep unwritten chunks in:
// each exchange would otherwise grow one from nothing (a copy at every
// doubling) to what its capture writer may hold unwritten, a batch
// being written and the lines waiting behind it (2*bufKeep), on the
// data path.
var backBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2*bufKeep); return &b }}

// unback stops relying on the capture (it failed): chunks from now on,
// and those still in memory, are spilled as in any spool; the ones
// already in the file are still read from there.
func (s *Spool) unback() {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.backOn {
		return
	}
	st.backOn = false
	if len(st.mem) >= SpillAt {
		st.spill()
	}
}

// settle drops what the capture now holds once its writer is done.
func (s *Spool) settle() {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.backOn {
		st.trim()
		if len(st.mem) == 0 && cap(st.mem) <= 2*bufKeep {
			// No reader is inside ReadAt (st.mu is held) and none will
			// read memory again: every byte is below st.flushed.
			b := st.mem[:0]
			backBufs.Put(&b)
			st.mem = nil
		}
	}
}

// readBack reads body bytes below st.flushed; st.mu must be held.
func (st *spoolStore) readBack(p []byte, off int64) (int, error) {
	got := 0
	if st.back != nil && off < st.backEnd {
		k := min(int64(len(p)), st.backEnd-off)
		m, err := st.back.readAt(p[:k], off, st.marks, st.lines)
		got += m
		off += int64(m)
		if err != nil || got == len(p) {
			return got, err
		}
	}
	var m int
	var err error
	if st.spilled != nil {
		m, err = st.spilled.readAt(p[got:], off)
	} else if st.f != nil {
		m, err = st.f.ReadAt(p[got:], st.base+off)
	} else {
		err = errors.New("no storage holds the body")
	}
	return got + m, err
}
