package snippetvet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	// The snippets import these; the blank imports keep their module
	// graph complete in go.sum so `go vet` of the snippets resolves
	// offline with -mod=readonly.
	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/openai/openai-go/v3"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// TestGoSnippetsCompile type-checks, with go vet, the Go snippets that
// inspect gives for each SDK era against the real SDK modules the
// end-to-end module requires (anthropic-sdk-go/v2 v2.15.0, openai-go/v3 v3.98.0).
// Snippets for v1 anthropic-sdk-go differ from v2 only in the import path,
// so they are checked with the v2 path substituted. The snippets go into a
// "_"-prefixed directory inside the module, which resolves the module's
// requirements while ./... patterns never see it.
func TestGoSnippetsCompile(t *testing.T) {
	errorEvent := func(p inspect.Provider, typ string) *inspect.Verdict {
		return &inspect.Verdict{Provider: p, HTTPStatus: 200, Outcome: inspect.OutcomeErrorEvent,
			Error: &inspect.StreamError{Type: typ, EventIndex: 3}}
	}
	truncated := &inspect.Verdict{Provider: inspect.ProviderAnthropic, HTTPStatus: 200, Outcome: inspect.OutcomeTruncated,
		Exchange: stream.FromBody("t.sse", []byte("event: message_start\ndata: {}\n\n"))}
	cases := []struct {
		name, sdk, version string
		v                  *inspect.Verdict
	}{
		{"anthropic-go v2 stream error", "anthropic-go", "2.15.0", errorEvent(inspect.ProviderAnthropic, "overloaded_error")},
		{"anthropic-go v2 truncated", "anthropic-go", "2.15.0", truncated},
		{"anthropic-go v1.37 stream error (v1 API)", "anthropic-go", "1.37.0", errorEvent(inspect.ProviderAnthropic, "overloaded_error")},
		{"anthropic-go v1.37 truncated (v1 API)", "anthropic-go", "1.37.0", truncated},
		{"openai-go v3.98 stream error", "openai-go", "3.98.0", errorEvent(inspect.ProviderOpenAIChat, "server_error")},
		{"openai-go v3.16 stream error", "openai-go", "3.16.0", errorEvent(inspect.ProviderOpenAIChat, "server_error")},
		{"google-genai-go stream error", "google-genai-go", "1.79.1", errorEvent(inspect.ProviderGemini, "UNAVAILABLE")},
	}
	dir, err := os.MkdirTemp(".", "_snippetvet")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	args := []string{"vet"}
	for i, c := range cases {
		a := inspect.SDKFor(c.v, inspect.Options{SDK: &inspect.SDKRef{Name: c.sdk, Version: c.version}})
		if a == nil || a.Language != "go" || a.Snippet == "" {
			t.Fatalf("%s: no Go snippet: %+v", c.name, a)
		}
		code := strings.Replace(a.Snippet, `"github.com/anthropics/anthropic-sdk-go"`, `anthropic "github.com/anthropics/anthropic-sdk-go/v2"`, 1)
		sub := filepath.Join(dir, "s"+string(rune('a'+i)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "snippet.go"), []byte("package snippet\n\n"+code), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "./"+filepath.ToSlash(sub))
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet on the snippets: %v\n%s", err, out)
	}
}
