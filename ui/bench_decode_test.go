package ui

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// BenchmarkDecodeMB decodes 1 MB of deltas, the unit the loader posts.
func BenchmarkDecodeMB(b *testing.B) {
	body := []byte(strings.Repeat(sseEvent(1), (1<<20)/len(sseEvent(1))))
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		tl := inspect.NewTimeline(stream.FromBody("bench", nil))
		tl.Feed(stream.Chunk{Data: body})
		tl.Finish()
	}
}
