package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// anthropicOK is a complete Anthropic stream in the shape of the
// docs.claude.com streaming page's "Basic streaming request" response.
const anthropicOK = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n" +
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

// sdkAttempt is one attempt of an SDK-like client: what it concludes.
type sdkAttempt struct {
	status    int
	retryable bool   // the SDKs retry 408, 409, 429 and ≥500 before the stream
	errorType string // the type of an in-stream error event
	complete  bool   // message_stop arrived
	text      string
}

// sdkLikeCall posts to url and reads the stream the way the official SDKs
// do: status first, then events until the body ends.
func sdkLikeCall(t *testing.T, url string) sdkAttempt {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/messages", strings.NewReader(`{"stream":true}`))
	req.Header.Set("User-Agent", "Anthropic/Go 1.19.0")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := sdkAttempt{status: resp.StatusCode}
	if resp.StatusCode != 200 {
		a.retryable = resp.StatusCode == 429 || resp.StatusCode >= 500 || resp.Header.Get("X-Should-Retry") == "true"
		_, _ = io.Copy(io.Discard, resp.Body)
		return a
	}
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "error":
			_, rest, _ := strings.Cut(line, `"error":{"type":"`)
			a.errorType, _, _ = strings.Cut(rest, `"`)
		case strings.HasPrefix(line, "data: ") && event == "message_stop":
			a.complete = true
		case strings.HasPrefix(line, "data: ") && strings.Contains(line, `"text_delta"`):
			_, rest, _ := strings.Cut(line, `"text":"`)
			txt, _, _ := strings.Cut(rest, `"`)
			a.text += txt
		}
	}
	return a
}

// serve --inject with the default --attempts 1: the first attempt gets the
// fault, the retry the clean stream, counted by the server.
func TestServeInjectHitsFirstAttemptOnly(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ok.sse")
	if err := os.WriteFile(file, []byte(anthropicOK), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inject string
		first  sdkAttempt
	}{
		{"in-stream overloaded error", "error@3:overloaded_error", sdkAttempt{status: 200, errorType: "overloaded_error"}},
		{"529 before the stream", "status:529", sdkAttempt{status: 529, retryable: true}},
		{"terminator dropped", "cut-before-end", sdkAttempt{status: 200, text: "Hello"}},
	}
	clean := sdkAttempt{status: 200, complete: true, text: "Hello"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, nil, "serve", file, "--listen", "127.0.0.1:0", "--instant", "--inject", tt.inject)
			url := p.WaitFor(t, `listening on (http://\S+)`)
			if got := sdkLikeCall(t, url); got != tt.first {
				t.Errorf("attempt 1 = %+v, want %+v", got, tt.first)
			}
			for i := 2; i <= 3; i++ {
				if got := sdkLikeCall(t, url); got != clean {
					t.Errorf("attempt %d = %+v, want the clean stream %+v", i, got, clean)
				}
			}
			p.WaitFor(t, `#3 POST /v1/messages`)
			if out := p.Output(); !strings.Contains(out, "#1 injected "+tt.inject) || strings.Contains(out, "#2 injected") {
				t.Errorf("the log does not say that only request 1 was injected:\n%s", out)
			}
			if !strings.Contains(p.Output(), "injecting "+tt.inject+", attempts 1") {
				t.Errorf("serve did not say what it injects:\n%s", p.Output())
			}
		})
	}
}

// Bad fault specs and attempt lists are one-line usage errors (exit 2)
// naming the bad part.
func TestServeProxyRejectBadInjectFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ok.sse")
	if err := os.WriteFile(file, []byte(anthropicOK), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		errHas string
	}{
		{"unknown class", []string{"serve", file, "--inject", "explode@3"}, `unknown fault class "explode"`},
		{"bad event number", []string{"serve", file, "--inject", "cut@zero"}, `event number "zero"`},
		{"unknown error type", []string{"serve", file, "--inject", "error@2:kaboom"}, `unknown error type "kaboom"`},
		{"bad status", []string{"serve", file, "--inject", "status:200"}, "HTTP error status 400–599"},
		{"bad attempts", []string{"serve", file, "--inject", "cut@2", "--attempts", "0"}, `"0" is not an attempt number`},
		{"attempts alone", []string{"serve", file, "--attempts", "all"}, "--attempts needs --inject or --chaos"},
		{"proxy bad spec", []string{"proxy", "--no-tui", "--inject", "stall@2:forever"}, `stall duration "forever"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, nil, append(tt.args, "--listen", "127.0.0.1:0")...)
			out := p.Output()
			if code := p.Wait(t, 10*time.Second); code != 2 || !strings.Contains(p.Output(), tt.errHas) {
				t.Errorf("exit %d, want 2 naming %q\n%s", code, tt.errHas, out+p.Output())
			}
			if strings.Contains(p.Output(), "panic") {
				t.Errorf("panicked:\n%s", p.Output())
			}
		})
	}
}

// proxy --inject: the client gets the fault in the upstream's own words,
// the exchange line and the capture name the injection.
func TestProxyInjectNamesTheFault(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Request-Id", "req_011CProxyInjectTest0000000")
		io.WriteString(w, anthropicOK)
	}))
	defer up.Close()
	dir := t.TempDir()
	p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", up.URL, "--save", dir,
		"--inject", "error@3:overloaded_error")
	url := p.WaitFor(t, `listening on (http://\S+)`)
	got := sdkLikeCall(t, url)
	if want := (sdkAttempt{status: 200, errorType: "overloaded_error"}); got != want {
		t.Errorf("client saw %+v, want %+v", got, want)
	}
	p.WaitFor(t, `(injected="error@3:overloaded_error" fired=3)`)
	capture := onlyCapture(t, dir)
	b, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"injected":"error@3:overloaded_error"`, `"by":"midstream"`, `\"request_id\":\"req_011CProxyInjectTest0000000\"`,
		`"injected_fired":true,"injected_event":3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("capture lacks %s:\n%s", want, b)
		}
	}
	// diagnose of that capture says the fault was injected.
	d := start(t, nil, "diagnose", capture)
	d.Wait(t, 20*time.Second)
	flat := strings.Join(strings.Fields(d.Output()), " ") // the report wraps long lines
	if !strings.Contains(flat, "injected by midstream") || !strings.Contains(flat, "it fired at event 3") {
		t.Errorf("diagnose does not say the fault was injected at event 3:\n%s", d.Output())
	}
}
