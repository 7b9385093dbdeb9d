package ui

import (
	"errors"
	"io"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// The detail pane shows raw body bytes: the frame of the selected event,
// or the start of a body that is not a stream. Those bytes live in the
// exchange's spool, possibly in its spill file on disk, so reading them
// is IO and never happens in Update: the detail pane names the bytes it
// needs (a frameKey), Update starts loadFrame for them, and the result
// comes back as a frameLoadedMsg into a small cache keyed by exchange
// (seq and generation) and event. There is one cache for the model, not
// one per exchange, so that what it holds does not grow with the number
// of exchanges a long session keeps.

// maxFrame bounds what is read of one frame: the detail pane shows the
// start of a huge frame, not all of it.
const maxFrame = 4 << 20

// frameCacheSize is how many loaded frames the cache keeps: the one shown
// and a few the user just stepped over; frameCacheBytes bounds their
// bytes (a frame is up to maxFrame), the newest one always kept.
const (
	frameCacheSize  = 4
	frameCacheBytes = 8 << 20
)

// frameKey names body bytes [off, off+n) of exchange seq in generation
// gen (an eviction or reload changes it); ev is the event the bytes are
// the frame of, -1 for the start of a body that is not a stream.
type frameKey struct {
	seq, gen, ev int
	off          int64
	n            int
}

// frameLoads is what the model keeps of raw bytes: the cache and the one
// load in flight (req, when reqOn).
type frameLoads struct {
	cache frameCache
	req   frameKey
	reqOn bool
}

// frameLoadedMsg carries the bytes loadFrame read, or why it could not.
type frameLoadedMsg struct {
	key frameKey
	b   []byte
	err error
}

// cachedFrame is one loaded frame.
type cachedFrame struct {
	key frameKey
	b   []byte
	err error
}

// frameCache holds the last frames loaded, the most recently used last.
type frameCache struct {
	entries []cachedFrame
	bytes   int
}

// get returns the frame loaded for k, marking it the most recently used.
func (c *frameCache) get(k frameKey) (cachedFrame, bool) {
	for i, e := range c.entries {
		if e.key == k {
			copy(c.entries[i:], c.entries[i+1:])
			c.entries[len(c.entries)-1] = e
			return e, true
		}
	}
	return cachedFrame{}, false
}

// put adds a loaded frame, dropping the least recently used beyond the
// bound.
func (c *frameCache) put(f cachedFrame) {
	if old, ok := c.get(f.key); ok {
		c.bytes += len(f.b) - len(old.b)
		c.entries[len(c.entries)-1] = f
		return
	}
	c.entries = append(c.entries, f)
	c.bytes += len(f.b)
	for len(c.entries) > frameCacheSize || c.bytes > frameCacheBytes && len(c.entries) > 1 {
		c.bytes -= len(c.entries[0].b)
		c.entries[0] = cachedFrame{} // let the bytes go
		c.entries = c.entries[1:]
	}
}

// drop forgets the frames of exchange seq (evicted or reloaded: its
// generation changed, so they can never be shown again).
func (c *frameCache) drop(seq int) {
	kept := c.entries[:0]
	for _, e := range c.entries {
		if e.key.seq == seq {
			c.bytes -= len(e.b)
			continue
		}
		kept = append(kept, e)
	}
	clear(c.entries[len(kept):])
	c.entries = kept
}

// readBodyAt is the one place the inspector reads body bytes back for the
// detail pane and for y; tests replace it to count the reads.
var readBodyAt = func(x *stream.Exchange, p []byte, off int64) (int, error) {
	return x.ReadBodyAt(p, off)
}

// readFrame reads the bytes k names from x (short at the end of the body).
func readFrame(x *stream.Exchange, k frameKey) ([]byte, error) {
	b := make([]byte, k.n)
	n, err := readBodyAt(x, b, k.off)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return b[:n], err
}

// loadFrame reads the bytes k names from x, a snapshot of the exchange
// (safe to read while the live spool grows), off the Update goroutine.
func loadFrame(x *stream.Exchange, k frameKey) func() tea.Msg {
	return func() tea.Msg {
		b, err := readFrame(x, k)
		return frameLoadedMsg{key: k, b: b, err: err}
	}
}

// eventFrame names the frame of event i, or says it has none (no offset,
// empty, out of range).
func (st *exchangeState) eventFrame(i int) (frameKey, bool) {
	if i < 0 || i >= st.events.Len() {
		return frameKey{}, false
	}
	e := st.events.Meta(i)
	n := min(e.Length, maxFrame)
	if e.Offset < 0 || n <= 0 {
		return frameKey{}, false
	}
	return frameKey{seq: st.seq, gen: st.gen, ev: i, off: e.Offset, n: int(n)}, true
}

// bodyFrame names the start of the body shown on the headers row of an
// exchange that is not a stream.
func (st *exchangeState) bodyFrame() (frameKey, bool) {
	n := min(st.x.BodyLen(), maxFrame)
	if n <= 0 {
		return frameKey{}, false
	}
	return frameKey{seq: st.seq, gen: st.gen, ev: -1, n: int(n)}, true
}

// requestFrame starts loading the bytes the detail pane waits for,
// unless that load is already in flight. Update calls it after every
// message, so whatever moved the selection, the bytes follow.
func (m *Model) requestFrame() tea.Cmd {
	st := m.current()
	if st == nil || !m.det.wanting || m.frames.reqOn && m.frames.req == m.det.want {
		return nil
	}
	if st.evicted || st.gen != m.det.want.gen || st.seq != m.det.want.seq {
		return nil
	}
	m.frames.req, m.frames.reqOn = m.det.want, true
	return m.spawn(loadFrame(st.snapshot(), m.det.want))
}

// applyFrame adopts a loaded frame if the detail pane still waits for it;
// the result of a load the selection has moved on from is dropped.
func (m *Model) applyFrame(msg frameLoadedMsg) {
	if !m.frames.reqOn || msg.key != m.frames.req {
		return // stale: a newer load replaced it
	}
	m.frames.reqOn = false
	st := m.current()
	if st == nil || st.seq != msg.key.seq || st.gen != msg.key.gen || st.evicted {
		return
	}
	m.frames.cache.put(cachedFrame{key: msg.key, b: msg.b, err: msg.err})
	if m.det.wanting && m.det.want == msg.key && m.tl != nil {
		m.det.setContent(st, m.tl.sel)
	}
}

// copyFrameCmd reads the frame k names from x and copies it, all in the
// command.
func copyFrameCmd(x *stream.Exchange, k frameKey, env clipEnv) tea.Cmd {
	return func() tea.Msg {
		b, err := readFrame(x, k)
		if err != nil {
			return copiedMsg{what: "raw frame", err: err}
		}
		return copyFrame(b, env)()
	}
}
