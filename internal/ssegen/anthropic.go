// Package ssegen generates deterministic Anthropic Messages streams for
// benchmarks and tests: package inspect's Diagnose benchmarks and
// template tests, and the end-to-end module's benchmark of Diagnose
// against the official Go SDK's typed stream (e2e/sdkbench). It imports
// nothing outside the standard library.
package ssegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// genWords are the words of generated text: plain ASCII, JSON escapes
// (quote, backslash, newline, tab) and multi-byte UTF-8, as real text has.
var genWords = []string{
	"the", "stream", "model", "token", "error", "retry", "status", "naïve", "日本語", "🙂",
	"say \"hi\"", `C:\path`, "line\nbreak", "tab\there", "overloaded", "message", "delta", "with",
	"a", "of", "and", "to", "JSON", "server", "events", "client", "response", "request",
}

// Anthropic returns a deterministic Anthropic Messages stream of about
// size bytes, shaped like a real one: one message_start and ping, then
// blocks in index order — optional thinking (20–200 thinking_delta plus a
// signature), text (50–400 text_delta of 20–80 bytes), optional tool_use
// (input_json_delta fragments of a valid object) — with a ping about every
// 40 deltas, then message_delta and message_stop. It is one long message,
// so the SDK accumulator builds one Message with many blocks.
func Anthropic(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b bytes.Buffer
	b.Grow(size + 64<<10)
	ev := func(name, data string) {
		b.WriteString("event: ")
		b.WriteString(name)
		b.WriteString("\ndata: ")
		b.WriteString(data)
		b.WriteString("\n\n")
	}
	str := func(s string) string {
		j, _ := json.Marshal(s)
		return string(j)
	}
	text := func() string {
		n := 20 + r.IntN(61)
		var s []byte
		for len(s) < n {
			s = append(s, genWords[r.IntN(len(genWords))]...)
			s = append(s, ' ')
		}
		return string(s)
	}
	deltas := 0
	maybePing := func() {
		deltas++
		if deltas%40 == 0 {
			ev("ping", `{"type": "ping"}`)
		}
	}
	ev("message_start", `{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1200,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"service_tier":"standard"}}}`)
	ev("ping", `{"type": "ping"}`)
	idx, out := 0, 1
	for b.Len() < size {
		if r.IntN(3) == 0 {
			ev("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"thinking","thinking":"","signature":""}}`, idx))
			for range 20 + r.IntN(181) {
				ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"thinking_delta","thinking":%s}}`, idx, str(text())))
				maybePing()
			}
			ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}`, idx))
			ev("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, idx))
			idx++
		}
		ev("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"text","text":""}}`, idx))
		for range 50 + r.IntN(351) {
			ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"text_delta","text":%s}}`, idx, str(text())))
			maybePing()
			out++
		}
		ev("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, idx))
		idx++
		if r.IntN(4) == 0 {
			ev("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"tool_use","id":"toolu_%d","name":"write_file","input":{}}}`, idx, idx))
			input := str(text() + text())
			args := `{"path": "notes.txt", "content": ` + input + `}`
			ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"input_json_delta","partial_json":""}}`, idx))
			for len(args) > 0 {
				n := min(len(args), 8+r.IntN(24))
				ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"input_json_delta","partial_json":%s}}`, idx, str(args[:n])))
				args = args[n:]
				maybePing()
			}
			ev("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, idx))
			idx++
		}
	}
	ev("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%d}}`, out))
	ev("message_stop", `{"type":"message_stop"}`)
	return b.Bytes()
}
