package drillcaps

import "testing"

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
