package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/deadpeer"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// fakeCollector is an OTLP/HTTP receiver on loopback: it keeps the
// decoded trace requests and the headers they came with.
type fakeCollector struct {
	*httptest.Server
	mu      sync.Mutex
	traces  []*coltrace.ExportTraceServiceRequest
	headers []http.Header
	paths   []string
}

func newFakeCollector(t *testing.T) *fakeCollector {
	c := &fakeCollector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.paths = append(c.paths, r.URL.Path)
		if r.URL.Path == "/v1/traces" {
			var req coltrace.ExportTraceServiceRequest
			if err := proto.Unmarshal(b, &req); err != nil {
				t.Errorf("collector: %v", err)
			}
			c.traces = append(c.traces, &req)
			c.headers = append(c.headers, r.Header.Clone())
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(c.Close)
	return c
}

// TestOTLPHTTPAndStandardVariables: with no --otlp URL the SDK's exporter
// reads OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS itself,
// and OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES name the resource; with
// a URL (Config.Endpoint) the spans go to its /v1/traces.
func TestOTLPHTTPAndStandardVariables(t *testing.T) {
	cases := []struct {
		name    string
		fromEnv bool
	}{{"endpoint from OTEL_EXPORTER_OTLP_ENDPOINT", true}, {"endpoint from --otlp URL", false}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col := newFakeCollector(t)
			t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-team-token=abc123")
			t.Setenv("OTEL_SERVICE_NAME", "checkout")
			t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging")
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
			cfg := Config{Version: "test"}
			if c.fromEnv {
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", col.URL)
			} else {
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1") // the flag wins
				cfg.Endpoint = col.URL
			}
			e, err := New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			e.Record(verdict(exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200)), "")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st := e.Shutdown(ctx)
			if st.Spans != 1 || st.Exported != 1 || st.Dropped != 0 {
				t.Fatalf("stats %+v, want 1 span exported; last error %q", st, st.LastError)
			}
			col.mu.Lock()
			defer col.mu.Unlock()
			if len(col.traces) != 1 {
				t.Fatalf("collector got %d trace requests (paths %v)", len(col.traces), col.paths)
			}
			if got := col.headers[0].Get("X-Team-Token"); got != "abc123" {
				t.Errorf("header from OTEL_EXPORTER_OTLP_HEADERS: %q", got)
			}
			rs := col.traces[0].ResourceSpans[0]
			res := map[string]string{}
			for _, kv := range rs.Resource.Attributes {
				res[kv.Key] = kv.Value.GetStringValue()
			}
			if res["service.name"] != "checkout" || res["deployment.environment.name"] != "staging" || res["service.version"] != "test" {
				t.Errorf("resource %v", res)
			}
			span := rs.ScopeSpans[0].Spans[0]
			if span.Name != "chat claude-sonnet-4-5" {
				t.Errorf("span %q", span.Name)
			}
			if !strings.Contains(strings.Join(col.paths, " "), "/v1/metrics") {
				t.Errorf("no metrics export at shutdown: paths %v", col.paths)
			}
			if sum := e.Summary(st); !strings.Contains(sum, "1 span exported") {
				t.Errorf("summary %q", sum)
			}
		})
	}
}

// TestDeadCollector: a collector that refuses connections or accepts and
// never answers costs the caller nothing: Record returns at once, spans are
// dropped and counted, and Shutdown gives up at its deadline.
func TestDeadCollector(t *testing.T) {
	cases := []struct {
		name     string
		endpoint func(testing.TB) string
	}{{"closed port", deadpeer.ClosedPort}, {"black hole", deadpeer.BlackHole}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(context.Background(), Config{Endpoint: c.endpoint(t), QueueSize: 8})
			if err != nil {
				t.Fatal(err)
			}
			v := verdict(exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200))
			const n = 50
			start := time.Now()
			for range n {
				e.Record(v, "")
			}
			// Recording builds a span from a verdict: well under a
			// millisecond each. A Record that waited for the queue would
			// wait for an export, 5s (the exporter's timeout) at least; the
			// bound is loose for a loaded shared machine, tight for that.
			if took := time.Since(start); took > 4*time.Second {
				t.Errorf("%d Records took %v with a dead collector", n, took)
			}
			if d := e.Dropped(); d < n-8-1 {
				t.Errorf("dropped %d of %d while running, want at least %d (queue of 8)", d, n, n-9)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start = time.Now()
			st := e.Shutdown(ctx)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("shutdown took %v, want the 1s deadline", took)
			}
			if st.Spans != n || st.Dropped != n || st.Exported != 0 {
				t.Errorf("stats %+v, want all %d dropped", st, n)
			}
			sum := e.Summary(st)
			if !strings.Contains(sum, "otlp: 50 of 50 spans dropped (collector at http://127.0.0.1:") {
				t.Errorf("summary %q", sum)
			}
		})
	}
}
