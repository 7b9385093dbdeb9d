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

// benchLiveBody is 1 MB of a well-formed Anthropic stream: the message
// and block starts, then text deltas.
func benchLiveBody() []byte {
	head := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-bench\"}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	return []byte(head + strings.Repeat(sseEvent(1), (1<<20)/len(sseEvent(1))))
}

// BenchmarkDecodeMBLive decodes that stream as a live one arrives: in
// 4 KiB reads, frames split across them.
func BenchmarkDecodeMBLive(b *testing.B) {
	body := benchLiveBody()
	start := &stream.Exchange{Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		tl := inspect.NewTimeline(start)
		for off := 0; off < len(body); off += 4096 {
			tl.Feed(stream.Chunk{Data: body[off:min(off+4096, len(body))]})
		}
		tl.Finish()
	}
}
