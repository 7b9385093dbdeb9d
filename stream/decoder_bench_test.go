package stream

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/midstreamhq/midstream/internal/ssegen"
)

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
		for name, opt := range map[string]ssegen.DecoderOptions{
			"lf64M":    {Size: 64 << 20, EOL: "\n", Seed: 1},
			"crlf64M":  {Size: 64 << 20, EOL: "\r\n", Seed: 2},
			"mixed64M": {Size: 64 << 20, EOL: "\n", Mixed: true, Seed: 4},
			"big2M":    {Size: 64 << 10, EOL: "\n", BigLine: 2 << 20, Seed: 3},
		} {
			data, n := ssegen.DecoderStream(opt)
			benchStreams[name] = benchStream{data, n}
		}
	})
	return benchStreams
}

// decodeMidstream consumes a whole stream the way a caller does and
// returns the number of events and data bytes seen.
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

// BenchmarkDecode reports the decoder's throughput (MB/s) on the generated
// streams. The comparison with openai-go's ssestream over the same bytes
// is in the end-to-end module, which requires the SDK:
//
//	cd e2e && go test ./decoderbench -run '^$' -bench Decode -count 6 | benchstat -col /dec -
func BenchmarkDecode(b *testing.B) {
	streams := streamsForBench()
	decoders := []struct {
		name   string
		decode func(io.Reader) (int, int, error)
	}{
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
