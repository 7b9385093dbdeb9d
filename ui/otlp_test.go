package ui

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestStatusLineShowsDroppedSpans: with --otlp, spans a slow or dead
// collector lost are counted on the status line as soon as they are lost,
// and nothing is shown while none is; the footer still ends with help and
// quit at 80 columns.
func TestStatusLineShowsDroppedSpans(t *testing.T) {
	var dropped atomic.Int64
	cases := []struct {
		name    string
		dropped int64
		want    string
	}{
		{"none dropped", 0, ""},
		{"one dropped", 1, "otlp: 1 span dropped"},
		{"many dropped", 1234, "otlp: 1234 spans dropped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dropped.Store(c.dropped)
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true, OTLPDropped: dropped.Load}, 80, 24)
			f := footer(m)
			if c.want == "" && strings.Contains(f, "otlp") {
				t.Errorf("footer %q mentions otlp with nothing dropped", f)
			}
			if c.want != "" && !strings.Contains(f, c.want) {
				t.Errorf("footer %q lacks %q", f, c.want)
			}
			if !strings.HasSuffix(f, "? help · q quit") || width(f) > 80 {
				t.Errorf("footer %q lost help/quit or is too wide", f)
			}
		})
	}
}
