package telemetry

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/midstreamhq/midstream/internal/canary"
	"github.com/midstreamhq/midstream/stream"
)

// TestNoCanaryInSpans: keys of every shape, in the URL, the headers, the
// request body, an error message the API echoes and the streamed text,
// appear in no exported attribute, event or status, even with
// --otlp-content.
func TestNoCanaryInSpans(t *testing.T) {
	cases := []struct {
		name string
		x    func() *stream.Exchange
	}{
		{"error event echoing keys", func() *stream.Exchange {
			return exchangeOf("echo", canary.SSEError(), canary.URL("https://api.anthropic.com"), 200)
		}},
		{"keys in streamed text", func() *stream.Exchange {
			text, _ := json.Marshal(canary.Text())
			body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\"}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + string(text) + "}}\n\n"
			return exchangeOf("text", body, canary.URL("https://api.anthropic.com"), 200)
		}},
		{"keys in a stop reason", func() *stream.Exchange {
			// The finish reason is copied into gen_ai.output.messages as
			// well as gen_ai.response.finish_reasons: both must redact it.
			reason, _ := json.Marshal(canary.Text())
			body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\"}}\n\n" +
				"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n" +
				"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":" + string(reason) + "}}\n\n"
			return exchangeOf("stop", body, canary.URL("https://api.anthropic.com"), 200)
		}},
		{"transport error quoting keys", func() *stream.Exchange {
			x := exchangeOf("reset", canary.SSEError(), canary.URL("https://api.anthropic.com"), 200)
			x.End = stream.End{Reason: stream.EndReset, Err: "read tcp: connection reset; " + canary.Text()}
			return x
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, mem, _ := testExporter(t, true)
			x := c.x()
			x.Request.Header = canary.Header()
			x.Request.Body = canary.Body()
			x.Response.Header.Set("Request-Id", "req_1 "+canary.Shaped[0].Value)
			e.Record(verdict(x), "/captures/"+canary.Shaped[1].Value+".jsonl")
			flush(t, e)
			spans := mem.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans", len(spans))
			}
			s := spans[0].Snapshot()
			out := fmt.Sprintf("%s %v %v %v", s.Name(), s.Attributes(), s.Events(), s.Status())
			if leaks := canary.Leaks(out, append(append([]canary.Canary(nil), canary.All...), canary.Echoed...)); len(leaks) > 0 {
				t.Errorf("exported span shows %v:\n%s", leaks, out)
			}
			if stream.HasUnsafe(out) {
				t.Errorf("exported span holds control characters")
			}
		})
	}
}
