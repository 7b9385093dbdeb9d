package stream

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// spoolOf appends chunks to a new spool with SpillAt lowered to spill.
func spoolOf(t *testing.T, spill int, chunks []Chunk) *Spool {
	t.Helper()
	old := SpillAt
	SpillAt = spill
	t.Cleanup(func() { SpillAt = old })
	s := NewSpool()
	for _, c := range chunks {
		if err := s.Append(c.At, c.Data); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestSpoolMatchesInMemoryChunks(t *testing.T) {
	big := bytes.Repeat([]byte("data: {\"x\":1}\n\n"), 40000) // 600 kB, over one piece
	cases := []struct {
		name   string
		spill  int
		chunks []Chunk
	}{
		{"empty", 64 << 10, nil},
		{"one small chunk in memory", 64 << 10, []Chunk{{At: 5, Data: []byte("data: a\n\n")}}},
		{"spilled past the threshold", 16, []Chunk{{At: 1, Data: []byte("event: a\ndata: 1\n\n")}, {At: 2, Data: []byte("data: 2\n")}, {At: 3, Data: []byte("\n")}}},
		{"tail in memory after a spill", 20, []Chunk{{At: 1, Data: bytes.Repeat([]byte("x"), 25)}, {At: 2, Data: []byte("tail")}}},
		{"one chunk larger than a piece", 64 << 10, []Chunk{{At: time.Second, Data: big}}},
		{"empty chunk kept", 8, []Chunk{{At: 1, Data: []byte("abc")}, {At: 2, Data: nil}, {At: 3, Data: []byte("defghijkl")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := &Exchange{Chunks: tc.chunks}
			sp := &Exchange{Spool: spoolOf(t, tc.spill, tc.chunks)}
			want := mem.Body()
			if got := sp.Body(); !bytes.Equal(got, want) {
				t.Fatalf("Body differs: %d bytes, want %d", len(got), len(want))
			}
			if sp.BodyLen() != mem.BodyLen() || sp.ChunkCount() != mem.ChunkCount() {
				t.Fatalf("len %d/%d chunks %d/%d", sp.BodyLen(), mem.BodyLen(), sp.ChunkCount(), mem.ChunkCount())
			}
			var viaEach []byte
			pieces := 0
			if err := sp.EachChunk(func(c Chunk) error {
				if len(c.Data) > maxPiece {
					t.Fatalf("piece of %d bytes", len(c.Data))
				}
				pieces++
				viaEach = append(viaEach, c.Data...)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(viaEach, want) {
				t.Fatal("EachChunk does not give the body")
			}
			if r, _ := io.ReadAll(sp.BodyReader()); !bytes.Equal(r, want) {
				t.Fatal("BodyReader does not give the body")
			}
			for off := int64(0); off < int64(len(want)); off += 7 {
				p := make([]byte, 11)
				n, _ := sp.ReadBodyAt(p, off)
				m, _ := mem.ReadBodyAt(make([]byte, 11), off)
				if n != m || !bytes.Equal(p[:n], want[off:off+int64(n)]) {
					t.Fatalf("ReadBodyAt(%d) = %q", off, p[:n])
				}
			}
			ci, cm := NewChunkIndex(sp), NewChunkIndex(mem)
			if len(ci) != len(cm) {
				t.Fatalf("chunk index %d entries, want %d", len(ci), len(cm))
			}
			for i := range ci {
				if ci[i] != cm[i] {
					t.Fatalf("chunk %d: %+v, want %+v", i, ci[i], cm[i])
				}
			}
		})
	}
}

func TestSpoolSnapshotSeesOnlyItsChunks(t *testing.T) {
	s := spoolOf(t, 8, []Chunk{{At: 1, Data: []byte("first chunk ")}})
	snap := (&Exchange{Spool: s}).Snapshot()
	if err := s.Append(2, []byte("second chunk")); err != nil {
		t.Fatal(err)
	}
	if got := string(snap.Body()); got != "first chunk " {
		t.Fatalf("snapshot body %q", got)
	}
	if got := string((&Exchange{Spool: s}).Body()); got != "first chunk second chunk" {
		t.Fatalf("live body %q", got)
	}
}

func TestFileSpoolReadsARegionInPlace(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "body")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("HEADER\ndata: x\n\nTRAILER")
	x := &Exchange{Spool: NewFileSpool(f, 7, 9)}
	if got := string(x.Body()); got != "data: x\n\n" {
		t.Fatalf("body %q", got)
	}
	if got := string(x.BodyPrefix(4)); got != "data" {
		t.Fatalf("prefix %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Append on a file region did not panic")
		}
	}()
	x.Spool.Append(0, []byte("no"))
}

func TestSpoolMemoryStaysBoundedWhileSpilling(t *testing.T) {
	s := spoolOf(t, 64<<10, nil)
	chunk := []byte(strings.Repeat("y", 32<<10))
	for i := 0; i < 256; i++ { // 8 MiB
		if err := s.Append(time.Duration(i), chunk); err != nil {
			t.Fatal(err)
		}
	}
	if n := cap(s.st.mem); n > 2*SpillAt {
		t.Fatalf("in-memory tail holds %d bytes after 8 MiB, want at most %d", n, 2*SpillAt)
	}
	if s.Len() != 8<<20 {
		t.Fatalf("len %d", s.Len())
	}
}

// TestFileSpoolsShareTheirFile: closing one region of a capture file (an
// evicted exchange) leaves the file open for the others.
func TestFileSpoolsShareTheirFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "dump")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data: one\n\ndata: two\n\n")
	first, second := NewFileSpool(f, 0, 11), NewFileSpool(f, 11, 11)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if got := string((&Exchange{Spool: second}).Body()); got != "data: two\n\n" {
		t.Fatalf("the other region reads %q after the first was closed", got)
	}
}
