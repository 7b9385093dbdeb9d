package ui

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
)

// TestHeaderNamesHost: the header names the OpenAI-compatible host beside
// the dialect, and only the dialect when no host was recognised.
func TestHeaderNamesHost(t *testing.T) {
	s := NewStyles(true)
	for _, c := range []struct {
		host, want string
	}{
		{inspect.HostGroq, "openai-chat via groq"},
		{"", "openai-chat"},
	} {
		st := &exchangeState{verdict: &inspect.Verdict{Provider: inspect.ProviderOpenAIChat, Host: c.host, HTTPStatus: 200}}
		line, _, _ := strings.Cut(headerView(&s, st, "capture.sse", 0, nil, 200), "\n")
		if !strings.Contains(line, c.want) || (c.host == "" && strings.Contains(line, " via ")) {
			t.Errorf("host %q: header %q, want %q", c.host, line, c.want)
		}
	}
}
