package stream

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	const canary = "sk-ant-URLCANARY123456789" // 25 bytes
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"key param keeps a readable hint", "http://h/v1/messages?key=" + canary,
			"http://h/v1/messages?key=sk-ant-…[REDACTED len=25]"},
		{"api_key among other params keeps their order and encoding", "http://h/p?z=1&api_key=" + canary + "&a=x%20y",
			"http://h/p?z=1&api_key=sk-ant-…[REDACTED len=25]&a=x%20y"},
		{"redacting twice reports the key's length, not the hint's", "http://h/p?api_key=" + canary, ""},
		{"no secret params left untouched", "http://h/p?beta=true&b=2", "http://h/p?beta=true&b=2"},
		{"short key keeps only its length", "http://h/p?key=abc", "http://h/p?key=[REDACTED len=3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			if tc.want == "" { // idempotence case
				tc.want = got
				got = RedactURL(RedactURL(got))
			}
			if got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.Contains(got, "CANARY") {
				t.Errorf("canary survived: %q", got)
			}
		})
	}
}
