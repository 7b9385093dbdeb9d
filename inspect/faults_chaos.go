package inspect

import (
	"math/rand/v2"
	"strconv"
)

// ChaosFaults returns n faults for `drill --chaos SEED`: fault i (0-based)
// is picked from pool by a generator seeded with seed and i alone, so
// the same seed gives the same list on every machine and at every pace.
// A fault that hits an event (error@N, cut@N, cut-between@N, reset@N,
// stall@N, garble@N) is moved to an event drawn from 1..events, the
// clean stream's event count, so that different seeds walk the whole
// stream rather than the defaults' fixed spots; events <= 0 keeps N. An
// empty pool or n <= 0 gives none.
func ChaosFaults(pool []Fault, seed int64, n, events int) []Fault {
	if len(pool) == 0 || n <= 0 {
		return nil
	}
	out := make([]Fault, n)
	for i := range out {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		f := pool[rng.IntN(len(pool))]
		if f.N > 0 && events > 0 {
			f = atEvent(f, 1+rng.IntN(events))
		}
		out[i] = f
	}
	return out
}

// atEvent returns f moved to event n: its spec rewritten ("cut@3" →
// "cut@7", "stall@2:3s,pings" → "stall@5:3s,pings") and parsed again, so
// the Fault and the spec the table shows always agree. f itself when its
// spec has no event number to rewrite.
func atEvent(f Fault, n int) Fault {
	at := -1
	for i := 0; i < len(f.Spec); i++ {
		if f.Spec[i] == '@' {
			at = i
			break
		}
	}
	if at < 0 {
		return f
	}
	end := at + 1
	for end < len(f.Spec) && f.Spec[end] >= '0' && f.Spec[end] <= '9' {
		end++
	}
	if end == at+1 {
		return f
	}
	g, err := ParseFault(f.Spec[:at+1] + strconv.Itoa(n) + f.Spec[end:])
	if err != nil {
		return f // cannot happen for a spec that parsed with another N
	}
	return g
}
