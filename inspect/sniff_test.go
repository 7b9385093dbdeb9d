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
	// Gemini sends a generated image inline in one chunk: a large first
	// event must still show its shape.
	image := "data: {\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" +
		strings.Repeat("iVBO", 1<<20) + "\"}}],\"role\":\"model\"},\"index\":0}]}\n\n"
	cases := []struct {
		name     string
		body     []byte
		want     Provider
		maxAlloc uint64 // bytes detection may allocate
	}{
		{"32 events of 1 MiB", hugeEvents.Bytes(), ProviderAnthropic, 8 << 20},
		// The decoder holds the line up to maxSniffBody, no further.
		{"one 40 MiB line", []byte(start + "data: {\"type\":\"ping\",\"pad\":\"" + strings.Repeat(pad, 40) + "\"}\n\n"), ProviderAnthropic, 2 * maxSniffBody},
		{"40 MiB of comments, no event", bytes.Repeat([]byte(": keepalive\n"), 40<<20/12), ProviderGeneric, 8 << 20},
		{"a 4 MiB first chunk (inline image)", []byte(image), ProviderGemini, 2 * maxSniffBody},
		{"a 4 MiB first array element", []byte("[" + strings.TrimSuffix(strings.TrimPrefix(image, "data: "), "\n\n") + "]"), ProviderGemini, 2 * maxSniffBody},
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
			// Unbounded, the first three cost 36, 125 and 53 MiB of
			// allocation (measured before the bound: the decoder's line
			// buffer plus a whole copy of each event).
			if n := after.TotalAlloc - before.TotalAlloc; n > c.maxAlloc {
				t.Errorf("detection allocated %d MiB for a %d MiB body, want at most %d MiB", n>>20, len(c.body)>>20, c.maxAlloc>>20)
			}
		})
	}
}
