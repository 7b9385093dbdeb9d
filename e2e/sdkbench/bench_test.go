package sdkbench

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	anthropic "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/ssegen"
	"github.com/midstreamhq/midstream/stream"
)

// Issue #3 item 9: `midstream diagnose --format json` on a 64 MiB
// Anthropic stream must run at least 5× faster than consuming the same
// bytes through the official Go SDK's typed stream with accumulation.
// Compare BenchmarkDiagnose64M with BenchmarkSDKAccumulate64M in one run:
//
//	cd e2e && go test ./sdkbench/ -run '^$' -bench 64M -benchtime 3x
//
// BenchmarkSDKTyped64M (typed decoding without accumulation) shows how
// much of the SDK's cost is the accumulator.

const benchSize = 64 << 20

var bench64 = sync.OnceValue(func() []byte { return ssegen.Anthropic(benchSize, 1) })

// BenchmarkDiagnose64M is what `midstream diagnose --format json` does per
// exchange: Diagnose, then marshal the verdict.
func BenchmarkDiagnose64M(b *testing.B) {
	body := bench64()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		v := inspect.Diagnose(stream.FromBody("bench.sse", body), inspect.Options{})
		out, err := json.Marshal(v)
		if err != nil || v.Outcome != inspect.OutcomeComplete || len(out) == 0 {
			b.Fatalf("outcome %s err %v findings %v", v.Outcome, err, findingCodes(v))
		}
	}
}

func sdkResponse(body []byte) *http.Response {
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"text/event-stream"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
	}
}

// sdkAccumulate consumes body the way an application using
// anthropic-sdk-go v2 does: the typed stream plus Message.Accumulate.
func sdkAccumulate(body []byte) (anthropic.Message, error) {
	st := ssestream.NewStream[anthropic.MessageStreamEventUnion](ssestream.NewDecoder(sdkResponse(body)), nil)
	var msg anthropic.Message
	for st.Next() {
		if err := msg.Accumulate(st.Current()); err != nil {
			return msg, err
		}
	}
	return msg, st.Err()
}

// BenchmarkSDKAccumulate64M consumes the stream the way an application
// using anthropic-sdk-go v2 does: the typed stream plus Message.Accumulate.
func BenchmarkSDKAccumulate64M(b *testing.B) {
	body := bench64()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := sdkAccumulate(body)
		if err != nil {
			b.Fatal(err)
		}
		if msg.StopReason != anthropic.StopReasonEndTurn {
			b.Fatalf("stop reason %q", msg.StopReason)
		}
	}
}

// BenchmarkSDKTyped64M is the SDK's typed stream alone, no accumulation.
func BenchmarkSDKTyped64M(b *testing.B) {
	body := bench64()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		st := ssestream.NewStream[anthropic.MessageStreamEventUnion](ssestream.NewDecoder(sdkResponse(body)), nil)
		n := 0
		for st.Next() {
			n++
		}
		if err := st.Err(); err != nil || n == 0 {
			b.Fatal(err, n)
		}
	}
}

// TestGeneratedStreamIsClean guards the benchmark: the generated stream is
// a well-formed Anthropic stream, so Diagnose does its full work on it and
// reports nothing (and the SDK's accumulator agrees with Assemble).
func TestGeneratedStreamIsClean(t *testing.T) {
	body := ssegen.Anthropic(1<<20, 7)
	v := inspect.Diagnose(stream.FromBody("gen.sse", body), inspect.Options{})
	if v.Outcome != inspect.OutcomeComplete || len(v.Findings) != 0 || v.Provider != inspect.ProviderAnthropic {
		t.Fatalf("outcome %s provider %s findings %v", v.Outcome, v.Provider, findingCodes(v))
	}
	msg, err := sdkAccumulate(body)
	if err != nil {
		t.Fatal(err)
	}
	m := inspect.Assemble(v, v.Events.Len())
	if len(m.Blocks) != len(msg.Content) || string(msg.StopReason) != m.StopReason || msg.Usage.OutputTokens != m.Usage.OutputTokens {
		t.Fatalf("Assemble: %d blocks %q %d; SDK: %d blocks %q %d", len(m.Blocks), m.StopReason, m.Usage.OutputTokens,
			len(msg.Content), msg.StopReason, msg.Usage.OutputTokens)
	}
	for i, c := range msg.Content {
		got := m.Blocks[i]
		switch c.Type {
		case "text":
			if got.Text != c.Text {
				t.Fatalf("block %d text differs from the SDK's", i)
			}
		case "thinking":
			if got.Text != c.Thinking || got.Signature != c.Signature {
				t.Fatalf("block %d thinking differs from the SDK's", i)
			}
		case "tool_use":
			if got.Input != string(c.Input) || got.Name != c.Name {
				t.Fatalf("block %d tool input %q, SDK %q", i, got.Input, c.Input)
			}
		}
	}
}

func findingCodes(v *inspect.Verdict) []string {
	var out []string
	for _, f := range v.Findings {
		out = append(out, f.Code)
	}
	return out
}

// BenchmarkRatio64M interleaves the two paths within each iteration and
// reports sdk/diagnose, the speed-up, so that load on a shared machine
// drifting between two separate benchmarks cannot skew the ratio:
//
//	cd e2e && go test ./sdkbench/ -run '^$' -bench Ratio64M -benchtime 3x
func BenchmarkRatio64M(b *testing.B) {
	body := bench64()
	var diag, sdk time.Duration
	for b.Loop() {
		t0 := time.Now()
		v := inspect.Diagnose(stream.FromBody("bench.sse", body), inspect.Options{})
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := sdkAccumulate(body); err != nil {
			b.Fatal(err)
		}
		sdk += time.Since(t1)
		diag += t1.Sub(t0)
	}
	b.ReportMetric(float64(sdk)/float64(diag), "x-faster")
	b.ReportMetric(float64(diag)/float64(time.Millisecond)/float64(b.N), "diagnose-ms/op")
	b.ReportMetric(float64(sdk)/float64(time.Millisecond)/float64(b.N), "sdk-ms/op")
}
