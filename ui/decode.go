package ui

import (
	"errors"
	"io"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// Decoding runs in commands, never in Update: the body is read back from
// its spool, which may be a file (IO), and a replay hands over hundreds of
// megabytes at once (unbounded work). Each exchange has at most one decode
// command in flight; it owns the exchange's Timeline until its result is
// applied, and covers at most decodeStep bytes, so the first events of a
// huge body reach the screen after one step and the screen stays live.
//
// The first step of an exchange is smaller: it decides how soon the first
// screen of events shows (a few thousand events fill it many times over),
// while the later, bigger steps keep the number of results, each one a
// redraw, low.
const (
	decodeStep      = 4 << 20   // body bytes one decode command covers
	firstDecodeStep = 256 << 10 // body bytes the first one covers
	decodeSlice     = 1 << 20   // bytes fed to the Timeline at a time
)

// decodedMsg carries the events one decode command found, and hands the
// Timeline back.
type decodedMsg struct {
	seq, gen int
	tl       *inspect.Timeline
	events   inspect.Events
	decoded  int64 // body bytes fed so far
	mark     int   // next spool chunk
	done     bool  // the body ended and everything was decoded
	err      error
}

// decodeJob is the state a decode command works on: copies, plus the
// Timeline it owns until it returns.
type decodeJob struct {
	seq, gen int
	tl       *inspect.Timeline
	spool    *stream.Spool
	from     int64
	mark     int
	final    bool // the body ended: finish the Timeline once all is fed
}

// decodeCmd starts decoding the bytes of st that arrived since the last
// decode, unless a decode is in flight (its result starts the next one)
// or there is nothing new. Update goroutine only.
func (st *exchangeState) decodeCmd() tea.Cmd {
	j := st.decodeJob()
	if j == nil {
		return nil
	}
	return func() tea.Msg { return j.run() }
}

// decodeJob lends st's Timeline to a new job, or returns nil.
func (st *exchangeState) decodeJob() *decodeJob {
	if st.decoding || st.done || st.evicted || st.x == nil || st.x.Spool == nil {
		return nil
	}
	if st.x.Spool.Len() <= st.decoded && !st.ended {
		return nil
	}
	if st.tl == nil && st.x.Response == nil && !st.ended && st.x.Format != stream.FormatSSE {
		// A shared spool may hold bytes appended after a Response
		// update this batch did not bring yet: the Timeline must see
		// the headers (a bare SSE body has none to wait for).
		return nil
	}
	if st.tl == nil {
		// Created at the first bytes, when the response headers are in:
		// they (and the URL) tell the provider. Reads no body.
		st.tl = inspect.NewTimeline(st.x)
	}
	st.decoding = true
	return &decodeJob{seq: st.seq, gen: st.gen, tl: st.tl, spool: st.x.Spool, from: st.decoded, mark: st.mark, final: st.ended}
}

// run feeds the Timeline up to decodeStep new bytes, chunk by chunk so
// that events keep their chunks' arrival times. Runs in a command.
func (j *decodeJob) run() decodedMsg {
	msg := decodedMsg{seq: j.seq, gen: j.gen, tl: j.tl, decoded: j.from, mark: j.mark}
	n := j.spool.Chunks()
	step := int64(decodeStep)
	if j.from == 0 {
		step = firstDecodeStep
	}
	var buf []byte
	for msg.mark < n && msg.decoded-j.from < step {
		end, at := j.spool.ChunkAt(msg.mark)
		if msg.decoded >= end {
			msg.mark++
			continue
		}
		k := min(end-msg.decoded, decodeSlice, step-(msg.decoded-j.from))
		if int64(cap(buf)) < k {
			buf = make([]byte, k)
		}
		b := buf[:k]
		if _, err := j.spool.ReadAt(b, msg.decoded); err != nil && !errors.Is(err, io.EOF) {
			msg.err = err
			break
		}
		// The Timeline keeps no reference to b: buf is reused.
		msg.events = msg.events.Append(j.tl.Feed(stream.Chunk{At: at, Data: b}))
		msg.decoded += k
	}
	if j.final && (msg.mark >= n || msg.err != nil) {
		msg.events = msg.events.Append(j.tl.Finish())
		msg.done = true
	}
	return msg
}

// applyDecoded takes the Timeline back with its events; it reports
// whether the result was for the current generation of st.
func (st *exchangeState) applyDecoded(msg decodedMsg) bool {
	if msg.gen != st.gen {
		return false // evicted or reloaded since: the job's work is moot
	}
	st.decoding = false
	st.tl = msg.tl
	st.addEvents(msg.events)
	st.decoded, st.mark = msg.decoded, msg.mark
	if msg.done {
		st.tl = nil // its pending bytes and chunk spans are not needed any more
		st.finish()
	}
	return true
}

// applyDecoded adopts a decode command's events and starts the next
// step: more bytes arrived, or the body ended and is to be finished.
func (m *Model) applyDecoded(msg decodedMsg) tea.Cmd {
	st := m.stateOf(msg.seq)
	if st == nil || !st.applyDecoded(msg) {
		return nil
	}
	cmds := []tea.Cmd{m.spawnDecode(st)}
	if msg.err != nil {
		cmds = append(cmds, m.setStatus("✗ reading "+st.x.Source+": "+msg.err.Error(), true))
	}
	if m.live || st.done {
		cmds = append(cmds, m.maybeDiagnose(st))
	}
	if st == m.current() {
		m.syncCurrent()
	}
	cmds = append(cmds, m.leaveLoading(), m.evict())
	return tea.Batch(cmds...)
}

// spawnDecode starts decoding what arrived of st, if anything did.
func (m *Model) spawnDecode(st *exchangeState) tea.Cmd {
	if j := st.decodeJob(); j != nil {
		return m.spawn(func() tea.Msg { return j.run() })
	}
	return nil
}

// decodingText says how far decoding of st has got ("" when complete).
func decodingText(st *exchangeState) string {
	if st.done || st.x == nil || st.x.Spool == nil {
		return ""
	}
	total := st.x.Spool.Len()
	if total == 0 {
		return ""
	}
	return "decoding " + fmtBytes(st.decoded) + " of " + fmtBytes(total)
}
