package telemetry

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// retryBudget bounds how long one batch is retried: the SDK's default
// (a minute) would let a dead collector hold a full queue that long.
const retryBudget = 5 * time.Second

// exportTimeout bounds one export request unless OTEL_EXPORTER_OTLP_TIMEOUT
// (or its per-signal form) says otherwise.
const exportTimeout = 5 * time.Second

// exporters builds the OTLP span exporter and metric reader for cfg. The
// exporters read the standard variables themselves (endpoints, headers,
// timeouts, certificates, compression); options given here win over them,
// so only what the user chose with a flag, and the retry budget, are set.
func exporters(ctx context.Context, cfg Config) (sdktrace.SpanExporter, sdkmetric.Reader, error) {
	se, mr := cfg.SpanExporter, cfg.MetricReader
	var err error
	if se == nil {
		if se, err = traceExporter(ctx, cfg); err != nil {
			return nil, nil, fmt.Errorf("otlp: %w", err)
		}
	}
	if mr == nil {
		me, err := metricExporter(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("otlp: %w", err)
		}
		// The interval comes from OTEL_METRIC_EXPORT_INTERVAL (default 60s);
		// Shutdown sends what is left.
		mr = sdkmetric.NewPeriodicReader(me)
	}
	return se, mr, nil
}

// timeoutSet reports whether the user set an OTLP timeout variable.
func timeoutSet(signal string) bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_TIMEOUT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_TIMEOUT") != ""
}

// retry is the retry policy of every exporter. Each exporter package
// declares its own RetryConfig over a struct of these four fields, so this
// one value converts to any of them.
var retry = struct {
	Enabled                                      bool
	InitialInterval, MaxInterval, MaxElapsedTime time.Duration
}{Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryBudget}

// build is the one constructor behind the four exporters (traces and
// metrics, over http/protobuf and grpc): their packages differ only in
// types, so each caller passes its package's option functions. url is ""
// to leave the endpoint to the standard variables; signal ("TRACES",
// "METRICS") names the timeout variable that wins over exportTimeout.
func build[O, X any](ctx context.Context, signal, url string, retry O, withURL func(string) O,
	withTimeout func(time.Duration) O, newX func(context.Context, ...O) (X, error)) (X, error) {
	opts := []O{retry}
	if url != "" {
		opts = append(opts, withURL(url))
	}
	if !timeoutSet(signal) {
		opts = append(opts, withTimeout(exportTimeout))
	}
	return newX(ctx, opts...)
}

// endpointURL is the --otlp URL as a signal's exporter takes it: the
// http exporters want the full path (…/v1/traces), grpc the bare URL.
func endpointURL(cfg Config, signal string) string {
	if cfg.Endpoint == "" || cfg.Protocol == "grpc" {
		return cfg.Endpoint
	}
	return signalURL(cfg.Endpoint, signal)
}

func traceExporter(ctx context.Context, cfg Config) (sdktrace.SpanExporter, error) {
	url := endpointURL(cfg, "traces")
	if cfg.Protocol == "grpc" {
		return build(ctx, "TRACES", url, otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig(retry)),
			otlptracegrpc.WithEndpointURL, otlptracegrpc.WithTimeout, otlptracegrpc.New)
	}
	return build(ctx, "TRACES", url, otlptracehttp.WithRetry(otlptracehttp.RetryConfig(retry)),
		otlptracehttp.WithEndpointURL, otlptracehttp.WithTimeout, otlptracehttp.New)
}

func metricExporter(ctx context.Context, cfg Config) (sdkmetric.Exporter, error) {
	url := endpointURL(cfg, "metrics")
	if cfg.Protocol == "grpc" {
		return build(ctx, "METRICS", url, otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig(retry)),
			otlpmetricgrpc.WithEndpointURL, otlpmetricgrpc.WithTimeout, otlpmetricgrpc.New)
	}
	return build(ctx, "METRICS", url, otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig(retry)),
		otlpmetrichttp.WithEndpointURL, otlpmetrichttp.WithTimeout, otlpmetrichttp.New)
}
