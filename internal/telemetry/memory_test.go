package telemetry

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// stuckExporter holds every export until released: spans stay queued, as
// they do in front of a slow collector.
type stuckExporter struct{ release chan struct{} }

func (s stuckExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return nil
}

func (s stuckExporter) Shutdown(context.Context) error { return nil }

// TestQueuedSpansKeepNoExchange: a span waiting for a slow collector holds
// only its own attributes, not the exchange, its verdict or its body; a
// queue of spans costs what the spans cost, whatever the bodies weighed.
func TestQueuedSpansKeepNoExchange(t *testing.T) {
	stuck := stuckExporter{release: make(chan struct{})}
	e, err := New(context.Background(), Config{Content: true, SpanExporter: stuck, MetricReader: sdkmetric.NewManualReader()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(stuck.release)
		e.Shutdown(context.Background())
	}()
	var freed atomic.Int32
	const n = 20
	for range n {
		x := exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200)
		runtime.SetFinalizer(x, func(any) { freed.Add(1) })
		e.Record(verdict(x), "c.jsonl")
	}
	for i := 0; i < 50 && freed.Load() < n; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := freed.Load(); got != n {
		t.Errorf("%d of %d exchanges freed while their spans wait in the queue", got, n)
	}
	if st := e.c.ended.Load() - e.c.exported.Load(); st != n {
		t.Fatalf("%d spans pending, want %d (the test must hold them queued)", st, n)
	}
}
