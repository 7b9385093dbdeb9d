package inspect

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestFindingValuesBounded: an enum-like value the stream sends (stop
// reason, finish reason, block reason, error type) reaches a finding's
// title and detail bounded and redacted, however long or secret-bearing
// it is.
func TestFindingValuesBounded(t *testing.T) {
	huge := strings.Repeat("Z", 100<<10)
	key := "sk-ant-api03-" + strings.Repeat("a", 90) + "AA"
	gem := func(chunk string) *stream.Exchange {
		return withRequest(stream.FromBody("g.sse", []byte("data: "+chunk+"\n\n")),
			"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "")
	}
	cases := []struct {
		name string
		x    *stream.Exchange
		code string
	}{
		{"anthropic stop_reason", stream.FromBody("a.sse", []byte(ant(evMS, evMD(huge, 1), evMStop))), "A-W8-unknown-stop-reason"},
		{"anthropic stop_reason holding a key", stream.FromBody("a.sse", []byte(ant(evMS, evMD(key, 1), evMStop))), "A-W8-unknown-stop-reason"},
		{"gemini blockReason", gem(`{"promptFeedback":{"blockReason":"` + huge + `"}}`), "GM-prompt-blocked"},
		{"gemini finishReason", gem(`{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"` + huge + `"}]}`), "GM-finish-other"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := finding(Diagnose(c.x, Options{}), c.code)
			if f == nil {
				t.Fatalf("no %s finding", c.code)
			}
			for what, s := range map[string]string{"title": f.Title, "detail": f.Detail} {
				if len(s) > 2000 {
					t.Errorf("%s is %d bytes long", what, len(s))
				}
				if strings.Contains(s, key[:30]) {
					t.Errorf("%s holds the key: %q", what, s)
				}
			}
		})
	}
}
