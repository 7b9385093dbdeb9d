package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestDialectCapturesOnScreen opens the dialect conformance captures
// (../testdata/dialects, sources in SOURCES.md there) at 100×30: the
// header names the provider and, where it differs, the dialect; the
// status line shows the status the Gemini error stands for; a streamed
// JSON array shows its elements as events.
func TestDialectCapturesOnScreen(t *testing.T) {
	tests := []struct {
		file  string
		wants []string
		not   []string
	}{
		{"gemini-sse-503-midstream.jsonl", []string{" · gemini · ", "stream → 503", "UNAVAILABLE", "✗ MISMATCH"}, []string{"message_stop"}},
		{"gemini-raw-json-tail.jsonl", []string{"stream → 503", "✗ MISMATCH"}, nil},
		{"gemini-json-array.jsonl", []string{" · gemini · ", "The sky is blue", "air scatters"}, []string{"MISMATCH"}},
		{"vertex-gemini-clean.jsonl", []string{" · gemini · "}, []string{"MISMATCH"}},
		{"openrouter-responses.jsonl", []string{"openrouter/openai-responses"}, []string{"MISMATCH"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			xs, err := stream.ReadFile(filepath.Join("..", "testdata", "dialects", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m, _ := newTestModel(t, xs, Options{Title: tt.file, Instant: true}, 100, 30)
			s := screen(m)
			for _, w := range tt.wants {
				if !strings.Contains(s, w) {
					t.Errorf("screen lacks %q:\n%s", w, s)
				}
			}
			if tt.file == "gemini-json-array.jsonl" {
				// An element's detail shows the element itself.
				press(m, "up", "up")
				if d := screen(m); !strings.Contains(d, "Event 1 of 2") || !strings.Contains(d, `"text": "The sky is blue because"`) {
					t.Errorf("element detail:\n%s", d)
				}
				// Tall enough for the pretty-printed data below the raw
				// element: it is read from the element itself.
				tall, _ := newTestModel(t, xs, Options{Title: tt.file, Instant: true}, 100, 90)
				press(tall, "up", "up")
				if d := screen(tall); !strings.Contains(d, "JSON:") {
					t.Errorf("element detail shows no JSON section:\n%s", d)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(s, n) {
					t.Errorf("screen shows %q:\n%s", n, s)
				}
			}
		})
	}
}
