package inspect

import (
	"bytes"
	"runtime"
	"testing"
	"unsafe"

	"github.com/midstreamhq/midstream/stream"
)

// TestMillionEvents: a stream of 1,000,000 events diagnoses with memory
// proportional to the timeline (no copy of event data is kept).
func TestMillionEvents(t *testing.T) {
	const n = 1_000_000
	var b bytes.Buffer
	b.WriteString(ant(evMS, evStart(0, "text")))
	delta := ant(evText(0, "tok"))
	ping := ant(evPing)
	for i := 3; i < n-3; i++ {
		if i%10 == 0 {
			b.WriteString(delta)
		} else {
			b.WriteString(ping)
		}
	}
	b.WriteString(ant(evStop(0), evMD("end_turn", n), evMStop))
	body := b.Bytes()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := Diagnose(stream.FromBody("million.sse", body), Options{})
	runtime.ReadMemStats(&after)

	if v.EventCount != n-1 || v.Events.Len() != n-1 {
		t.Fatalf("event count %d (%d), want %d", v.EventCount, v.Events.Len(), n-1)
	}
	if v.Outcome != OutcomeComplete || len(v.Findings) != 0 {
		t.Fatalf("outcome %s findings %v", v.Outcome, codes(v))
	}
	perEvent := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("body %d MiB, allocated %d B/event (EventInfo is %d B)", len(body)>>20, perEvent, sizeofEventInfo())
	// The timeline itself (EventInfo plus growth) is the budget; keeping
	// each event's data would cost its length again (~35–95 B here).
	if limit := uint64(3 * sizeofEventInfo()); perEvent > limit {
		t.Errorf("allocated %d B/event, want at most %d", perEvent, limit)
	}
	if got := Assemble(v, v.Events.Len()); len(got.Blocks) != 1 || len(got.Blocks[0].Text) != 3*((n-6)/10) {
		t.Errorf("assembled %d blocks, text %d bytes", len(got.Blocks), len(got.Blocks[0].Text))
	}
}

func sizeofEventInfo() int { return int(unsafe.Sizeof(EventInfo{})) }
