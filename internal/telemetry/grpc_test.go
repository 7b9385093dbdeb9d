package telemetry

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	colmetric "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"

	"github.com/midstreamhq/midstream/internal/deadpeer"
)

// grpcCollector is an OTLP/gRPC receiver on loopback.
type grpcCollector struct {
	coltrace.UnimplementedTraceServiceServer
	mu      sync.Mutex
	spans   []string
	metrics int
}

func (c *grpcCollector) Export(_ context.Context, req *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				c.spans = append(c.spans, s.Name)
			}
		}
	}
	return &coltrace.ExportTraceServiceResponse{}, nil
}

// metricsServer adapts the metrics service, whose Export has another
// signature than the trace service's.
type metricsServer struct {
	colmetric.UnimplementedMetricsServiceServer
	c *grpcCollector
}

func (m metricsServer) Export(context.Context, *colmetric.ExportMetricsServiceRequest) (*colmetric.ExportMetricsServiceResponse, error) {
	m.c.mu.Lock()
	m.c.metrics++
	m.c.mu.Unlock()
	return &colmetric.ExportMetricsServiceResponse{}, nil
}

// TestOTLPgRPC: OTEL_EXPORTER_OTLP_PROTOCOL=grpc sends spans and metrics
// over OTLP/gRPC, to the --otlp URL's host and port.
func TestOTLPgRPC(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	col := &grpcCollector{}
	srv := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(srv, col)
	colmetric.RegisterMetricsServiceServer(srv, metricsServer{c: col})
	go srv.Serve(ln)
	defer srv.Stop()

	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	e, err := New(context.Background(), Config{Endpoint: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	e.Record(verdict(exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200)), "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := e.Shutdown(ctx)
	if st.Exported != 1 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.spans) != 1 || col.spans[0] != "chat claude-sonnet-4-5" || col.metrics == 0 {
		t.Errorf("collector got spans %q and %d metric exports", col.spans, col.metrics)
	}
}

// TestProtocol: the protocol comes from the traces variable, then the
// general one; http/json (which the Go exporters lack) is refused.
func TestProtocol(t *testing.T) {
	cases := []struct {
		name, traces, general, want string
		bad                         bool
	}{
		{"default", "", "", "http/protobuf", false},
		{"general grpc", "", "grpc", "grpc", false},
		{"traces variable wins", "http/protobuf", "grpc", "http/protobuf", false},
		{"http/json refused", "", "http/json", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", c.traces)
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", c.general)
			got, err := protocol("")
			if (err != nil) != c.bad || got != c.want {
				t.Errorf("protocol() = %q, %v; want %q (error: %v)", got, err, c.want, c.bad)
			}
		})
	}
}

// TestDeadGRPCCollectorSummary: when the trace and the metric export both
// fail with the same error at exit (a dead gRPC collector: both hit the
// deadline), the exit line says it once, not twice joined by a newline.
func TestDeadGRPCCollectorSummary(t *testing.T) {
	e, err := New(context.Background(), Config{Endpoint: deadpeer.ClosedPort(t), Protocol: "grpc"})
	if err != nil {
		t.Fatal(err)
	}
	e.Record(verdict(exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200)), "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sum := e.Summary(e.Shutdown(ctx))
	if !strings.Contains(sum, "otlp: 1 of 1 span dropped") || strings.Contains(sum, "␊") ||
		strings.Count(sum, "context deadline exceeded") > 1 {
		t.Errorf("summary %q, want one reason on one line", sum)
	}
}
