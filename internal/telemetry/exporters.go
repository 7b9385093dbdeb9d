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
		if cfg.Protocol == "grpc" {
			se, err = grpcTraces(ctx, cfg)
		} else {
			se, err = httpTraces(ctx, cfg)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("otlp: %w", err)
		}
	}
	if mr == nil {
		var me sdkmetric.Exporter
		if cfg.Protocol == "grpc" {
			me, err = grpcMetrics(ctx, cfg)
		} else {
			me, err = httpMetrics(ctx, cfg)
		}
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

func httpTraces(ctx context.Context, cfg Config) (sdktrace.SpanExporter, error) {
	opts := []otlptracehttp.Option{otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
		Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryBudget})}
	if cfg.Endpoint != "" {
		opts = append(opts, otlptracehttp.WithEndpointURL(signalURL(cfg.Endpoint, "traces")))
	}
	if !timeoutSet("TRACES") {
		opts = append(opts, otlptracehttp.WithTimeout(exportTimeout))
	}
	return otlptracehttp.New(ctx, opts...)
}

func grpcTraces(ctx context.Context, cfg Config) (sdktrace.SpanExporter, error) {
	opts := []otlptracegrpc.Option{otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{
		Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryBudget})}
	if cfg.Endpoint != "" {
		opts = append(opts, otlptracegrpc.WithEndpointURL(cfg.Endpoint))
	}
	if !timeoutSet("TRACES") {
		opts = append(opts, otlptracegrpc.WithTimeout(exportTimeout))
	}
	return otlptracegrpc.New(ctx, opts...)
}

func httpMetrics(ctx context.Context, cfg Config) (sdkmetric.Exporter, error) {
	opts := []otlpmetrichttp.Option{otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{
		Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryBudget})}
	if cfg.Endpoint != "" {
		opts = append(opts, otlpmetrichttp.WithEndpointURL(signalURL(cfg.Endpoint, "metrics")))
	}
	if !timeoutSet("METRICS") {
		opts = append(opts, otlpmetrichttp.WithTimeout(exportTimeout))
	}
	return otlpmetrichttp.New(ctx, opts...)
}

func grpcMetrics(ctx context.Context, cfg Config) (sdkmetric.Exporter, error) {
	opts := []otlpmetricgrpc.Option{otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{
		Enabled: true, InitialInterval: 500 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: retryBudget})}
	if cfg.Endpoint != "" {
		opts = append(opts, otlpmetricgrpc.WithEndpointURL(cfg.Endpoint))
	}
	if !timeoutSet("METRICS") {
		opts = append(opts, otlpmetricgrpc.WithTimeout(exportTimeout))
	}
	return otlpmetricgrpc.New(ctx, opts...)
}
