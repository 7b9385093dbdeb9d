package ui

import (
	"strings"
	"testing"
)

// BenchmarkDecodeMB decodes 1 MB of deltas, the unit the loader posts.
func BenchmarkDecodeMB(b *testing.B) {
	body := []byte(strings.Repeat(sseEvent(1), (1<<20)/len(sseEvent(1))))
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		var d eventDecoder
		d.feed(body, 0, true, nil)
	}
}
