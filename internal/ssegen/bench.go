package ssegen

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
)

// BenchStream is one generated decoder benchmark input and its events.
type BenchStream struct {
	Data   []byte
	Events int
}

// BenchStreams returns the decoder benchmark's inputs, generated once per
// test binary: lf64M, crlf64M, mixed64M and big2M (one 2 MiB data line).
var BenchStreams = sync.OnceValue(func() map[string]BenchStream {
	streams := map[string]BenchStream{}
	for name, opt := range map[string]DecoderOptions{
		"lf64M":    {Size: 64 << 20, EOL: "\n", Seed: 1},
		"crlf64M":  {Size: 64 << 20, EOL: "\r\n", Seed: 2},
		"mixed64M": {Size: 64 << 20, EOL: "\n", Mixed: true, Seed: 4},
		"big2M":    {Size: 64 << 10, EOL: "\n", BigLine: 2 << 20, Seed: 3},
	} {
		data, n := DecoderStream(opt)
		streams[name] = BenchStream{data, n}
	}
	return streams
})

// Decoder is a named function that consumes a whole stream the way a
// caller does and returns the events and data bytes it saw.
type Decoder struct {
	Name   string
	Decode func(io.Reader) (events, data int, err error)
}

// BenchDecoders runs every decoder over every benchmark stream (and over
// big2M through a reader without Len, as a network body is), reporting
// MB/s and allocations per event, so that decoders compare within one
// run: go test -bench Decode -count 6 | benchstat -col /dec -
func BenchDecoders(b *testing.B, decoders ...Decoder) {
	streams := BenchStreams()
	for _, name := range []string{"lf64M", "crlf64M", "mixed64M", "big2M", "big2M-plain"} {
		s := streams[strings.TrimSuffix(name, "-plain")]
		// "-plain" hides bytes.Reader's Len method, as a network body
		// would: the decoder then cannot size its buffer for a long line
		// from the input left.
		plain := strings.HasSuffix(name, "-plain")
		for _, dec := range decoders {
			b.Run("stream="+name+"/dec="+dec.Name, func(b *testing.B) {
				b.SetBytes(int64(len(s.Data)))
				b.ReportAllocs()
				br := bytes.NewReader(s.Data)
				var r io.Reader = br
				if plain {
					r = struct{ io.Reader }{br}
				}
				for b.Loop() {
					br.Reset(s.Data)
					n, _, err := dec.Decode(r)
					if err != nil {
						b.Fatal(err)
					}
					if n != s.Events {
						b.Fatalf("%s decoded %d events, want %d", dec.Name, n, s.Events)
					}
				}
				b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
					br.Reset(s.Data)
					_, _, _ = dec.Decode(r)
				}))/float64(s.Events), "allocs/event")
			})
		}
	}
}
