package ssegen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// DecoderOptions shape a generated Anthropic Messages API stream.
type DecoderOptions struct {
	Size    int    // stop adding messages once the stream is this long
	EOL     string // line ending: "\n", "\r\n" or "\r"
	BigLine int    // when > 0, one text_delta carries a data line this long
	// Mixed gives every event an id line, puts a comment in one frame
	// in 40 and splits one data payload in 8 over several data lines,
	// as some gateways and proxies do.
	Mixed bool
	Seed  uint64
}

// DecoderStream writes a deterministic stream shaped like the Anthropic
// Messages API: message_start, ping, an optional thinking block, a text
// block of many text_delta events, an optional tool_use block of
// input_json_delta events, occasional pings, message_delta and
// message_stop, repeated until opt.Size. Delta text is JSON-escaped and
// holds quotes, backslashes, tabs, newlines and multi-byte UTF-8. It
// returns the bytes and the number of events a decoder must dispatch.
func DecoderStream(opt DecoderOptions) ([]byte, int) {
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	var b bytes.Buffer
	b.Grow(opt.Size + opt.BigLine + 4096)
	events := 0
	emit := func(typ, data string) {
		b.WriteString("event: ")
		b.WriteString(typ)
		b.WriteString(opt.EOL)
		if opt.Mixed {
			fmt.Fprintf(&b, "id: %d%s", events+1, opt.EOL)
			if rng.IntN(40) == 0 {
				b.WriteString(":" + opt.EOL)
			}
			if rng.IntN(8) == 0 && len(data) > 2 {
				// Split at commas, where a JSON payload may break
				// (the data lines are joined with LF again).
				data = strings.ReplaceAll(data, ",", ","+opt.EOL+"data: ")
			}
		}
		b.WriteString("data: ")
		b.WriteString(data)
		b.WriteString(opt.EOL)
		b.WriteString(opt.EOL)
		events++
	}
	words := []string{"the", "stream", "naïve", "日本語", "🙂", `\"quoted\"`, `back\\slash`, `tab\t`, `line\n`, "token", "delta", "server", "event"}
	text := func(n int) string {
		var s strings.Builder
		for s.Len() < n {
			if s.Len() > 0 {
				s.WriteByte(' ')
			}
			s.WriteString(words[rng.IntN(len(words))])
		}
		return s.String()
	}
	bigDone := opt.BigLine <= 0
	for msg := 0; b.Len() < opt.Size || !bigDone; msg++ {
		id := fmt.Sprintf("msg_%016x", rng.Uint64())
		emit("message_start", `{"type":"message_start","message":{"id":"`+id+`","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":`+fmt.Sprint(10+rng.IntN(5000))+`,"output_tokens":1}}}`)
		emit("ping", `{"type": "ping"}`)
		block := 0
		delta := func(kind, field, value string) {
			emit("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"%s","%s":"%s"}}`, block, kind, field, value))
			if rng.IntN(40) == 0 {
				emit("ping", `{"type": "ping"}`)
			}
		}
		if rng.IntN(3) == 0 {
			emit("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"thinking","thinking":"","signature":""}}`, block))
			for range 20 + rng.IntN(181) {
				delta("thinking_delta", "thinking", text(20+rng.IntN(61)))
			}
			delta("signature_delta", "signature", "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds")
			emit("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, block))
			block++
		}
		emit("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"text","text":""}}`, block))
		for range 50 + rng.IntN(351) {
			delta("text_delta", "text", text(20+rng.IntN(61)))
		}
		if !bigDone {
			delta("text_delta", "text", text(opt.BigLine))
			bigDone = true
		}
		emit("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, block))
		block++
		if rng.IntN(4) == 0 {
			emit("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":{"type":"tool_use","id":"toolu_%08x","name":"get_weather","input":{}}}`, block, rng.Uint32()))
			for range 5 + rng.IntN(30) {
				delta("input_json_delta", "partial_json", strings.ReplaceAll(`{\"location\": \"`+text(10+rng.IntN(20))+`\"}`, "\n", ""))
			}
			emit("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, block))
		}
		emit("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":`+fmt.Sprint(1+rng.IntN(4000))+`}}`)
		emit("message_stop", `{"type":"message_stop"}`)
	}
	return b.Bytes(), events
}
