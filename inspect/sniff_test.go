package inspect

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestSniffBounded: provider detection reads a bounded prefix of the body
// and copies a bounded prefix of each event, whatever the body holds, and
// still names the provider from the leading events.
func TestSniffBounded(t *testing.T) {
	const start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"usage\":{\"input_tokens\":1}}}\n\n"
	pad := strings.Repeat("x", 1<<20)
	var hugeEvents bytes.Buffer
	hugeEvents.WriteString(start)
	for range 40 { // 40 pings of 1 MiB each: past sniffEvents
		hugeEvents.WriteString("event: ping\ndata: {\"type\":\"ping\",\"pad\":\"" + pad + "\"}\n\n")
	}
	cases := []struct {
		name string
		body []byte
		want Provider
	}{
		{"32 events of 1 MiB", hugeEvents.Bytes(), ProviderAnthropic},
		{"one 40 MiB line", []byte(start + "data: {\"type\":\"ping\",\"pad\":\"" + strings.Repeat(pad, 40) + "\"}\n\n"), ProviderAnthropic},
		{"40 MiB of comments, no event", bytes.Repeat([]byte(": keepalive\n"), 40<<20/12), ProviderGeneric},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := stream.FromBody("t.sse", c.body)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got := DetectProvider(x)
			runtime.ReadMemStats(&after)
			if got != c.want {
				t.Errorf("DetectProvider = %q, want %q", got, c.want)
			}
			// Unbounded, these bodies cost 36, 125 and 53 MiB of
			// allocation (measured before the bound: the decoder's line
			// buffer plus a whole copy of each event).
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("detection allocated %d MiB for a %d MiB body, want at most 8 MiB", n>>20, len(c.body)>>20)
			}
		})
	}
}
