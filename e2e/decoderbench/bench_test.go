package decoderbench

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/midstreamhq/midstream/internal/ssegen"
	"github.com/midstreamhq/midstream/stream"
)

// benchStream is one generated input and the events it holds.
type benchStream struct {
	data   []byte
	events int
}

// streamsForBench generates the benchmark inputs once per test binary:
// the same streams as package stream's BenchmarkDecode.
var streamsForBench = sync.OnceValue(func() map[string]benchStream {
	streams := map[string]benchStream{}
	for name, opt := range map[string]ssegen.DecoderOptions{
		"lf64M":    {Size: 64 << 20, EOL: "\n", Seed: 1},
		"crlf64M":  {Size: 64 << 20, EOL: "\r\n", Seed: 2},
		"mixed64M": {Size: 64 << 20, EOL: "\n", Mixed: true, Seed: 4},
		"big2M":    {Size: 64 << 10, EOL: "\n", BigLine: 2 << 20, Seed: 3},
	} {
		data, n := ssegen.DecoderStream(opt)
		streams[name] = benchStream{data, n}
	}
	return streams
})

// decodeMidstream and decodeOpenAI consume a whole stream the way a
// caller does and return the number of events and data bytes seen.
func decodeMidstream(r io.Reader) (events, data int, err error) {
	d := stream.NewDecoder(r)
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

// TestDecodersAgree guards the benchmark: on a small generated stream of
// each shape, both decoders dispatch the generator's event count and the
// same number of data bytes.
func TestDecodersAgree(t *testing.T) {
	for _, opt := range []ssegen.DecoderOptions{
		{Size: 256 << 10, EOL: "\n", Seed: 1},
		{Size: 256 << 10, EOL: "\r\n", Seed: 2},
		{Size: 256 << 10, EOL: "\n", Mixed: true, Seed: 4},
		{Size: 16 << 10, EOL: "\n", BigLine: 100 << 10, Seed: 3},
	} {
		in, n := ssegen.DecoderStream(opt)
		me, md, err := decodeMidstream(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		oe, od, err := decodeOpenAI(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if me != n || oe != n || md != od {
			t.Errorf("%+v: midstream %d events %d bytes, openai %d events %d bytes, generator %d events",
				opt, me, md, oe, od, n)
		}
	}
}

// BenchmarkDecode runs our decoder and openai-go's ssestream over the same
// bytes, so that their throughputs (MB/s) compare within one run:
//
//	cd e2e && go test ./decoderbench -run '^$' -bench Decode -count 6 | benchstat -col /dec -
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
