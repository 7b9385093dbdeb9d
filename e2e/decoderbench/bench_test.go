package decoderbench

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/midstreamhq/midstream/internal/ssegen"
	"github.com/midstreamhq/midstream/stream"
)

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
	ssegen.BenchDecoders(b,
		ssegen.Decoder{Name: "openai", Decode: decodeOpenAI},
		ssegen.Decoder{Name: "midstream", Decode: decodeMidstream})
}
