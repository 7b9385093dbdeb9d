package ui

import (
	"slices"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// defaultStall is the gap between events above which the timeline and the
// sparkline call it a stall (inspect's default threshold).
const defaultStall = 10 * time.Second

// exchangeState is one exchange as the inspector knows it so far: the
// capture (growing while live), its body, the events decoded from it, and
// the latest verdict from inspect.
type exchangeState struct {
	seq     int
	x       *stream.Exchange
	body    []byte
	events  inspect.Events
	tl      *inspect.Timeline // decodes the body as it arrives; nil before the first chunk
	spark   sparkline
	verdict *inspect.Verdict
	// verdictEvents is how many events the verdict saw; a new diagnosis
	// is due when more arrived.
	verdictEvents int
	diagnosing    bool
	done          bool // the body ended (or the capture is complete)
	fullVerdict   bool // the verdict (or the one running) covers the whole exchange
	decoded       int64
	stall         time.Duration
}

func newExchangeState(seq int, x *stream.Exchange, stall time.Duration) *exchangeState {
	if stall <= 0 {
		stall = defaultStall
	}
	st := &exchangeState{seq: seq, x: x, spark: newSparkline(), stall: stall}
	st.spark.untimed = !x.Timed
	return st
}

// addEvents appends decoded events, updating the sparkline.
func (st *exchangeState) addEvents(evs inspect.Events) {
	for i := range evs.Len() {
		e := evs.Meta(i)
		at := e.At
		if st.spark.untimed {
			at = time.Duration(st.events.Len()+i) * time.Millisecond
		}
		st.spark.add(at, st.stallFor())
		if isErrorEvent(e) {
			st.spark.markError(at)
		}
	}
	st.events = st.events.Append(evs)
}

func (st *exchangeState) stallFor() time.Duration {
	if st.spark.untimed {
		return 1 << 62
	}
	return st.stall
}

func isErrorEvent(e inspect.EventInfo) bool {
	return e.Type == "error" || e.DataType == "error" || e.DataType == "response.failed"
}

// applyUpdate applies one live update to the exchange (Update-goroutine
// only). Decoding is bounded by the bytes that arrived.
func (st *exchangeState) applyUpdate(u stream.Update) {
	switch {
	case u.Start != nil:
		cp := *u.Start
		cp.Chunks = nil
		st.x = &cp
		st.spark.untimed = !cp.Timed
	case u.Response != nil:
		st.x.Response = u.Response
	case u.Chunk != nil:
		st.x.Chunks = append(st.x.Chunks, *u.Chunk)
		st.body = append(st.body, u.Chunk.Data...)
		if st.tl == nil {
			// Created at the first chunk, when the response headers
			// are in: they (and the URL) tell the provider.
			st.tl = inspect.NewTimeline(st.x)
		}
		st.addEvents(st.tl.Feed(*u.Chunk))
		st.decoded = int64(len(st.body))
	case u.End != nil:
		st.x.End = *u.End
		if st.tl != nil {
			st.addEvents(st.tl.Finish())
		}
		st.finish()
	}
}

// finish marks the body complete.
func (st *exchangeState) finish() {
	st.done = true
	if st.x != nil && st.x.Timed {
		st.spark.finish(st.x.End.At, st.stall)
	}
}

// snapshot returns a copy of the exchange safe to read from another
// goroutine while this one keeps appending chunks.
func (st *exchangeState) snapshot() *stream.Exchange {
	return st.x.Snapshot()
}

// setVerdict adopts the verdict of the complete exchange. Its events
// (decoded from the whole body, with inspect's summaries) are the
// authority and replace the interim ones — there may be fewer, e.g. none
// for a JSON error body that is not a stream.
func (st *exchangeState) setVerdict(v *inspect.Verdict) {
	st.verdict = v
	st.verdictEvents = v.Events.Len()
	if v.Events.Len() == st.events.Len() {
		for i := range v.Events.Len() {
			// Interim arrival times are measured the same way; keep
			// them where inspect has none.
			if v.Events.Meta(i).At == 0 {
				v.Events.SetAt(i, st.events.Meta(i).At)
			}
		}
		st.events = v.Events
		return
	}
	st.events = inspect.Events{}
	st.spark = newSparkline()
	st.spark.untimed = !st.x.Timed
	st.addEvents(v.Events)
	if st.done {
		st.finish()
	}
}

// requestID is the verdict's request id, or the one in the response
// headers while no verdict is in.
func (st *exchangeState) requestID() string {
	if st.verdict != nil && st.verdict.RequestID != "" {
		return st.verdict.RequestID
	}
	if st.x == nil {
		return ""
	}
	return inspect.HeaderRequestID(st.x.Response)
}

// frame returns the raw bytes of event i.
func (st *exchangeState) frame(i int) []byte {
	if i < 0 || i >= st.events.Len() {
		return nil
	}
	e := st.events.Meta(i)
	lo, hi := e.Offset, e.Offset+e.Length
	if lo < 0 || lo > int64(len(st.body)) {
		return nil
	}
	if hi > int64(len(st.body)) {
		hi = int64(len(st.body))
	}
	return st.body[lo:hi]
}

// findingEvents returns the sorted event indexes that carry a finding.
func findingEvents(v *inspect.Verdict) []int {
	if v == nil {
		return nil
	}
	seen := map[int]bool{}
	var out []int
	for _, f := range v.Findings {
		for _, e := range f.Events {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	slices.Sort(out)
	return out
}
