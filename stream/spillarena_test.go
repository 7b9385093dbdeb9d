package stream

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// Spools spilling at the same time share the spill file, each reading
// back its own bytes; a full file is closed once its regions are released.
func TestSpillArenaSharedAndReleased(t *testing.T) {
	oldSpill, oldSize, oldDir := SpillAt, arenaSize, SpoolDir
	SpillAt, arenaSize, SpoolDir = 100, 1000, t.TempDir()
	t.Cleanup(func() {
		arenaMu.Lock()
		if arenaCur != nil {
			arenaCur.retire()
		}
		arenaMu.Unlock()
		SpillAt, arenaSize, SpoolDir = oldSpill, oldSize, oldDir
	})
	spools := make([]*Spool, 3)
	want := make([][]byte, 3)
	for i := range spools {
		spools[i] = NewSpool()
	}
	for round := range 40 { // interleaved: 3 x 40 x 30 bytes, 3.6 arenas' worth
		for i, s := range spools {
			p := bytes.Repeat([]byte{byte('a' + i)}, 30)
			p[0] = byte(round)
			want[i] = append(want[i], p...)
			if err := s.Append(time.Duration(round), p); err != nil {
				t.Fatal(err)
			}
		}
	}
	arenaMu.Lock()
	first := spools[0].st.spilled.regs[0].a
	arenaMu.Unlock()
	if first == arenaCur {
		t.Fatal("expected the first arena to be full by now")
	}
	for i, s := range spools {
		got, err := io.ReadAll(s.Reader())
		if err != nil || !bytes.Equal(got, want[i]) {
			t.Fatalf("spool %d: %v\n got %q\nwant %q", i, err, got, want[i])
		}
		if n := len(s.st.spilled.regs); n < 2 {
			t.Fatalf("spool %d: %d regions, want several", i, n)
		}
	}
	for _, s := range spools {
		s.Close()
	}
	if _, err := first.f.Stat(); err == nil {
		t.Fatal("a full arena whose regions were all released is still open")
	}
	if _, err := spools[0].ReadAt(make([]byte, 1), 0); err == nil {
		t.Fatal("a closed spool still reads")
	}
}

// Bodies spilling at the same time (a proxy's concurrent streams) each
// fill extents of growing size: a few regions per body, each a hole to
// punch at release, rather than one per spill; the bytes read back
// exact, and releasing them gives back every reserved byte.
func TestSpillExtentsFewRegionsPerBody(t *testing.T) {
	oldSpill, oldSize, oldDir := SpillAt, arenaSize, SpoolDir
	SpillAt, arenaSize, SpoolDir = 100, 1<<20, t.TempDir()
	t.Cleanup(func() {
		arenaMu.Lock()
		if arenaCur != nil {
			arenaCur.retire()
		}
		arenaMu.Unlock()
		SpillAt, arenaSize, SpoolDir = oldSpill, oldSize, oldDir
	})
	spools := make([]*Spool, 3)
	want := make([][]byte, 3)
	for i := range spools {
		spools[i] = NewSpool()
	}
	for round := range 300 { // interleaved: about 90 spills of 100 bytes each
		for i, s := range spools {
			p := bytes.Repeat([]byte{byte('a' + i)}, 30)
			p[0] = byte(round)
			want[i] = append(want[i], p...)
			if err := s.Append(time.Duration(round), p); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, s := range spools {
		s.st.mu.Lock()
		for s.st.writing != nil {
			s.st.idle.Wait()
		}
		s.st.mu.Unlock()
		got, err := io.ReadAll(s.Reader())
		if err != nil || !bytes.Equal(got, want[i]) {
			t.Fatalf("spool %d reads back %d bytes (%v), want its %d", i, len(got), err, len(want[i]))
		}
		if n := len(s.st.spilled.regs); n > 10 {
			t.Fatalf("spool %d: %d regions for %d spilled bytes, want a few growing extents", i, n, len(want[i]))
		}
	}
	arenaMu.Lock()
	a := arenaCur
	arenaMu.Unlock()
	for _, s := range spools {
		s.Close()
	}
	arenaMu.Lock()
	defer arenaMu.Unlock()
	if a.live != 0 {
		t.Fatalf("%d bytes of the arena still counted live after every spool was closed", a.live)
	}
}
