package telemetry

import (
	"context"
	"fmt"
	"math"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestMetrics: the GenAI client histograms and midstream.exchanges carry
// what an alert needs ("mid-stream failures per minute by provider").
func TestMetrics(t *testing.T) {
	e, _, mr := testExporter(t, false)
	url := "https://api.anthropic.com/v1/messages"
	e.Record(verdict(exchange(t, "anthropic_overloaded.sse", url, 200)), "")
	e.Record(verdict(exchange(t, "anthropic_complete.sse", url, 200)), "")
	e.Record(verdict(exchange(t, "anthropic_complete.sse", url, 200)), "")
	var rm metricdata.ResourceMetrics
	if err := mr.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			got[m.Name] = m.Data
		}
	}
	sum, ok := got["midstream.exchanges"].(metricdata.Sum[int64])
	if !ok || !sum.IsMonotonic {
		t.Fatalf("midstream.exchanges is %T, want a monotonic int64 sum", got["midstream.exchanges"])
	}
	counts := map[string]int64{}
	for _, dp := range sum.DataPoints {
		a := kvs(dp.Attributes.ToSlice())
		if a["gen_ai.provider.name"] != "anthropic" || a["gen_ai.request.model"] != "claude-sonnet-4-5" {
			t.Errorf("data point without provider/model: %v", a)
		}
		counts[a["mismatch"]+" "+a["outcome"]+" "+a["mapped_status"]] += dp.Value
	}
	want := map[string]int64{"true error_event 529": 1, "false complete none": 2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("exchanges{%s} = %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	for name, wantCount := range map[string]uint64{
		"gen_ai.client.operation.duration":              3,
		"gen_ai.client.operation.time_to_first_chunk":   3,
		"gen_ai.client.operation.time_per_output_chunk": 4 + 6 + 6, // chunks after the first
	} {
		h, ok := got[name].(metricdata.Histogram[float64])
		if !ok {
			t.Errorf("%s is %T, want a float64 histogram", name, got[name])
			continue
		}
		var n uint64
		var errType bool
		for _, dp := range h.DataPoints {
			n += dp.Count
			if v, ok := dp.Attributes.Value("error.type"); ok && v.AsString() == "overloaded_error" {
				errType = true
			}
		}
		if n != wantCount {
			t.Errorf("%s: %d recordings, want %d", name, n, wantCount)
		}
		if name == "gen_ai.client.operation.duration" && !errType {
			t.Errorf("%s: no data point with error.type overloaded_error", name)
		}
	}
	if h := got["gen_ai.client.operation.time_to_first_chunk"].(metricdata.Histogram[float64]); len(h.DataPoints) > 0 && math.Abs(h.DataPoints[0].Sum-0.9) > 1e-9 {
		t.Errorf("time to first chunk sums to %v s, want 3 × 0.3 s", h.DataPoints[0].Sum)
	}
}

// TestMetricSeriesBounded: the response model is whatever the upstream
// streamed, so a hostile or broken upstream can name a new model in every
// response. Each name is a metric series the SDK keeps until exit; the
// SDK's cardinality limit (2000 series per instrument, sdk/metric's
// default; all further series fold into one overflow series) is what
// bounds that memory, and nothing here may turn it off.
func TestMetricSeriesBounded(t *testing.T) {
	t.Setenv("OTEL_GO_X_CARDINALITY_LIMIT", "") // the default, whatever the shell says
	e, _, mr := testExporter(t, false)
	const n, limit = 2300, 2000
	for i := range n {
		body := fmt.Sprintf("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_%d\",\"model\":\"hostile-%d\"}}\n\n", i, i)
		e.Record(verdict(exchangeOf("hostile", body, "https://api.anthropic.com/v1/messages", 200)), "")
	}
	var rm metricdata.ResourceMetrics
	if err := mr.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var points int
			var total int64
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				points = len(d.DataPoints)
				for _, dp := range d.DataPoints {
					total += dp.Value
				}
			case metricdata.Histogram[float64]:
				points = len(d.DataPoints)
			}
			if points > limit {
				t.Errorf("%s: %d series from %d model names, want at most %d", m.Name, points, n, limit)
			}
			if m.Name == "midstream.exchanges" {
				seen++
				if points < limit || total != n {
					t.Errorf("midstream.exchanges: %d series counting %d exchanges, want %d series counting all %d", points, total, limit, n)
				}
			}
		}
	}
	if seen != 1 {
		t.Fatal("no midstream.exchanges metric")
	}
}
