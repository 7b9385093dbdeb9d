package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestSharedSamplesOnScreen opens every shared sample capture (when the
// ../../shared/samples folder is present) at 80×24 and checks the screen
// a user gets: both statuses, the mismatch where the sample's stream
// carries an error (or is cut off) under HTTP 200, and every line within
// the width.
func TestSharedSamplesOnScreen(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "samples")
	files, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	var captures []string
	for _, f := range files {
		if ext := filepath.Ext(f); ext == ".sse" || ext == ".http" {
			captures = append(captures, f)
		}
	}
	if len(captures) == 0 {
		t.Skipf("no shared samples in %s (they live outside the repository)", dir)
	}
	mismatch := map[string]bool{
		"anthropic-api-error-midstream.sse":    true,
		"anthropic-overloaded-first-event.sse": true,
		"anthropic-overloaded-midstream.sse":   true,
		"openai-chat-error-first-chunk.sse":    true,
		"openai-responses-error-event.sse":     true,
		"openrouter-midstream-error.sse":       true,
		// Cut off under HTTP 200: the status says success, the stream
		// did not finish.
		"anthropic-truncated-mid-tool-json.sse":   true,
		"anthropic-truncated-no-message-stop.sse": true,
	}
	for _, f := range captures {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			xs, err := stream.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := newTestModel(t, xs, Options{Title: name, Instant: true}, 80, 24)
			s := screen(m)
			if !strings.Contains(s, "HTTP ") || !strings.Contains(s, "stream →") {
				t.Errorf("statuses missing:\n%s", s)
			}
			if got := strings.Contains(s, "✗ MISMATCH"); got != mismatch[name] {
				t.Errorf("MISMATCH shown=%v, want %v:\n%s", got, mismatch[name], s)
			}
			for i, l := range strings.Split(m.View(), "\n") {
				if w := width(l); w > 80 {
					t.Errorf("line %d is %d cells", i, w)
				}
			}
		})
	}
}
