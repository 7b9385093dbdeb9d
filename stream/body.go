package stream

import "time"

// bodyBuilder collects the body of one exchange as a reader meets it: as
// Chunks for a capture parsed from memory (Parse), in a Spool for a
// capture read from a file, so that such a body never sits in memory.
type bodyBuilder struct {
	s    *source
	x    *Exchange
	open bool // the last chunk was started by grow and may grow further
	live bool // publish each chunk as it completes (line formats)
}

// body starts collecting x's body, dropping any body it had.
func (s *source) body(x *Exchange) *bodyBuilder {
	x.Chunks, x.Spool = nil, nil
	if s.f != nil {
		x.Spool = NewSpool()
	}
	return &bodyBuilder{s: s, x: x}
}

// chunk adds one chunk that arrived at at. In memory p is kept, not
// copied: pass bytes nobody changes (a slice of the capture, a fresh
// decode).
func (b *bodyBuilder) chunk(at time.Duration, p []byte) error {
	b.open = false
	if b.x.Spool == nil {
		b.x.Chunks = append(b.x.Chunks, Chunk{At: at, Data: p})
		return nil
	}
	if err := b.x.Spool.Append(at, p); err != nil {
		return err
	}
	if b.live {
		b.s.pub.chunks(b.x, false)
	}
	return nil
}

// begin starts an empty chunk that arrived at at, for grow to fill.
func (b *bodyBuilder) begin(at time.Duration) error {
	b.open = true
	if b.x.Spool == nil {
		b.x.Chunks = append(b.x.Chunks, Chunk{At: at, Data: []byte{}})
		return nil
	}
	return b.x.Spool.Append(at, nil)
}

// grow appends p (copied) to the open chunk, starting an untimed one when
// none is open.
func (b *bodyBuilder) grow(p []byte) error {
	if b.x.Spool == nil {
		if !b.open || len(b.x.Chunks) == 0 {
			b.x.Chunks = append(b.x.Chunks, Chunk{Data: append([]byte{}, p...)})
		} else {
			c := &b.x.Chunks[len(b.x.Chunks)-1]
			c.Data = append(c.Data, p...)
		}
		b.open = true
		return nil
	}
	var err error
	if b.open {
		err = b.x.Spool.grow(p)
	} else {
		err = b.x.Spool.Append(0, p)
	}
	b.open = true
	return err
}

// cut ends the chunk grow started, if any.
func (b *bodyBuilder) cut() {
	if b.open {
		b.open = false
		if b.live {
			b.s.pub.chunks(b.x, false)
		}
	}
}

// region makes n capture bytes from off x's whole body, in place: a slice
// of the capture in memory, a region of the capture file otherwise.
func (s *source) region(x *Exchange, off, n int64) {
	x.Chunks, x.Spool = nil, nil
	if s.f == nil {
		x.Chunks = []Chunk{{Data: s.mem[off : off+n]}}
		return
	}
	x.Spool = NewFileSpool(s.f, s.base+off, n)
	*s.kept = true
}
