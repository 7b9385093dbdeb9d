package stream

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// SpillAt is the body size past which a Spool moves its bytes out of
// memory into regions of an unlinked temporary file that many spools
// share (see spillArena): above it, a body costs disk, never memory
// (issue #7: memory must not grow with a body). Small bodies, the common
// case, stay in memory.
var SpillAt = 64 << 10

// SpoolDir is where spill files are created ("" for os.TempDir). A file
// is removed from the directory as soon as it is open, so nothing is left
// behind whatever way the process ends.
var SpoolDir = ""

// maxPiece is the largest slice of body handed to a chunk callback: a
// chunk recorded as one read of 1 GiB is handed on as pieces of this size
// with the same arrival time, so no reader needs a buffer as big as a body.
const maxPiece = 256 << 10

// Spool holds one body as it grows and as it is read back: in memory while
// it is small, in regions of a shared unlinked temporary file after
// SpillAt bytes, or as a region of a capture file it was read from. It also keeps where each
// chunk ended and when it arrived (16 bytes a chunk), so timing and chunk
// boundaries survive without the bytes being held.
//
// One goroutine appends; any number may read what was appended so far at
// the same time (the proxy records while the inspector reads). A Spool
// returned by Snapshot is a read-only view of the first chunks only.
type Spool struct {
	st    *spoolStore
	limit int // chunks visible through this view; -1 for the live spool
}

// spoolStore is the storage a Spool and its snapshots share.
type spoolStore struct {
	mu      sync.RWMutex
	mem     []byte        // every byte while in memory; after spilling, the unwritten tail
	writing []byte        // bytes being written to the spill file, after flushed and before mem
	spare   []byte        // a written buffer, for mem to reuse
	idle    sync.Cond     // on mu: a spill write ended
	f       *os.File      // the capture file of a file region; nil otherwise
	base    int64         // offset of the body in f
	spilled *spillRegions // where a spilled body went; nil while in memory
	flushed int64         // bytes of the body already in f or spilled
	n       int64         // bytes appended
	marks   []chunkMark
	err     error // first write error: later appends are dropped, reads fail with it
	ro      bool  // a file region: nothing may be appended
}

type chunkMark struct {
	end int64 // exclusive end offset of the chunk in the body
	at  time.Duration
}

// NewSpool returns an empty spool.
func NewSpool() *Spool {
	st := &spoolStore{}
	st.idle.L = &st.mu
	return &Spool{st: st, limit: -1}
}

// NewFileSpool returns a read-only spool over n bytes of f from offset
// off, as one untimed chunk: a bare body read in place from its capture
// file instead of into memory. Several regions may share f (the exchanges
// of one capture): Close does not close it; it is closed once no region
// over it is reachable (*os.File's own cleanup).
func NewFileSpool(f *os.File, off, n int64) *Spool {
	st := &spoolStore{f: f, base: off, flushed: n, n: n, ro: true}
	st.idle.L = &st.mu
	if n > 0 {
		st.marks = []chunkMark{{end: n}}
	}
	return &Spool{st: st, limit: -1}
}

// Append records one chunk that arrived at at; p is copied. Appending to
// a snapshot or a file region panics: it is a programming error.
func (s *Spool) Append(at time.Duration, p []byte) error {
	st := s.st
	if s.limit >= 0 || st.ro {
		panic("stream: Append on a read-only spool")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err != nil {
		return st.err
	}
	st.appendMem(p)
	st.n += int64(len(p))
	st.marks = append(st.marks, chunkMark{end: st.n, at: at})
	if len(st.mem) >= SpillAt {
		st.spill()
	}
	return st.err
}

// grow appends p to the last chunk, which keeps its arrival time: a
// reader that learns where a chunk ends only after reading it (a curl -v
// body, a de-chunked body) writes it in pieces. With no chunk yet, it
// starts one that arrived at 0.
func (s *Spool) grow(p []byte) error {
	st := s.st
	st.mu.Lock()
	if len(st.marks) == 0 {
		st.mu.Unlock()
		return s.Append(0, p)
	}
	defer st.mu.Unlock()
	if st.err != nil {
		return st.err
	}
	st.appendMem(p)
	st.n += int64(len(p))
	st.marks[len(st.marks)-1].end = st.n
	if len(st.mem) >= SpillAt {
		st.spill()
	}
	return st.err
}

// appendMem appends p to st.mem; st.mu must be held (for writing).
//
// Why not a plain append: a streamed body grows mem read by read up to
// SpillAt, and doubling from a few KB copied it several times per body,
// twice (before the first spill and after it): two thirds of the bytes
// the proxy allocated under 100 streams (issue #10). Past 16 KiB a body
// is likely to stream on, so mem is made big enough to reach SpillAt in
// one step; smaller bodies, the common case kept in memory, grow as
// before.
func (st *spoolStore) appendMem(p []byte) {
	if n := len(st.mem) + len(p); n > cap(st.mem) && n > 16<<10 {
		st.mem = slices.Grow(st.mem, max(n, SpillAt+32<<10)-len(st.mem))
	}
	st.mem = append(st.mem, p...)
}

// spill hands the in-memory bytes to a goroutine that writes them to a
// region of the shared spill file; st.mu must be held (for writing).
//
// Why not write here: the appender is the proxy's data path, and a disk
// that stalls must not stall the stream. One write is in flight at a
// time, its bytes still readable from memory until it is done. The bound:
// when SpillAt more bytes gathered while a write is still in flight, the
// appender waits for it, so memory stays within two buffers whatever the
// disk does, and no byte is dropped.
func (st *spoolStore) spill() {
	for st.writing != nil && st.err == nil {
		st.idle.Wait()
	}
	if st.err != nil || len(st.mem) < SpillAt {
		return
	}
	if st.spilled == nil {
		st.spilled = &spillRegions{}
		// Nothing says when the last reader of a body is done with it
		// (the inspector keeps a spool as long as it shows it), so its
		// regions go back when the spool becomes unreachable, or on Close.
		st.spilled.watch(st)
	}
	r, err := st.spilled.take(int64(len(st.mem)))
	if err != nil {
		st.err = err
		return
	}
	st.writing, st.mem, st.spare = st.mem, st.spare[:0], nil
	go st.writeSpill(r, 2*SpillAt)
}

// writeSpill writes st.writing to r, then makes it part of the file; a
// buffer of up to keep bytes is kept for reuse.
func (st *spoolStore) writeSpill(r spillRegion, keep int) {
	_, err := r.a.f.WriteAt(st.writing, r.off) // st.writing is not changed until it is done
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		// Recording stops; what was appended stays readable from memory.
		st.err = fmt.Errorf("spooling a body to disk: %w", err)
		st.mem = append(st.writing[:len(st.writing):len(st.writing)], st.mem...)
	} else {
		st.flushed += int64(len(st.writing))
		if cap(st.writing) <= keep { // else one huge chunk grew it
			st.spare = st.writing[:0]
		}
	}
	st.writing = nil
	st.idle.Broadcast()
}

