package stream

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"
)

// genOptions shape a generated Anthropic Messages API stream.
type genOptions struct {
	size    int    // stop adding messages once the stream is this long
	eol     string // line ending: "\n", "\r\n" or "\r"
	bigLine int    // when > 0, one text_delta carries a data line this long
	// mixed gives every event an id line, puts a comment in one frame
	// in 40 and splits one data payload in 8 over several data lines,
	// as some gateways and proxies do.
	mixed bool
	seed  uint64
}

// genStream writes a deterministic stream shaped like the Anthropic
// Messages API: message_start, ping, an optional thinking block, a text
// block of many text_delta events, an optional tool_use block of
// input_json_delta events, occasional pings, message_delta and
// message_stop, repeated until opt.size. Delta text is JSON-escaped and
// holds quotes, backslashes, tabs, newlines and multi-byte UTF-8. It
// returns the bytes and the number of events a decoder must dispatch.
func genStream(opt genOptions) ([]byte, int) {
	rng := rand.New(rand.NewPCG(opt.seed, 0x5eed))
	var b bytes.Buffer
	b.Grow(opt.size + opt.bigLine + 4096)
	events := 0
	emit := func(typ, data string) {
		b.WriteString("event: ")
		b.WriteString(typ)
		b.WriteString(opt.eol)
		if opt.mixed {
			fmt.Fprintf(&b, "id: %d%s", events+1, opt.eol)
			if rng.IntN(40) == 0 {
				b.WriteString(":" + opt.eol)
			}
			if rng.IntN(8) == 0 && len(data) > 2 {
				// Split at commas, where a JSON payload may break
				// (the data lines are joined with LF again).
				data = strings.ReplaceAll(data, ",", ","+opt.eol+"data: ")
			}
		}
		b.WriteString("data: ")
		b.WriteString(data)
		b.WriteString(opt.eol)
		b.WriteString(opt.eol)
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
	bigDone := opt.bigLine <= 0
	for msg := 0; b.Len() < opt.size || !bigDone; msg++ {
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
			delta("text_delta", "text", text(opt.bigLine))
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

type benchStream struct {
	data   []byte
	events int
}

var (
	benchOnce    sync.Once
	benchStreams map[string]benchStream
)

// streamsForBench generates the benchmark inputs once per test binary.
func streamsForBench() map[string]benchStream {
	benchOnce.Do(func() {
		benchStreams = map[string]benchStream{}
		for name, opt := range map[string]genOptions{
			"lf64M":    {size: 64 << 20, eol: "\n", seed: 1},
			"crlf64M":  {size: 64 << 20, eol: "\r\n", seed: 2},
			"mixed64M": {size: 64 << 20, eol: "\n", mixed: true, seed: 4},
			"big2M":    {size: 64 << 10, eol: "\n", bigLine: 2 << 20, seed: 3},
		} {
			data, n := genStream(opt)
			benchStreams[name] = benchStream{data, n}
		}
	})
	return benchStreams
}

// decodeMidstream and decodeOpenAI consume a whole stream the way a
// caller does and return the number of events and data bytes seen.
func decodeMidstream(r io.Reader) (events, data int, err error) {
	d := NewDecoder(r)
	for {
		e, err := d.Next()
		if err == io.EOF {
			return events, data, nil
		}
		if err != nil {
			return events, data, err
		}
		events++
		data += len(e.Data) + len(e.Type)
	}
}

func decodeOpenAI(r io.Reader) (events, data int, err error) {
	d := ssestream.NewDecoder(&http.Response{Body: io.NopCloser(r)})
	for d.Next() {
		e := d.Event()
		events++
		data += len(bytes.TrimSuffix(e.Data, []byte("\n"))) + len(e.Type)
	}
	return events, data, d.Err()
}

// BenchmarkDecode runs our decoder and openai-go's ssestream over the same
// bytes, so that their throughputs (MB/s) compare within one run:
//
//	go test ./stream -run '^$' -bench Decode -count 6 | benchstat -col /dec -
func BenchmarkDecode(b *testing.B) {
	streams := streamsForBench()
	decoders := []struct {
		name   string
		decode func(io.Reader) (int, int, error)
	}{
		{"openai", decodeOpenAI},
		{"midstream", decodeMidstream},
	}
	for _, name := range []string{"lf64M", "crlf64M", "mixed64M", "big2M", "big2M-plain"} {
		s := streams[strings.TrimSuffix(name, "-plain")]
		// "-plain" hides bytes.Reader's Len method, as a network body
		// would: the decoder then cannot size its buffer for a long line
		// from the input left.
		plain := strings.HasSuffix(name, "-plain")
		for _, dec := range decoders {
			b.Run("stream="+name+"/dec="+dec.name, func(b *testing.B) {
				b.SetBytes(int64(len(s.data)))
				b.ReportAllocs()
				br := bytes.NewReader(s.data)
				var r io.Reader = br
				if plain {
					r = struct{ io.Reader }{br}
				}
				for b.Loop() {
					br.Reset(s.data)
					n, _, err := dec.decode(r)
					if err != nil {
						b.Fatal(err)
					}
					if n != s.events {
						b.Fatalf("%s decoded %d events, want %d", dec.name, n, s.events)
					}
				}
				b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
					br.Reset(s.data)
					_, _, _ = dec.decode(r)
				}))/float64(s.events), "allocs/event")
			})
		}
	}
}
