package inspect

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestAssembleBounded: the assembled view of a hostile stream stays within
// maxAssembled bytes and maxAssembledBlocks blocks and says it was cut; an
// ordinary stream is assembled whole and not marked.
func TestAssembleBounded(t *testing.T) {
	const start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"usage\":{\"input_tokens\":1}}}\n\n"
	const block0 = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	delta := func(text string) string {
		return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n"
	}
	var long bytes.Buffer // 40 deltas of 1 MiB: past maxAssembled
	long.WriteString(start + block0)
	mib := strings.Repeat("a", 1<<20)
	for range 40 {
		long.WriteString(delta(mib))
	}
	var many bytes.Buffer // a fresh block index per event: past maxAssembledBlocks
	many.WriteString(start)
	for i := range maxAssembledBlocks + 500 {
		fmt.Fprintf(&many, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":%d,\"content_block\":{\"type\":\"text\",\"text\":\"x\"}}\n\n", i)
	}
	cases := []struct {
		name      string
		body      string
		truncated bool
		text      int // length of block 0's text
		blocks    int
	}{
		{"ordinary stream", start + block0 + delta("Hello") + delta(", world"), false, len("Hello, world"), 1},
		{"40 MiB of text deltas", long.String(), true, maxAssembled, 1},
		{"a fresh block per event", many.String(), true, 1, maxAssembledBlocks},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(stream.FromBody("t.sse", []byte(c.body)), Options{})
			m := Assemble(v, v.Events.Len())
			if m.Truncated != c.truncated {
				t.Errorf("Truncated = %v, want %v", m.Truncated, c.truncated)
			}
			if len(m.Blocks) != c.blocks {
				t.Fatalf("%d blocks, want %d", len(m.Blocks), c.blocks)
			}
			if n := len(m.Blocks[0].Text); n != c.text {
				t.Errorf("block 0 holds %d bytes of text, want %d", n, c.text)
			}
		})
	}
}
