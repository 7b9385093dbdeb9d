package inspect

import (
	"math/rand/v2"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestBodyCursor reads random offsets, forwards and backwards, of a body
// split into random chunks (some empty) and checks each byte.
func TestBodyCursor(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 50 {
		body := make([]byte, r.IntN(2000))
		for i := range body {
			body[i] = byte(r.IntN(256))
		}
		x := &stream.Exchange{}
		for rest := body; ; {
			n := min(len(rest), r.IntN(300))
			x.Chunks = append(x.Chunks, stream.Chunk{Data: rest[:n]})
			rest = rest[n:]
			if len(rest) == 0 {
				break
			}
		}
		c := bodyCursor{x: x}
		off := int64(0)
		for range 500 {
			if r.IntN(4) == 0 {
				off = int64(r.IntN(len(body) + 10))
			} else {
				off += int64(r.IntN(20))
			}
			want := -1
			if off < int64(len(body)) {
				want = int(body[off])
			}
			if got := c.at(off); got != want {
				t.Fatalf("round %d: at(%d) = %d, want %d", round, off, got, want)
			}
		}
	}
}
