package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

func TestBuildLiveRequest(t *testing.T) {
	dataFile := filepath.Join(t.TempDir(), "body.json")
	os.WriteFile(dataFile, []byte(`{"from":"file"}`), 0o600)
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name     string
		args     []string
		flags    liveFlags
		env      func(string) string
		stdin    string
		exitCode int // 0: no error
		errHas   string
		method   string
		url      string
		header   [2]string
		body     string
	}{
		{name: "anthropic by default", env: env("ANTHROPIC_API_KEY", "sk-ant-k"), flags: liveFlags{maxTokens: 8, prompt: "hi"},
			method: "POST", url: "https://api.anthropic.com/v1/messages", header: [2]string{"X-Api-Key", "sk-ant-k"}, body: `"model":"claude-sonnet-4-5"`},
		{name: "ANTHROPIC_BASE_URL", env: env("ANTHROPIC_API_KEY", "k", "ANTHROPIC_BASE_URL", "http://127.0.0.1:8787/"), flags: liveFlags{model: "claude-haiku-4-5"},
			method: "POST", url: "http://127.0.0.1:8787/v1/messages", header: [2]string{"Anthropic-Version", "2023-06-01"}, body: `"model":"claude-haiku-4-5"`},
		{name: "missing Anthropic key", env: env(), exitCode: 2, errHas: "ANTHROPIC_API_KEY is not set"},
		{name: "openai", env: env("OPENAI_API_KEY", "sk-o"), flags: liveFlags{openai: true},
			method: "POST", url: "https://api.openai.com/v1/chat/completions", header: [2]string{"Authorization", "Bearer sk-o"}, body: `"stream":true`},
		{name: "OPENAI_BASE_URL", env: env("OPENAI_API_KEY", "sk-o", "OPENAI_BASE_URL", "http://127.0.0.1:9/v1"), flags: liveFlags{openai: true},
			method: "POST", url: "http://127.0.0.1:9/v1/chat/completions", header: [2]string{"Authorization", "Bearer sk-o"}, body: `"model":"gpt-5-mini"`},
		{name: "missing OpenAI key", env: env("ANTHROPIC_API_KEY", "k"), flags: liveFlags{openai: true}, exitCode: 2, errHas: "OPENAI_API_KEY is not set"},
		{name: "URL is a GET", args: []string{"http://127.0.0.1:9/events"}, env: env(),
			method: "GET", url: "http://127.0.0.1:9/events"},
		{name: "URL with -H and -d @file", args: []string{"http://127.0.0.1:9/v1/messages"}, env: env(),
			flags:  liveFlags{headers: []string{"x-api-key: abc", "Accept:text/event-stream"}, data: "@" + dataFile},
			method: "POST", url: "http://127.0.0.1:9/v1/messages", header: [2]string{"Accept", "text/event-stream"}, body: `{"from":"file"}`},
		{name: "-d @- reads stdin, -X wins", args: []string{"http://127.0.0.1:9/x"}, env: env(), stdin: `{"from":"stdin"}`,
			flags: liveFlags{data: "@-", method: "put"}, method: "PUT", url: "http://127.0.0.1:9/x", body: `{"from":"stdin"}`},
		{name: "-d overrides the Anthropic body", env: env("ANTHROPIC_API_KEY", "k"), flags: liveFlags{data: `{"custom":1}`},
			method: "POST", url: "https://api.anthropic.com/v1/messages", body: `{"custom":1}`},
		{name: "bad header", args: []string{"http://127.0.0.1:9/"}, env: env(), flags: liveFlags{headers: []string{"no colon"}}, exitCode: 2, errHas: "Name: value"},
		{name: "missing data file", args: []string{"http://127.0.0.1:9/"}, env: env(), flags: liveFlags{data: "@/nonexistent/body.json"}, exitCode: 2, errHas: "/nonexistent/body.json"},
		{name: "not a URL", args: []string{"example.com/v1"}, env: env(), exitCode: 2, errHas: "not an http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flags
			req, err := buildLiveRequest(tt.args, &f, tt.env, strings.NewReader(tt.stdin))
			if tt.exitCode != 0 {
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != tt.exitCode || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want exit %d naming %q", err, tt.exitCode, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != tt.method || req.URL != tt.url {
				t.Errorf("%s %s, want %s %s", req.Method, req.URL, tt.method, tt.url)
			}
			if tt.header[0] != "" && req.Header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], req.Header.Get(tt.header[0]), tt.header[1])
			}
			if !strings.Contains(string(req.Body), tt.body) {
				t.Errorf("body %s lacks %s", req.Body, tt.body)
			}
		})
	}
}

// A missing key fails before any request is sent.
func TestLiveMissingKeySendsNothing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	p := start(t, []string{"ANTHROPIC_API_KEY=", "ANTHROPIC_BASE_URL=" + srv.URL, "XDG_DATA_HOME=" + t.TempDir()}, "live", "--no-tui")
	if code := p.Wait(t, 10*time.Second); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	if !strings.Contains(p.Output(), "ANTHROPIC_API_KEY is not set") {
		t.Errorf("no clear error:\n%s", p.Output())
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests were sent without a key", hits.Load())
	}
}

// live against a stream that fails mid-way: the capture holds the body
// byte for byte without the key, the diagnosis is printed, exit status 1.
func TestLiveRecordsTheStreamAndPrintsTheDiagnosis(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "overloaded_midstream.sse"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != sdkCanary {
			t.Errorf("key not sent: %q", r.Header.Get("X-Api-Key"))
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(body)
	}))
	defer srv.Close()
	capture := filepath.Join(t.TempDir(), "sub", "live.jsonl")
	p := start(t, []string{"ANTHROPIC_API_KEY=" + sdkCanary, "ANTHROPIC_BASE_URL=" + srv.URL},
		"live", "--save", capture, "--prompt", "hi")
	if code := p.Wait(t, 10*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1 for a stream that ended in an error\n%s", code, p.Output())
	}
	raw, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(sdkCanary)) {
		t.Error("the capture holds the API key")
	}
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 || !bytes.Equal(xs[0].Body(), body) {
		t.Fatalf("capture: %v, %d exchanges", err, len(xs))
	}
	out := p.Output()
	if !strings.Contains(out, "capture saved to "+capture) || !strings.Contains(out, "overloaded_error") {
		t.Errorf("want the diagnosis naming overloaded_error and the capture path:\n%s", out)
	}
}

// --idle-timeout ends a silent stream; without --save the capture goes to
// the captures folder under XDG_DATA_HOME.
func TestLiveIdleTimeoutIsRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: ping\ndata: {\"type\":\"ping\"}\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	data := t.TempDir()
	p := start(t, []string{"XDG_DATA_HOME=" + data}, "live", "--no-tui", "--idle-timeout", "200ms", srv.URL+"/v1/messages")
	if code := p.Wait(t, 10*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1\n%s", code, p.Output())
	}
	files, _ := filepath.Glob(filepath.Join(data, "midstream", "captures", "live-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("%d captures in the captures folder, want 1\n%s", len(files), p.Output())
	}
	xs, err := stream.ReadFile(files[0])
	if err != nil || len(xs) != 1 {
		t.Fatalf("capture: %v", err)
	}
	if xs[0].End.Reason != stream.EndTimeout || !strings.HasPrefix(xs[0].End.Err, stream.FaultIdleTimeout) {
		t.Errorf("end = %+v, want an idle timeout", xs[0].End)
	}
}
