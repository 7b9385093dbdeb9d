package inspect

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFindingEventsCapped: a finding lists at most maxEventRefs events,
// whether they came in one add (every stall of a stream) or in many, and
// its detail still counts them all.
func TestFindingEventsCapped(t *testing.T) {
	stalls := func(n int) string {
		ev := []string{evMS, evStart(0, "text")}
		for range n {
			ev = append(ev, evText(0, "x"))
		}
		return ant(append(ev, evStop(0), evMD("end_turn", 3), evMStop)...)
	}
	every := func(n int) []time.Duration { // 11 s between events: each gap a stall
		at := make([]time.Duration, n)
		for i := range at {
			at[i] = time.Duration(i) * 11 * time.Second
		}
		return at
	}
	cases := []struct {
		name   string
		deltas int
		listed int // every gap between the deltas+5 events is a stall
	}{
		{"a few stalls", 2, 6},
		{"more stalls than listed", maxEventRefs + 20, maxEventRefs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.deltas + 5 // events: start, block, deltas, stop, delta, stop
			v := Diagnose(timed(stalls(c.deltas), every(n)...), Options{})
			f := finding(v, "T-stall")
			if f == nil {
				t.Fatal("no T-stall finding")
			}
			if len(f.Events) != c.listed {
				t.Errorf("%d events listed, want %d", len(f.Events), c.listed)
			}
			if want := fmt.Sprintf("%d gap(s)", n-1); !strings.HasPrefix(f.Detail, want) {
				t.Errorf("detail %q does not start with %q", f.Detail, want)
			}
		})
	}
}
