package stream

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
)

// arenaSize is how many bytes of spilled bodies one spill file takes
// before the next spill starts a new one. A file is closed, and its disk
// space freed, once every region in it was released. (A variable for
// tests.)
var arenaSize int64 = 1 << 30

// spillArena is one unlinked temporary file that the spools of many
// bodies spill into, each spill a region of its own. Why not a file per
// body: creating (and unlinking, and at the end freeing) a file costs a
// proxy more than the rest of recording a stream, far more when a hundred
// streams start at once and contend for one directory; and a hundred big
// bodies would hold a hundred descriptors.
//
// Regions are written with WriteAt and never move, so readers need no
// lock of the arena. A released region's blocks are freed at once where
// the system can punch holes in a file (Linux), else with the file.
type spillArena struct {
	f    *os.File
	dir  string
	next int64 // offset of the next region; arenaMu
	live int64 // bytes in regions not released; arenaMu
	full bool  // takes no more regions: closed when live drops to 0
}

var (
	arenaMu  sync.Mutex
	arenaCur *spillArena
)

// spillRegion is n bytes of an arena from offset off; end is where the
// part of a body held in it ends in that body (set by spillRegions).
type spillRegion struct {
	a           *spillArena
	off, n, end int64
}

// allocSpill reserves a region of n bytes in the current arena, starting
// a new arena when there is none, it is full, or SpoolDir changed.
func allocSpill(n int64) (spillRegion, error) {
	arenaMu.Lock()
	defer arenaMu.Unlock()
	a := arenaCur
	if a == nil || a.dir != SpoolDir || a.next > 0 && a.next+n > arenaSize {
		if a != nil {
			a.retire()
		}
		f, err := os.CreateTemp(SpoolDir, "midstream-body-*")
		if err != nil {
			return spillRegion{}, fmt.Errorf("spooling a body to disk: %w", err)
		}
		os.Remove(f.Name()) // unlinked: the bytes live as long as the descriptor
		a = &spillArena{f: f, dir: SpoolDir}
		arenaCur = a
	}
	r := spillRegion{a: a, off: a.next, n: n}
	a.next += n
	a.live += n
	return r, nil
}

// retire takes a out of use; arenaMu must be held.
func (a *spillArena) retire() {
	a.full = true
	if a.live == 0 {
		a.f.Close()
	}
	if arenaCur == a {
		arenaCur = nil
	}
}

// release gives r's bytes back: its blocks are freed (where holes can be
// punched) and an arena full and now empty is closed.
func (r spillRegion) release() {
	punchHole(r.a.f, r.off, r.n)
	arenaMu.Lock()
	defer arenaMu.Unlock()
	r.a.live -= r.n
	if r.a.full && r.a.live == 0 {
		r.a.f.Close()
	}
}

// spillRegions are the regions one spool spilled into, in body order.
// It is apart from the spool's store so that a cleanup can release them
// when the store becomes unreachable (a cleanup's argument must not
// reach the object it cleans up after).
type spillRegions struct {
	mu    sync.Mutex
	regs  []spillRegion
	spare spillRegion // reserved after the last region, not written yet
	done  bool
}

// maxExtent caps the extents a growing body reserves in an arena.
const maxExtent = 4 << 20

// take returns the region the next n spilled bytes go to, from the
// extent reserved for this body: each extent reserved twice the size of
// the one before, up to maxExtent (and a 64th of an arena). Why: with
// many bodies spilling at once, a region per spill interleaves them in
// the arena, and every region costs a hole punched at its release (a
// system call, and the file system's work); a body's spills now fill one
// extent after another, and merge into one region each (add). The part
// of an extent never written is a hole already: it costs no disk.
func (rs *spillRegions) take(n int64) (spillRegion, error) {
	rs.mu.Lock()
	spare, prev := rs.spare, int64(0)
	if k := len(rs.regs); k > 0 {
		prev = rs.regs[k-1].n
	}
	rs.mu.Unlock()
	if spare.n < n {
		spare.releaseReserved()
		size := max(n, min(2*prev, maxExtent, arenaSize/64))
		var err error
		if spare, err = allocSpill(size); err != nil {
			return spillRegion{}, err
		}
	}
	r := spillRegion{a: spare.a, off: spare.off, n: n}
	spare.off += n
	spare.n -= n
	rs.mu.Lock()
	rs.spare = spare
	rs.mu.Unlock()
	rs.add(r)
	return r, nil
}

// releaseReserved gives back the bytes of r, never written, to its
// arena's count (no hole to punch); nothing for an empty r.
func (r spillRegion) releaseReserved() {
	if r.n == 0 || r.a == nil {
		return
	}
	arenaMu.Lock()
	defer arenaMu.Unlock()
	r.a.live -= r.n
	if r.a.full && r.a.live == 0 {
		r.a.f.Close()
	}
}

// add appends r, merging it with the last region when it follows it in
// the same arena (one stream spilling alone gets one region).
func (rs *spillRegions) add(r spillRegion) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r.end = r.n
	if k := len(rs.regs); k > 0 {
		l := &rs.regs[k-1]
		if l.a == r.a && l.off+l.n == r.off {
			l.n += r.n
			l.end += r.n
			return
		}
		r.end += l.end
	}
	rs.regs = append(rs.regs, r)
}

// releaseAll releases every region, once.
func (rs *spillRegions) releaseAll() {
	rs.mu.Lock()
	regs, spare, done := rs.regs, rs.spare, rs.done
	rs.regs, rs.spare, rs.done = nil, spillRegion{}, true
	rs.mu.Unlock()
	if done {
		return
	}
	for _, r := range regs {
		r.release()
	}
	spare.releaseReserved()
}

// readAt reads len(p) bytes of the spilled body from body offset off.
func (rs *spillRegions) readAt(p []byte, off int64) (int, error) {
	rs.mu.Lock()
	regs, done := rs.regs, rs.done
	rs.mu.Unlock()
	if done {
		return 0, errors.New("stream: spool closed")
	}
	got := 0
	// The first region that ends past off, then the ones after it.
	for i := sort.Search(len(regs), func(i int) bool { return regs[i].end > off }); i < len(regs) && got < len(p); i++ {
		r := regs[i]
		start := r.end - r.n
		k := min(int64(len(p)-got), r.end-off)
		m, err := r.a.f.ReadAt(p[got:int64(got)+k], r.off+off-start)
		got += m
		off += int64(m)
		if err != nil {
			return got, err
		}
	}
	if got < len(p) {
		return got, fmt.Errorf("no spilled region holds body offset %d", off)
	}
	return got, nil
}

// watch releases rs when owner becomes unreachable.
func (rs *spillRegions) watch(owner *spoolStore) {
	runtime.AddCleanup(owner, func(rs *spillRegions) { rs.releaseAll() }, rs)
}
