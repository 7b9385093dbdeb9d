package telemetry

import (
	"context"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// counts are the span counts behind the dropped figure. They are atomics:
// the data path (OnEnd) and the export goroutine touch them concurrently.
type counts struct {
	ended    atomic.Int64 // spans handed to the processor
	queued   atomic.Int64 // forwarded to the batch processor, not yet exported or failed
	exported atomic.Int64 // acknowledged by the collector
	dropped  atomic.Int64 // lost: queue full or export failed
	lastErr  atomic.Value // string: the last export error, "" if none
}

// gate is a SpanProcessor in front of the SDK's BatchSpanProcessor. The
// batch processor drops spans silently when its queue is full and does not
// expose a count; the gate refuses a span itself (and counts it) once as
// many spans are pending as the batch processor's queue holds, so the batch
// processor never drops on its own and every loss is counted. OnEnd never
// blocks: it is called from the proxy's request goroutine.
type gate struct {
	next  sdktrace.SpanProcessor
	limit int64
	c     *counts
}

// OnStart passes the span on: the gate acts only when spans end.
func (g *gate) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) { g.next.OnStart(parent, s) }

// OnEnd forwards s to the batch processor, or refuses and counts it when
// as many spans are pending as its queue holds. It never blocks.
func (g *gate) OnEnd(s sdktrace.ReadOnlySpan) {
	g.c.ended.Add(1)
	if g.c.queued.Add(1) > g.limit {
		g.c.queued.Add(-1)
		g.c.dropped.Add(1)
		return
	}
	g.next.OnEnd(s)
}

// Shutdown stops the batch processor, sending what it holds until ctx ends.
func (g *gate) Shutdown(ctx context.Context) error { return g.next.Shutdown(ctx) }

// ForceFlush exports what the batch processor holds.
func (g *gate) ForceFlush(ctx context.Context) error { return g.next.ForceFlush(ctx) }

// countingExporter counts what the collector acknowledged and what was
// lost in a failed export (after the exporter's own retries).
type countingExporter struct {
	next sdktrace.SpanExporter
	c    *counts
}

// ExportSpans exports spans and counts them exported, or dropped (with the
// error kept for the exit line) when the export failed.
func (e *countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.next.ExportSpans(ctx, spans)
	n := int64(len(spans))
	e.c.queued.Add(-n)
	if err != nil {
		e.c.dropped.Add(n)
		e.c.lastErr.Store(err.Error())
		return err
	}
	e.c.exported.Add(n)
	return nil
}

// Shutdown stops the exporter.
func (e *countingExporter) Shutdown(ctx context.Context) error { return e.next.Shutdown(ctx) }

// lastError is the last export error, "" if none.
func (c *counts) lastError() string {
	s, _ := c.lastErr.Load().(string)
	return s
}
