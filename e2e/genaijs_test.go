package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// jsProbe is what e2e/genaijs/probe.mjs printed for one request.
type jsProbe struct {
	Text       string     `json:"text"`
	Chunks     int        `json:"chunks"`
	Finish     *string    `json:"finish"`
	Thrown     *jsError   `json:"thrown"`
	ErrorParts []*jsError `json:"errorParts"`
}

// jsError is an error a JS SDK threw or delivered: its class, status
// (null when it carries none) and message.
type jsError struct {
	Name    string `json:"name"`
	Status  *int   `json:"status"`
	Message string `json:"message"`
}

// genaiJSDir holds the JS SDKs, pinned in package.json/package-lock.json.
const genaiJSDir = "genaijs"

// needJSSDKs skips when node is missing and installs the pinned JS SDKs
// with `npm ci` when they are not installed yet. npm reaches the package
// registry (an install step, like `go mod download`); the SDKs themselves
// only ever talk to loopback.
func needJSSDKs(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the JS Gemini SDKs cannot run")
	}
	installed := true
	for _, pkg := range []string{"@google/genai", "@ai-sdk/google", "ai"} {
		if _, err := os.Stat(filepath.Join(genaiJSDir, "node_modules", filepath.FromSlash(pkg), "package.json")); err != nil {
			installed = false
		}
	}
	if installed {
		return node
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("node is installed but npm is not: cannot install %s", genaiJSDir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--prefix", genaiJSDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in e2e/%s: %v\n%s", genaiJSDir, err, out)
	}
	return node
}

// runJSProbe serves fixture with midstream, runs the probe for sdk with
// the given retry setting, and returns what it printed and how many
// requests serve answered.
func runJSProbe(t *testing.T, node, sdk, fixture, retries string) (jsProbe, int) {
	t.Helper()
	serve := start(t, nil, "serve", filepath.Join("testdata", "gemini", fixture), "--listen", "127.0.0.1:0", "--instant")
	url := serve.WaitFor(t, `listening on (http://\S+)`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join(genaiJSDir, "probe.mjs"), sdk, url, retries).Output()
	if err != nil {
		t.Fatalf("probe %s: %v\n%s", sdk, err, out)
	}
	var p jsProbe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("probe output %q: %v", out, err)
	}
	// serve names the SDK from its headers, as diagnose does.
	label := map[string]string{"genai": `google-genai-js@3\.3\.0`, "vercel": `vercel-ai-google@4\.0\.121`}[sdk]
	serve.WaitFor(t, `#1 POST \S+ sdk=(`+label+`) `)
	// Retries follow within a backoff; give them time to arrive.
	time.Sleep(200 * time.Millisecond)
	return p, len(regexp.MustCompile(`#\d+ POST `).FindAllString(serve.Output(), -1))
}

// wantJSError is an expected thrown error or error part.
type wantJSError struct {
	name   string
	status int // -1: null
	msg    string
}

func checkJSError(t *testing.T, what string, got *jsError, want *wantJSError) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s: %+v, want none", what, *got)
	case want == nil:
	case got == nil:
		t.Errorf("%s: none, want %s", what, want.name)
	default:
		status := -1
		if got.Status != nil {
			status = *got.Status
		}
		if got.Name != want.name || status != want.status || !strings.Contains(got.Message, want.msg) {
			t.Errorf("%s: %s status %d %q, want %s status %d containing %q", what, got.Name, status, got.Message, want.name, want.status, want.msg)
		}
	}
}

// TestE2EGenAIJS runs @google/genai and the Vercel AI SDK's @ai-sdk/google
// (versions pinned in e2e/genaijs/package.json) against `midstream serve`
// of the Gemini captures, with no retries for the error shape and with
// the SDK's default retries for the request count. These facts are the
// google-genai-js and vercel-ai-google rows of inspect/sdk_gemini.go and
// inspect/sdk_vercel.go: change one only together with the other.
func TestE2EGenAIJS(t *testing.T) {
	node := needJSSDKs(t)
	tests := []struct {
		name, sdk, fixture string
		text               string
		finish             string // "" = none
		thrown, part       *wantJSError
		requests           int // with default retries
	}{
		// @google/genai 3.3.0
		{"genai: mid-stream 503 chunk throws ApiError 503", "genai", "midstream-503.sse", "Hello world", "",
			&wantJSError{"ApiError", 503, `"status":"UNAVAILABLE"`}, nil, 1},
		{"genai: raw JSON tail throws a plain Error without status", "genai", "raw-tail-503.sse", "Hello world", "",
			&wantJSError{"Error", -1, "Incomplete JSON segment at the end"}, nil, 1},
		{"genai: cut stream ends without error", "genai", "cut.sse", "Hello world", "", nil, nil, 1},
		{"genai: HTTP 429 throws ApiError 429, not retried", "genai", "http-429.http", "", "",
			&wantJSError{"ApiError", 429, "RESOURCE_EXHAUSTED"}, nil, 1},
		// ai 7.0.173 + @ai-sdk/google 4.0.121
		{"vercel: mid-stream 503 chunk is an error part with status 503", "vercel", "midstream-503.sse", "Hello world", "error",
			nil, &wantJSError{"StreamProviderError", 503, "The model is overloaded"}, 1},
		{"vercel: raw JSON tail is dropped silently", "vercel", "raw-tail-503.sse", "Hello world", "interrupted", nil, nil, 1},
		{"vercel: cut stream finishes interrupted", "vercel", "cut.sse", "Hello world", "interrupted", nil, nil, 1},
		{"vercel: HTTP 429 is an APICallError part, retried by maxRetries", "vercel", "http-429.http", "", "",
			nil, &wantJSError{"APICallError", 429, "Resource has been exhausted"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := runJSProbe(t, node, tt.sdk, tt.fixture, "0")
			if p.Text != tt.text {
				t.Errorf("text %q, want %q", p.Text, tt.text)
			}
			finish := ""
			if p.Finish != nil {
				finish = *p.Finish
			}
			if finish != tt.finish {
				t.Errorf("finish reason %q, want %q", finish, tt.finish)
			}
			checkJSError(t, "thrown", p.Thrown, tt.thrown)
			var part *jsError
			if len(p.ErrorParts) > 1 {
				t.Errorf("%d error parts, want at most one", len(p.ErrorParts))
			}
			if len(p.ErrorParts) > 0 {
				part = p.ErrorParts[0]
			}
			checkJSError(t, "error part", part, tt.part)
			if _, n := runJSProbe(t, node, tt.sdk, tt.fixture, "default"); n != tt.requests {
				t.Errorf("%d requests with default retries, want %d", n, tt.requests)
			}
		})
	}
}
