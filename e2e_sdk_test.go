package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/midstreamhq/midstream/stream"
)

// binPath is the midstream binary built once for the tests that run it as
// a user would.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "midstream-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "midstream")
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building midstream: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a midstream process started by a test, with its output lines.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout []string
	stderr []string
	lines  chan string // every line of either stream, as it comes
	exited chan error
}

// start runs the midstream binary with args and collects its output.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binPath, args...), lines: make(chan string, 1000), exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	so, _ := p.cmd.StdoutPipe()
	se, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	collect := func(r io.Reader, into *[]string) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			*into = append(*into, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}
	wg.Add(2)
	go collect(so, &p.stdout)
	go collect(se, &p.stderr)
	go func() { wg.Wait(); p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitFor returns the first submatch of re in the next lines, within 10s.
func (p *proc) waitFor(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if m := rx.FindStringSubmatch(l); m != nil {
				return m[len(m)-1]
			}
		case <-timeout:
			t.Fatalf("no line matching %q; output so far:\n%s", re, p.output())
			return ""
		}
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return "stdout:\n" + strings.Join(p.stdout, "\n") + "\nstderr:\n" + strings.Join(p.stderr, "\n")
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("still running after %v\n%s", d, p.output())
		return -1
	}
}

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
	fixture := filepath.Join("testdata", "overloaded_midstream.sse")
	served, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	serve := start(t, nil, "serve", fixture, "--listen", "127.0.0.1:0", "--instant")
	serveURL := serve.waitFor(t, `listening on (http://\S+)`)
	dir := t.TempDir()
	proxy := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", serveURL, "--save", dir)
	proxyURL := proxy.waitFor(t, `listening on (http://\S+)`)

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

	capture := proxy.waitFor(t, `http=200 .*capture=(\S+)`)
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
	serve.waitFor(t, `#2 POST /v1/messages sdk=(anthropic-go@2\.15\.0)`)

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
