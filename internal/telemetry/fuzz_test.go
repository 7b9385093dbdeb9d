package telemetry

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// FuzzRecord: any response body (untrusted: whatever the upstream sent)
// becomes a span without a panic, with bounded completion text and
// finish reasons, whether or not content export is on.
func FuzzRecord(f *testing.F) {
	for _, name := range []string{"anthropic_complete.sse", "anthropic_overloaded.sse", "openai_chat.sse"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "https://api.anthropic.com/v1/messages")
	}
	f.Add([]byte("data: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"), "https://api.openai.com/v1/responses")
	f.Add([]byte("data: {\"choices\":[{\"finish_reason\":\"stop\"},{\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":-1}}\n\n"), "http://[::1]:99999/x")
	// Spans go nowhere: an in-memory exporter would grow with every run.
	e, err := New(context.Background(), Config{Content: true, SpanExporter: tracetest.NewNoopExporter(), MetricReader: sdkmetric.NewManualReader()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		x := exchangeOf("fuzz", string(body), url, 200)
		v := inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow})
		m := scanMeta(v, true)
		if len(m.Text) > maxContent {
			t.Fatalf("completion text %d bytes, bound %d", len(m.Text), maxContent)
		}
		if len(m.FinishReasons) > maxFinish {
			t.Fatalf("%d finish reasons, bound %d", len(m.FinishReasons), maxFinish)
		}
		for _, kv := range append(spanAttrs(v, &m, "c"), contentAttrs(v, &m)...) {
			if s := kv.Value.Emit(); stream.HasUnsafe(s) {
				t.Fatalf("%s holds unsafe characters: %q", kv.Key, s)
			}
		}
		e.Record(v, "fuzz.jsonl")
	})
}
