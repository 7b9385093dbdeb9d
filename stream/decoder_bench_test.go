package stream

import (
	"io"
	"testing"

	"github.com/midstreamhq/midstream/internal/ssegen"
)

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
	ssegen.BenchDecoders(b, ssegen.Decoder{Name: "midstream", Decode: decodeMidstream})
}
