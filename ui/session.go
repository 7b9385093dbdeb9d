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
// capture (growing while live), the events decoded from it, and the
// latest verdict from inspect. It keeps no copy of the body: x.Spool holds
// it (shared with the recorder for live and proxy exchanges, a file region
// or a spill file for replays), and frames are read back from it by a
// command (loadFrame), never in Update.
type exchangeState struct {
	seq int
	x   *stream.Exchange
	// ownSpool is set when the publisher shared no spool: the chunks'
	// data is then appended to x.Spool here, the one copy there is.
	ownSpool bool
	events   inspect.Events
	// tl decodes the body as it arrives; nil before the first decode. It
	// is lent to the one decode command in flight (decoding) and handed
	// back with its result, so only one goroutine uses it at a time.
	tl       *inspect.Timeline
	decoding bool
	decoded  int64 // body bytes fed to tl
	mark     int   // next spool chunk to feed to tl
	ended    bool  // the End update arrived (done waits for its decode)
	// gen changes when the exchange is evicted or reloaded: results of
	// commands started before are dropped.
	gen     int
	spark   *sparkline // 4 KiB: dropped while evicted
	verdict *inspect.Verdict
	// verdictEvents is how many events the verdict saw; a new diagnosis
	// is due when more arrived.
	verdictEvents int
	diagnosing    bool
	done          bool // the body ended and is decoded (or the capture is complete)
	fullVerdict   bool // the verdict (or the one running) covers the whole exchange
	stall         time.Duration
	// Eviction (see evict.go): the capture file to reload an evicted
	// exchange from, and the list row's event count once evicted.
	capture   string
	evicted   bool
	reloading bool
	nEvents   int
	lastUse   int64 // Model.useClock when last opened or updated
}

func newExchangeState(seq int, x *stream.Exchange, stall time.Duration) *exchangeState {
	if stall <= 0 {
		stall = defaultStall
	}
	st := &exchangeState{seq: seq, spark: newSparkline(), stall: stall}
	st.setExchange(x)
	return st
}

// setExchange adopts x as the exchange's capture, giving it a spool of
// its own when its publisher shared none.
func (st *exchangeState) setExchange(x *stream.Exchange) {
	cp := *x
	cp.Chunks = nil
	st.ownSpool = cp.Spool == nil
	if st.ownSpool {
		cp.Spool = stream.NewSpool()
		for _, c := range x.Chunks {
			cp.Spool.Append(c.At, c.Data)
		}
	}
	st.x = &cp
	st.spark.untimed = !cp.Timed
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
// only). It records what happened; decoding the new bytes is left to a
// decode command (decodeCmd), which reads them from the spool.
func (st *exchangeState) applyUpdate(u stream.Update) {
	switch {
	case u.Start != nil:
		st.setExchange(u.Start)
	case u.Response != nil:
		st.x.Response = u.Response
		if u.Injected != "" {
			st.x.Injected = u.Injected
		}
	case u.Chunk != nil:
		if st.ownSpool {
			// Small while the chunks are (it spills to disk past
			// stream.SpillAt): the publisher keeps no body for us.
			st.x.Spool.Append(u.Chunk.At, u.Chunk.Data)
		}
		// A shared spool already holds the bytes: the update only says
		// that [decoded, spool length) is there to decode.
	case u.End != nil:
		st.x.End = *u.End
		st.ended = true
	}
}

// eventCount is the number of events, also once evicted.
func (st *exchangeState) eventCount() int {
	if st.evicted {
		return st.nEvents
	}
	return st.events.Len()
}

// finish marks the body complete.
func (st *exchangeState) finish() {
	st.done = true
	if st.x != nil && st.x.Timed {
		st.spark.finish(st.x.End.At, st.stall)
	}
}

// snapshot returns a copy of the exchange that sees the body recorded so
// far, safe to read from another goroutine while the spool keeps growing.
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
