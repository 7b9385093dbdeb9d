package drillcaps

import (
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

func TestForPath(t *testing.T) {
	cases := []struct{ name, path, want string }{
		{"anthropic official SDK", "/v1/messages", "anthropic"},
		{"anthropic Vercel provider", "/messages", "anthropic"},
		{"openai chat", "/v1/chat/completions", "openai-chat"},
		{"openai chat trailing slash", "/v1/chat/completions/", "openai-chat"},
		{"openai responses", "/v1/responses", "openai-responses"},
		{"gemini stream", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "gemini"},
		{"token counting is not a stream", "/v1/messages/count_tokens", ""},
		{"models list", "/v1/models", ""},
		{"root", "/", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ForPath(c.path); got != c.want {
				t.Errorf("ForPath(%q) = %q, want %q", c.path, got, c.want)
			}
		})
	}
}

func TestAllNonEmptyAndNamed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if len(c.Body) == 0 || seen[c.Name] {
			t.Errorf("capture %q empty or repeated", c.Name)
		}
		seen[c.Name] = true
	}
	if len(seen) != 4 {
		t.Errorf("got %d captures, want 4", len(seen))
	}
}

// Every built-in stream is complete: it ends with its dialect's
// terminating event and the blank line after it (what stream.ServedClean
// looks for when the recording client hung up), so a drill's clean
// answer is never mistaken for a truncated one; and each is the one
// ForPath picks for its own API's path.
func TestAllCompleteAndReachable(t *testing.T) {
	paths := map[string]string{
		"anthropic":        "/v1/messages",
		"openai-chat":      "/v1/chat/completions",
		"openai-responses": "/v1/responses",
		"gemini":           "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
	}
	for _, c := range All() {
		t.Run(c.Name, func(t *testing.T) {
			xs, err := stream.Parse(c.Name+".sse", c.Body)
			if err != nil || len(xs) != 1 {
				t.Fatalf("parse: %v (%d exchanges)", err, len(xs))
			}
			x := xs[0]
			x.End = stream.End{Reason: stream.EndCanceled, By: stream.ByClient}
			if !stream.ServedClean(x) {
				t.Errorf("%s does not end with a complete terminating event", c.Name)
			}
			if got := ForPath(paths[c.Name]); got != c.Name {
				t.Errorf("ForPath(%q) = %q, want %q", paths[c.Name], got, c.Name)
			}
		})
	}
}
