// Package drillcaps holds the clean, complete streams `midstream drill`
// serves when the user gives no capture: one per API dialect, chosen by
// the path of each request, so that any SDK gets a stream in its own
// format. SOURCES.md says what each one is modelled on.
package drillcaps

import (
	_ "embed"
	"strings"
)

var (
	//go:embed anthropic.sse
	anthropic []byte
	//go:embed openai-chat.sse
	openaiChat []byte
	//go:embed openai-responses.sse
	openaiResponses []byte
	//go:embed gemini.sse
	gemini []byte
)

// Capture is one built-in stream: its dialect's name and its SSE body.
type Capture struct {
	Name string // "anthropic", "openai-chat", "openai-responses", "gemini"
	Body []byte // a bare SSE body, served as 200 text/event-stream
}

// All lists the built-in captures in a stable order.
func All() []Capture {
	return []Capture{
		{"anthropic", anthropic},
		{"openai-chat", openaiChat},
		{"openai-responses", openaiResponses},
		{"gemini", gemini},
	}
}

// ForPath names the built-in capture that answers a request for path
// (URL path, query excluded), "" when none fits. It matches the end of
// the path, because base URLs differ by SDK: the official Anthropic SDKs
// post to /v1/messages, the Vercel provider to {base}/messages; the
// OpenAI SDKs to {base}/chat/completions and {base}/responses; the
// Gemini SDKs to /v1beta/models/MODEL:streamGenerateContent.
func ForPath(path string) string {
	path = strings.TrimRight(path, "/")
	switch {
	case strings.HasSuffix(path, "/messages"):
		return "anthropic"
	case strings.HasSuffix(path, "/chat/completions"):
		return "openai-chat"
	case strings.HasSuffix(path, "/responses"):
		return "openai-responses"
	case strings.HasSuffix(path, ":streamGenerateContent"), strings.HasSuffix(path, ":generateContent"):
		return "gemini"
	}
	return ""
}
