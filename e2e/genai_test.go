package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/genai"
)

// genaiCanary is a key of the Gemini API's shape; serve never checks it
// and it must never leave loopback.
const genaiCanary = "AIzaSyE2E-CANARY-0123456789abcdefghijk"

// genaiRun is what the Go Gen AI SDK surfaced for one streamed request:
// the text of every response it yielded, and every error it yielded, in
// order. endedWithErr is true when the last value the iterator yielded
// was an error.
type genaiRun struct {
	text         string
	responses    int
	errs         []error
	endedWithErr bool
	// finish is the FinishReason of the last candidate yielded ("" if it
	// had none).
	finish genai.FinishReason
}

func runGenAI(t *testing.T, baseURL string) genaiRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      genaiCanary,
		Backend:     genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: baseURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	var r genaiRun
	for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Say hello"), nil) {
		if err != nil {
			r.errs = append(r.errs, err)
			r.endedWithErr = true
			continue
		}
		r.responses++
		r.text += resp.Text()
		if len(resp.Candidates) > 0 {
			r.finish = resp.Candidates[0].FinishReason
		}
		r.endedWithErr = false
	}
	return r
}

// TestE2EGenAIGoSDK runs the official Go Gen AI SDK (google.golang.org/genai,
// the version in e2e/go.mod) against `midstream serve` of four Gemini
// captures and asserts what it surfaces. These facts are the Gemini rows
// of midstream's SDK table (inspect/sdk_gemini.go, "measured:
// e2e/genai_test.go"): change one only together with the other.
func TestE2EGenAIGoSDK(t *testing.T) {
	tests := []struct {
		name, fixture string
		wantText      string
		wantResponses int
		// wantErr is the one error the iteration yields ("" = none), as
		// genai.APIError's Code/Status; wantMsg is part of its Message.
		wantCode     int
		wantStatus   string
		wantMsg      string
		endedWithErr bool
	}{
		{
			// The error chunk is yielded as a genai.APIError value (code
			// 503, no HTTP status of its own), after the partial text; the
			// SDK does not stop there but iteration ends with the body.
			name: "mid-stream error chunk after partial output", fixture: "midstream-503.sse",
			wantText: "Hello world", wantResponses: 2,
			wantCode: 503, wantStatus: "UNAVAILABLE", wantMsg: "The model is overloaded", endedWithErr: true,
		},
		{
			// A raw JSON tail (not an SSE frame) is read as one chunk and
			// decoded as an error object: the same genai.APIError.
			name: "raw JSON error tail after the last event", fixture: "raw-tail-503.sse",
			wantText: "Hello world", wantResponses: 2,
			wantCode: 503, wantStatus: "UNAVAILABLE", wantMsg: "The model is overloaded", endedWithErr: true,
		},
		{
			// No final finishReason and a clean close: nothing is raised.
			name: "cut stream without a final finishReason", fixture: "cut.sse",
			wantText: "Hello world", wantResponses: 2,
		},
		{
			// An HTTP error before the stream: the first yield is the
			// error, decoded from the body, and no request is retried.
			name: "HTTP 429 RESOURCE_EXHAUSTED before the stream", fixture: "http-429.http",
			wantCode: 429, wantStatus: "RESOURCE_EXHAUSTED", wantMsg: "Resource has been exhausted", endedWithErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve := start(t, nil, "serve", filepath.Join("testdata", "gemini", tt.fixture), "--listen", "127.0.0.1:0", "--instant")
			url := serve.WaitFor(t, `listening on (http://\S+)`)
			r := runGenAI(t, url)
			if r.text != tt.wantText || r.responses != tt.wantResponses {
				t.Errorf("text %q in %d responses, want %q in %d", r.text, r.responses, tt.wantText, tt.wantResponses)
			}
			if r.finish != "" {
				t.Errorf("last candidate's FinishReason = %q, want none (no capture sends one)", r.finish)
			}
			if r.endedWithErr != tt.endedWithErr {
				t.Errorf("iteration ended with an error = %v, want %v (errors %v)", r.endedWithErr, tt.endedWithErr, r.errs)
			}
			if tt.wantCode == 0 {
				if len(r.errs) != 0 {
					t.Errorf("errors %v, want none", r.errs)
				}
			} else {
				checkGenAIError(t, r.errs, tt.wantCode, tt.wantStatus, tt.wantMsg)
			}
			// One request: the SDK has no built-in retry unless
			// HTTPOptions.RetryOptions is set. serve logs each request
			// with the SDK its headers name, which must be this one.
			serve.WaitFor(t, `#1 POST /v1/models/gemini-2\.5-flash:streamGenerateContent sdk=(google-genai-go@1\.79\.1) `)
			if strings.Contains(serve.Output(), "#2 ") {
				t.Errorf("the SDK sent a second request:\n%s", serve.Output())
			}
		})
	}
}

