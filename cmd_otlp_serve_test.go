package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/telemetry"
	"github.com/midstreamhq/midstream/stream"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// serve --otlp builds each answer's span on a goroutine; the wait
// servedSpans returns lets serve's exit record every span the answers
// started before the exporter shuts down, so none is lost uncounted.
func TestServedSpansWait(t *testing.T) {
	mem := tracetest.NewInMemoryExporter()
	e, err := telemetry.New(context.Background(), telemetry.Config{Version: "test", SpanExporter: mem, MetricReader: sdkmetric.NewManualReader()})
	if err != nil {
		t.Fatal(err)
	}
	x := &stream.Exchange{Source: "overloaded.sse", Format: stream.FormatSSE,
		Request:  &stream.Request{Method: "POST", URL: "http://127.0.0.1:8787/v1/messages"},
		Response: &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}},
		Chunks:   []stream.Chunk{{Data: []byte(overloadedSSE)}}, End: stream.End{Reason: stream.EndEOF}}
	hook, wait := servedSpans(e, []*stream.Exchange{x}, []string{"overloaded.sse"})
	const n = 20
	for range n {
		hook(x)
	}
	hook(&stream.Exchange{}) // not a capture of the plan: no span
	wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st := e.Shutdown(ctx); st.Spans != n || st.Exported != n {
		t.Fatalf("stats %+v, want all %d answers' spans exported", st, n)
	}
}
