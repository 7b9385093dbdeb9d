package inspect_test

import (
	"sync"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/ssegen"
	"github.com/midstreamhq/midstream/stream"
)

// bench64 is the 64 MiB Anthropic stream of the e2e/sdkbench benchmarks,
// generated deterministically (about a million events).
var bench64 = sync.OnceValue(func() []byte { return ssegen.Anthropic(64<<20, 1) })

// BenchmarkDiagnose reports Diagnose's throughput (MB/s) on the 64 MiB
// stream, with the full timeline (the inspector) and with ReportWindow
// (diagnose, the proxy log):
//
//	go test ./inspect -run '^$' -bench Diagnose -benchtime 5x
func BenchmarkDiagnose(b *testing.B) {
	body := bench64()
	for _, c := range []struct {
		name string
		opt  inspect.Options
	}{
		{"full", inspect.Options{}},
		{"window", inspect.Options{Window: inspect.ReportWindow}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				v := inspect.Diagnose(stream.FromBody("bench.sse", body), c.opt)
				if v.Outcome != inspect.OutcomeComplete || len(v.Findings) != 0 {
					b.Fatalf("outcome %s, %d findings", v.Outcome, len(v.Findings))
				}
			}
		})
	}
}
