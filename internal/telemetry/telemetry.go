// Package telemetry exports midstream's verdicts as OpenTelemetry: one span
// per exchange following the GenAI semantic conventions (semconv 1.41.0,
// https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/), with
// midstream's own midstream.* attributes and a span event per finding, and
// the GenAI client metrics plus a midstream.exchanges counter.
//
// Export never stands in the data path's way: spans wait in a bounded
// queue and are sent by the SDK's batch processor in the background; when
// the collector is slow or down they are dropped, and counted (Dropped).
// Spans are built from the verdict's compact data and one bounded pass over
// the body; no exchange or body is kept once Record returns.
package telemetry

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"
)

// Config says where and how to export.
type Config struct {
	// Endpoint is the collector's base URL (--otlp URL), e.g.
	// http://127.0.0.1:4318; "" leaves it to the standard variables
	// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
	// …_METRICS_ENDPOINT), read by the SDK's exporters, whose default is
	// localhost (4318 for http/protobuf, 4317 for grpc).
	Endpoint string
	// Protocol is "http/protobuf" or "grpc"; "" reads
	// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL,
	// else http/protobuf.
	Protocol string
	// Content exports prompts and completions (redacted, bounded) as
	// gen_ai.input.messages / gen_ai.output.messages (--otlp-content).
	Content bool
	// Version is midstream's version (service.version).
	Version string
	// QueueSize bounds the spans waiting for export (0: 2048).
	QueueSize int
	// SpanExporter and MetricReader replace the OTLP exporters (tests).
	SpanExporter sdktrace.SpanExporter
	MetricReader sdkmetric.Reader
}

// Exporter turns verdicts into spans and metrics. A nil *Exporter is valid
// and does nothing: commands without --otlp hold one.
type Exporter struct {
	cfg      Config
	endpoint string // where spans go, redacted, for messages
	tp       *sdktrace.TracerProvider
	mp       *sdkmetric.MeterProvider
	tracer   trace.Tracer
	inst     instruments
	c        *counts
}

// defaultQueue is the span queue's bound: the batch processor's default.
const defaultQueue = 2048

// New starts an exporter. Nothing is sent yet: the first export happens
// in the background once a span ends.
func New(ctx context.Context, cfg Config) (*Exporter, error) {
	proto, err := protocol(cfg.Protocol)
	if err != nil {
		return nil, err
	}
	cfg.Protocol = proto
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--otlp %q is not an http:// or https:// URL", stream.RedactURL(cfg.Endpoint))
		}
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = defaultQueue
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("midstream"), semconv.ServiceVersion(cfg.Version)),
		// Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
		// override the defaults above.
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && res == nil {
		return nil, fmt.Errorf("otlp: resource: %w", err)
	}
	se, mr, err := exporters(ctx, cfg)
	if err != nil {
		return nil, err
	}
	e := &Exporter{cfg: cfg, endpoint: endpointName(cfg), c: &counts{}}
	// The SDK reports export failures to a global handler that logs them
	// to stderr, over the inspector's screen and unredacted: keep the last
	// one for the exit line instead (it goes through clean there).
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { e.c.lastErr.Store(err.Error()) }))
	bsp := sdktrace.NewBatchSpanProcessor(&countingExporter{next: se, c: e.c},
		sdktrace.WithMaxQueueSize(cfg.QueueSize),
		sdktrace.WithMaxExportBatchSize(min(512, cfg.QueueSize)),
		sdktrace.WithBatchTimeout(time.Second),
		sdktrace.WithExportTimeout(10*time.Second))
	e.tp = sdktrace.NewTracerProvider(sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(&gate{next: bsp, limit: int64(cfg.QueueSize), c: e.c}))
	e.mp = sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(mr))
	e.tracer = e.tp.Tracer("github.com/midstreamhq/midstream", trace.WithInstrumentationVersion(cfg.Version),
		trace.WithSchemaURL(semconv.SchemaURL))
	if e.inst, err = newInstruments(e.mp.Meter("github.com/midstreamhq/midstream",
		metric.WithInstrumentationVersion(cfg.Version), metric.WithSchemaURL(semconv.SchemaURL))); err != nil {
		return nil, err
	}
	return e, nil
}

// protocol resolves the OTLP protocol from the flag and the standard
// variables. The Go exporters do not read OTEL_EXPORTER_OTLP_PROTOCOL
// themselves: choosing the exporter package is the program's job.
func protocol(p string) (string, error) {
	if p == "" {
		p = os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	}
	if p == "" {
		p = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch p {
	case "", "http/protobuf":
		return "http/protobuf", nil
	case "grpc":
		return "grpc", nil
	}
	return "", fmt.Errorf("otlp: protocol %q is not supported (http/protobuf or grpc)", stream.SafeLine(p))
}

// endpointName names where spans go, for messages: the flag's URL, else
// the variables', else the SDK's default; credentials redacted.
func endpointName(cfg Config) string {
	if cfg.SpanExporter != nil {
		return "(in-process exporter)"
	}
	ep := cfg.Endpoint
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if ep == "" {
			ep = os.Getenv(k)
		}
	}
	if ep == "" {
		ep = "http://localhost:4318"
		if cfg.Protocol == "grpc" {
			ep = "localhost:4317"
		}
	}
	return stream.SafeLine(stream.RedactURL(ep))
}

