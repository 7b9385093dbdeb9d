package inspect

import (
	"slices"
	"strings"
	"testing"
)

func chaosSpecs(fs []Fault) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Spec
	}
	return out
}

// ChaosFaults is reproducible by its seed, draws from the whole pool and
// moves event faults across the stream, never past its end.
func TestChaosFaults(t *testing.T) {
	pool := DrillFaults(ProviderAnthropic)
	const events = 8
	t.Run("same seed, same list", func(t *testing.T) {
		a, b := ChaosFaults(pool, 42, 30, events), ChaosFaults(pool, 42, 30, events)
		if !slices.Equal(chaosSpecs(a), chaosSpecs(b)) {
			t.Errorf("seed 42 gave\n%q\nthen\n%q", chaosSpecs(a), chaosSpecs(b))
		}
	})
	t.Run("a longer run starts with the shorter one", func(t *testing.T) {
		// Run i depends on (seed, i) only: --runs 5 is a prefix of --runs 30.
		a, b := ChaosFaults(pool, 7, 5, events), ChaosFaults(pool, 7, 30, events)
		if !slices.Equal(chaosSpecs(a), chaosSpecs(b)[:5]) {
			t.Errorf("runs 5 %q is not the start of runs 30 %q", chaosSpecs(a), chaosSpecs(b))
		}
	})
	t.Run("another seed, another list", func(t *testing.T) {
		if slices.Equal(chaosSpecs(ChaosFaults(pool, 1, 30, events)), chaosSpecs(ChaosFaults(pool, 2, 30, events))) {
			t.Error("seeds 1 and 2 gave the same 30 faults")
		}
	})
	t.Run("every fault parses back to itself, events within the stream", func(t *testing.T) {
		classes := map[string]bool{}
		seenN := map[int]bool{}
		for _, f := range ChaosFaults(pool, 99, 400, events) {
			g, err := ParseFault(f.Spec)
			if err != nil || g != f {
				t.Fatalf("%q parses to %+v, %v; want %+v", f.Spec, g, err, f)
			}
			if f.N < 0 || f.N > events {
				t.Errorf("%q hits event %d of a %d-event stream", f.Spec, f.N, events)
			}
			classes[f.Class] = true
			if f.N > 0 {
				seenN[f.N] = true
			}
		}
		for _, f := range pool {
			if !classes[f.Class] {
				t.Errorf("400 picks never chose a %s fault", f.Class)
			}
		}
		if len(seenN) != events {
			t.Errorf("400 picks hit events %v, want every one of 1..%d", seenN, events)
		}
	})
	t.Run("keeps what follows the event number", func(t *testing.T) {
		stall, _ := ParseFault("stall@2:3s,pings")
		for _, f := range ChaosFaults([]Fault{stall}, 5, 20, events) {
			if !strings.HasSuffix(f.Spec, ":3s,pings") || !f.Pings || f.Stall != stall.Stall {
				t.Errorf("moved stall %q (%+v) lost its duration or pings", f.Spec, f)
			}
		}
	})
	t.Run("faults without an event stay as they are", func(t *testing.T) {
		var pool2 []Fault
		for _, s := range []string{"status:529,retry-after=0", "cut-before-end", "drip:2048", "error@2.5s:api_error", "tail:503"} {
			f, err := ParseFault(s)
			if err != nil {
				t.Fatal(err)
			}
			pool2 = append(pool2, f)
		}
		for _, f := range ChaosFaults(pool2, 3, 50, events) {
			if !slices.Contains(chaosSpecs(pool2), f.Spec) {
				t.Errorf("%q is not in the pool", f.Spec)
			}
		}
	})
	t.Run("nothing to pick from", func(t *testing.T) {
		if got := ChaosFaults(nil, 1, 5, events); got != nil {
			t.Errorf("empty pool gave %q", chaosSpecs(got))
		}
		if got := ChaosFaults(pool, 1, 0, events); got != nil {
			t.Errorf("0 runs gave %q", chaosSpecs(got))
		}
	})
	t.Run("unknown event count keeps N", func(t *testing.T) {
		for _, f := range ChaosFaults(pool, 11, 50, 0) {
			if !slices.Contains(chaosSpecs(pool), f.Spec) {
				t.Errorf("%q is not in the pool", f.Spec)
			}
		}
	})
}