func checkGenAIError(t *testing.T, errs []error, code int, status, msg string) {
	t.Helper()
	if len(errs) != 1 {
		t.Fatalf("%d errors %v, want exactly one genai.APIError", len(errs), errs)
	}
	var apiErr genai.APIError
	if !errors.As(errs[0], &apiErr) {
		t.Fatalf("error %T %v, want genai.APIError", errs[0], errs[0])
	}
	if apiErr.Code != code || apiErr.Status != status || !strings.Contains(apiErr.Message, msg) {
		t.Errorf("APIError code %d status %q message %q, want %d %q containing %q", apiErr.Code, apiErr.Status, apiErr.Message, code, status, msg)
	}
	if want := fmt.Sprintf("Error %d, Message: ", code); !strings.HasPrefix(apiErr.Error(), want) {
		t.Errorf("Error() = %q, want it to start %q", apiErr.Error(), want)
	}
}

// TestE2EGenAIGoSDKThroughProxy runs the Go Gen AI SDK through `midstream
// proxy` to serve of the mid-stream 503 capture: the SDK sees the same
// thing as directly, the capture holds no key, and diagnose names the SDK
// and its version from the captured headers.
func TestE2EGenAIGoSDKThroughProxy(t *testing.T) {
	serve := start(t, nil, "serve", filepath.Join("testdata", "gemini", "midstream-503.sse"), "--listen", "127.0.0.1:0", "--instant")
	serveURL := serve.WaitFor(t, `listening on (http://\S+)`)
	dir := t.TempDir()
	proxy := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", serveURL, "--save", dir)
	proxyURL := proxy.WaitFor(t, `listening on (http://\S+)`)

	r := runGenAI(t, proxyURL)
	if r.text != "Hello world" || len(r.errs) != 1 {
		t.Fatalf("through the proxy: text %q, errors %v; want the direct run's \"Hello world\" and one error", r.text, r.errs)
	}
	checkGenAIError(t, r.errs, 503, "UNAVAILABLE", "The model is overloaded")

	capture := proxy.WaitFor(t, `http=200 .*capture=(\S+)`)
	raw, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(genaiCanary)) || bytes.Contains(raw, []byte("E2E-CANARY")) {
		t.Errorf("capture %s holds the API key", capture)
	}
	out, err := exec.Command(binPath, "diagnose", "--format", "json", capture).Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || len(out) == 0 {
			t.Fatalf("diagnose: %v\n%s", err, out)
		}
	}
	var report struct {
		Exchanges []struct {
			SDK *struct{ Name, Version, Raises string } `json:"sdk"`
		} `json:"exchanges"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("diagnose --format json: %v\n%s", err, out)
	}
	if len(report.Exchanges) != 1 || report.Exchanges[0].SDK == nil ||
		report.Exchanges[0].SDK.Name != "google-genai-go" || report.Exchanges[0].SDK.Version != "1.79.1" {
		t.Errorf("diagnose does not name google-genai-go 1.79.1 from the captured headers:\n%s", out)
	}
}