// Writer returns a writer that appends every write to s as one chunk
// that arrived at at.
func (s *Spool) Writer(at time.Duration) io.Writer { return spoolWriter{s, at} }

type spoolWriter struct {
	s  *Spool
	at time.Duration
}

// Write appends p as one chunk.
func (w spoolWriter) Write(p []byte) (int, error) {
	if err := w.s.Append(w.at, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Snapshot returns a read-only view of the chunks appended so far, safe to
// read while this spool keeps growing.
func (s *Spool) Snapshot() *Spool {
	st := s.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	return &Spool{st: st, limit: s.chunks()}
}

// chunks is the number of chunks visible through s; st.mu must be held.
func (s *Spool) chunks() int {
	if s.limit >= 0 {
		return s.limit
	}
	return len(s.st.marks)
}

// Len returns the number of body bytes visible through s.
func (s *Spool) Len() int64 {
	st := s.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	if k := s.chunks(); k > 0 {
		return st.marks[k-1].end
	}
	return 0
}

// Chunks returns the number of chunks visible through s.
func (s *Spool) Chunks() int {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	return s.chunks()
}

// ChunkAt returns the end offset and arrival time of chunk i.
func (s *Spool) ChunkAt(i int) (end int64, at time.Duration) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	m := s.st.marks[i]
	return m.end, m.at
}

// Err returns the first error that stopped the spool recording, if any.
func (s *Spool) Err() error {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	return s.st.err
}

// ReadAt reads body bytes at off, within what is visible through s.
func (s *Spool) ReadAt(p []byte, off int64) (int, error) {
	n := s.Len()
	if off >= n {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > n-off {
		p = p[:n-off]
	}
	st := s.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	got := 0
	if off < st.flushed {
		k := min(int64(len(p)), st.flushed-off)
		var m int
		var err error
		if st.spilled != nil {
			m, err = st.spilled.readAt(p[:k], off)
		} else {
			m, err = st.f.ReadAt(p[:k], st.base+off)
		}
		got += m
		if err != nil {
			return got, fmt.Errorf("reading a spooled body: %w", err)
		}
		off += int64(m)
	}
	if w := int64(len(st.writing)); got < len(p) && off < st.flushed+w {
		m := copy(p[got:], st.writing[off-st.flushed:])
		got += m
		off += int64(m)
	}
	if got < len(p) {
		got += copy(p[got:], st.mem[off-st.flushed-int64(len(st.writing)):])
	}
	if got < want {
		return got, io.EOF
	}
	return got, nil
}

// Each calls f with every chunk visible through s, in order, each cut
// into pieces of at most 256 KiB that keep the chunk's arrival time. The
// data is valid only during the call. It stops at f's first error and
// returns it.
func (s *Spool) Each(f func(Chunk) error) error {
	k := s.Chunks()
	var buf []byte
	var start int64
	for i := 0; i < k; i++ {
		end, at := s.ChunkAt(i)
		for off := start; off < end || off == start && end == start; {
			n := min(end-off, maxPiece)
			if int64(cap(buf)) < n {
				buf = make([]byte, n)
			}
			b := buf[:n]
			if _, err := s.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
				return err
			}
			if err := f(Chunk{At: at, Data: b}); err != nil {
				return err
			}
			off += n
			if n == 0 {
				break
			}
		}
		start = end
	}
	return nil
}

// Reader returns a reader of the body visible through s, from its start.
func (s *Spool) Reader() io.Reader { return io.NewSectionReader(s, 0, s.Len()) }

// Close releases the spool's file (or its regions of the spill file) now
// rather than when it becomes unreachable. Snapshots share it: close only
// the last user.
func (s *Spool) Close() error {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for st.writing != nil {
		st.idle.Wait()
	}
	if st.spilled != nil {
		st.spilled.releaseAll()
	} else if st.f == nil {
		return nil
	}
	var err error
	if st.f != nil && !st.ro {
		// A file region's file is not closed here: the regions of one
		// capture (a curl dump's exchanges) share it, and closing it would
		// break the others. It is closed once no region is reachable.
		err = st.f.Close()
	}
	if st.err == nil {
		st.err = errors.New("stream: spool closed")
	}
	return err
}
