package telemetry

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// t0 is the fixed wall clock the test exchanges started at.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// exchange wraps the SSE body of testdata/name in a timed exchange: one
// chunk per event, 100ms apart, after a 300ms first byte.
func exchange(t testing.TB, name, url string, status int) *stream.Exchange {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return exchangeOf(name, string(b), url, status)
}

// exchangeOf is exchange for a body given as text.
func exchangeOf(name, body, url string, status int) *stream.Exchange {
	x := &stream.Exchange{Source: name, Format: stream.FormatJSONL, Started: t0, Timed: true,
		Request: &stream.Request{Method: "POST", URL: url, Header: http.Header{
			"Content-Type": {"application/json"}, "User-Agent": {"Anthropic/Python 0.86.0"}},
			Body: []byte(`{"model":"claude-sonnet-4-5","stream":true,"messages":[{"role":"user","content":"Hello"}]}`)},
		Response: &stream.Response{Status: status, Header: http.Header{
			"Content-Type": {"text/event-stream"}, "Request-Id": {"req_011CSHoEeqs5C35K2UUqR7Fy"}}},
		End: stream.End{Reason: stream.EndEOF}}
	at := 300 * time.Millisecond
	for _, ev := range strings.SplitAfter(body, "\n\n") {
		if ev == "" {
			continue
		}
		x.Chunks = append(x.Chunks, stream.Chunk{At: at, Data: []byte(ev)})
		at += 100 * time.Millisecond
	}
	return x
}

// verdict diagnoses x as the proxy does.
func verdict(x *stream.Exchange) *inspect.Verdict {
	return inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow})
}

// testExporter is an Exporter writing to memory.
func testExporter(t testing.TB, content bool) (*Exporter, *tracetest.InMemoryExporter, *sdkmetric.ManualReader) {
	t.Helper()
	mem := tracetest.NewInMemoryExporter()
	mr := sdkmetric.NewManualReader()
	e, err := New(context.Background(), Config{Version: "test", Content: content, SpanExporter: mem, MetricReader: mr})
	if err != nil {
		t.Fatal(err)
	}
	return e, mem, mr
}

// flush waits until the queued spans are exported.
func flush(t testing.TB, e *Exporter) {
	t.Helper()
	if err := e.tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// attrs is a span's attributes by key, as strings.
func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	return kvs(s.Attributes())
}

func kvs(a []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range a {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}