// Endpoint names the collector spans go to and the protocol, redacted,
// for messages: "http://127.0.0.1:4318 (http/protobuf)".
func (e *Exporter) Endpoint() string {
	if e == nil {
		return ""
	}
	return e.endpoint + " (" + e.cfg.Protocol + ")"
}

// Record exports v's exchange as one span and its metrics. It builds
// everything before returning (one bounded pass over the body) and hands
// the span to the queue without waiting: call it once the exchange is
// over, never from inside the data path. capture is the capture file's
// path, "" if none.
func (e *Exporter) Record(v *inspect.Verdict, capture string) {
	e.RecordAt(v, capture, time.Time{})
}

// RecordAt is Record for an exchange replayed now (serve): the span starts
// at start instead of the time the capture was recorded; zero start means
// the exchange's own.
func (e *Exporter) RecordAt(v *inspect.Verdict, capture string, start time.Time) {
	if e == nil || v == nil {
		return
	}
	m := scanMeta(v, e.cfg.Content)
	start, end := times(v, start)
	attrs := spanAttrs(v, &m, capture)
	if e.cfg.Content {
		attrs = append(attrs, contentAttrs(v, &m)...)
	}
	_, span := e.tracer.Start(context.Background(), spanName(clean(requestModel(v), 256)),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	for i := range v.Findings {
		f := &v.Findings[i]
		span.AddEvent(clean(f.Code, 128), trace.WithAttributes(findingAttrs(f)...), trace.WithTimestamp(findingTime(v, f, start)))
	}
	if failed(v) {
		span.SetStatus(codes.Error, errorType(v))
	}
	span.End(trace.WithTimestamp(end))
	e.inst.record(v, &m)
}

// findingTime is when a finding's first event arrived, else the start.
func findingTime(v *inspect.Verdict, f *inspect.Finding, start time.Time) time.Time {
	if len(f.Events) == 0 || v.Exchange == nil || !v.Exchange.Timed {
		return start
	}
	return start.Add(v.Events.Meta(f.Events[0]).At)
}

// Dropped is the number of spans lost so far: refused by the full queue
// or lost in a failed export. The inspector's status line shows it.
func (e *Exporter) Dropped() int64 {
	if e == nil {
		return 0
	}
	return e.c.dropped.Load()
}

// Stats is what export did, for the line printed on exit.
type Stats struct {
	Spans, Exported, Dropped int64
	LastError                string
}

// Shutdown sends what is queued, waiting at most until ctx ends, and
// stops the exporter; spans still unsent then count as dropped.
func (e *Exporter) Shutdown(ctx context.Context) Stats {
	if e == nil {
		return Stats{}
	}
	terr := e.tp.Shutdown(ctx)
	merr := e.mp.Shutdown(ctx)
	s := Stats{Spans: e.c.ended.Load(), Exported: e.c.exported.Load()}
	s.Dropped = s.Spans - s.Exported
	s.LastError = e.c.lastError()
	// One reason: traces and metrics usually fail alike (a dead collector
	// is the same deadline twice), and the exit line is one line.
	if err := cmp.Or(terr, merr); err != nil && s.LastError == "" {
		s.LastError = err.Error()
	}
	return s
}

// Summary is the line printed on exit, e.g. "otlp: 3 of 10 spans dropped
// (collector at http://…:4318 unreachable: …)"; "" when nothing was
// recorded.
func (e *Exporter) Summary(s Stats) string {
	switch {
	case e == nil || s.Spans == 0:
		return ""
	case s.Dropped == 0:
		return fmt.Sprintf("otlp: %d span%s exported to %s", s.Exported, plural(s.Exported), e.endpoint)
	}
	why := "unreachable or too slow"
	if s.LastError != "" {
		why += ": " + clean(s.LastError, 300)
	}
	return fmt.Sprintf("otlp: %d of %d span%s dropped (collector at %s %s)", s.Dropped, s.Spans, plural(s.Spans), e.endpoint, why)
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// signalURL is the collector base URL with a signal's path appended, the
// way the SDK treats OTEL_EXPORTER_OTLP_ENDPOINT (…/v1/traces).
func signalURL(base, signal string) string {
	return strings.TrimSuffix(base, "/") + "/v1/" + signal
}
