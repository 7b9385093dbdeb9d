package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/midstreamhq/midstream/stream"
)

const sdkCanary = "sk-ant-api03-E2E-CANARY-0123456789abcdefghijklmnop"

// sdkRun is what the official Go SDK surfaced for one streamed request.
type sdkRun struct {
	events int
	text   string
	err    error
}

func runSDK(t *testing.T, baseURL string) sdkRun {
	t.Helper()
	client := anthropic.NewClient(option.WithBaseURL(baseURL), option.WithAPIKey(sdkCanary))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := client.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_5,
		MaxTokens: 64,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello"))},
	})
	var r sdkRun
	for s.Next() {
		r.events++
		if d, ok := s.Current().AsAny().(anthropic.ContentBlockDeltaEvent); ok {
			r.text += d.Delta.Text
		}
	}
	r.err = s.Err()
	return r
}

// TestE2EAnthropicGoSDKThroughProxy runs the official Go SDK against
// `midstream serve` of a mid-stream overloaded_error, directly and through
// `midstream proxy`, and checks the proxy changes nothing the SDK sees,
// records the body byte for byte without the key, and that the capture
// names the SDK.
func TestE2EAnthropicGoSDKThroughProxy(t *testing.T) {
	fixture := filepath.Join("..", "testdata", "overloaded_midstream.sse")
	served, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	serve := start(t, nil, "serve", fixture, "--listen", "127.0.0.1:0", "--instant")
	serveURL := serve.WaitFor(t, `listening on (http://\S+)`)
	dir := t.TempDir()
	proxy := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", serveURL, "--save", dir)
	proxyURL := proxy.WaitFor(t, `listening on (http://\S+)`)

	direct := runSDK(t, serveURL)
	through := runSDK(t, proxyURL)

	for name, r := range map[string]sdkRun{"direct": direct, "through the proxy": through} {
		var apiErr *anthropic.Error
		if !errors.As(r.err, &apiErr) {
			t.Fatalf("%s: SDK error %T %v, want *anthropic.Error", name, r.err, r.err)
		}
		if apiErr.StatusCode != 200 || apiErr.Type() != anthropic.ErrorTypeOverloadedError {
			t.Errorf("%s: SDK reports status %d type %q, want 200 overloaded_error", name, apiErr.StatusCode, apiErr.Type())
		}
	}
	var d, p *anthropic.Error
	errors.As(direct.err, &d)
	errors.As(through.err, &p)
	if direct.events != through.events || direct.text != through.text || d.RawJSON() != p.RawJSON() {
		t.Errorf("the SDK saw something else through the proxy:\ndirect  %d events %q %s\nthrough %d events %q %s",
			direct.events, direct.text, d.RawJSON(), through.events, through.text, p.RawJSON())
	}
	if strings.ReplaceAll(d.Error(), serveURL, "URL") != strings.ReplaceAll(p.Error(), proxyURL, "URL") {
		t.Errorf("error messages differ beyond the URL:\n%s\n%s", d.Error(), p.Error())
	}
	if direct.text != "Hello world" {
		t.Errorf("text before the error = %q, want %q", direct.text, "Hello world")
	}

	capture := proxy.WaitFor(t, `http=200 .*capture=(\S+)`)
	raw, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(sdkCanary)) || bytes.Contains(raw, []byte("E2E-CANARY")) {
		t.Errorf("capture %s holds the API key", capture)
	}
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 {
		t.Fatalf("capture reads as %d exchanges, %v", len(xs), err)
	}
	if !bytes.Equal(xs[0].Body(), served) {
		t.Errorf("capture body (%d bytes) differs from the served body (%d bytes)", xs[0].BodyLen(), len(served))
	}
	serve.WaitFor(t, `#2 POST /v1/messages sdk=(anthropic-go@2\.15\.0)`)

	out, err := exec.Command(binPath, "diagnose", "--format", "json", capture).Output()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || len(out) == 0 {
			t.Fatalf("diagnose: %v\n%s", err, out)
		}
	}
	var report struct {
		Exchanges []struct {
			SDK *struct{ Name, Version string } `json:"sdk"`
		} `json:"exchanges"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("diagnose --format json: %v\n%s", err, out)
	}
	if len(report.Exchanges) != 1 || report.Exchanges[0].SDK == nil ||
		report.Exchanges[0].SDK.Name != "anthropic-go" || report.Exchanges[0].SDK.Version != "2.15.0" {
		t.Errorf("diagnose does not name anthropic-go 2.15.0 from the captured headers:\n%s", out)
	}
}
