package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

func TestSplitExchangeRef(t *testing.T) {
	tests := []struct {
		ref  string
		file string
		n    int
	}{
		{"ok.jsonl", "ok.jsonl", 1},
		{"capture.har#3", "capture.har", 3},
		{"dir/with#hash/x.sse", "dir/with#hash/x.sse", 1},
		{"name#draft", "name#draft", 1},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			if f, n := splitExchangeRef(tt.ref); f != tt.file || n != tt.n {
				t.Errorf("= %q, %d; want %q, %d", f, n, tt.file, tt.n)
			}
		})
	}
}

func TestServeRejectsBadArguments(t *testing.T) {
	fixture := filepath.Join("testdata", "overloaded_midstream.sse")
	bad := filepath.Join(t.TempDir(), "status-abc.http")
	if err := os.WriteFile(bad, []byte("HTTP/1.1 abc\r\n\r\ndata: x\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		errHas string
	}{
		{"speed zero", []string{fixture, "--speed", "0"}, 2, "--speed must be above 0"},
		{"speed and instant", []string{fixture, "--speed", "2", "--instant"}, 2, "exclude each other"},
		{"no such exchange", []string{fixture, "--exchange", "4"}, 2, "holds 1 exchange(s); there is no exchange 4"},
		{"missing file", []string{"/nonexistent/capture.jsonl"}, 2, "cannot read /nonexistent/capture.jsonl"},
		{"missing --then file", []string{fixture, "--then", "/nonexistent/ok.jsonl"}, 2, "cannot read /nonexistent/ok.jsonl"},
		{"unreadable file", []string{bad}, 2, "line 1 (byte 0): expected a status line"},
		{"no file", nil, 2, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, tt.args...)...)
			if code := p.Wait(t, 10*time.Second); code != tt.code || !strings.Contains(p.Output(), tt.errHas) {
				t.Errorf("exit %d, want %d naming %q\n%s", code, tt.code, tt.errHas, p.Output())
			}
		})
	}
}

// serve answers the first request with FILE and later ones with --then,
// logging each with the SDK its headers name.
func TestServeThenLogsEachRequestWithItsSDK(t *testing.T) {
	fixture := filepath.Join("testdata", "overloaded_midstream.sse")
	failing, _ := os.ReadFile(fixture)
	okFile := filepath.Join(t.TempDir(), "ok.sse")
	ok := "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	os.WriteFile(okFile, []byte(ok), 0o600)

	p := start(t, nil, "serve", fixture, "--then", okFile, "--listen", "127.0.0.1:0", "--instant")
	url := p.WaitFor(t, `listening on (http://\S+)`)
	for i, want := range []string{string(failing), ok, ok} {
		req, _ := http.NewRequest("POST", url+"/v1/messages", strings.NewReader(`{}`))
		req.Header.Set("User-Agent", "Anthropic/Python 0.121.0")
		req.Header.Set("X-Stainless-Lang", "python")
		req.Header.Set("X-Stainless-Package-Version", "0.121.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("request %d: %q (%s), want %q", i+1, body, resp.Header.Get("Content-Type"), want)
		}
	}
	p.WaitFor(t, `#3 POST /v1/messages sdk=(anthropic-python@0\.121\.0) → .*ok\.sse#1`)
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
}

// loadExchange reads a capture named several times (FILE, --then FILE#2)
// once: the second reference is served from what the first read, even
// when the file has gone meanwhile.
func TestLoadExchangeReadsEachFileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.jsonl")
	var buf bytes.Buffer
	if err := stream.WriteJSONL(&buf, stream.FromBody("a", []byte("data: 1\n\n")), stream.FromBody("b", []byte("data: 2\n\n"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	read := map[string][]*stream.Exchange{}
	first, err := loadExchange(read, path, 1, stream.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	second, err := loadExchange(read, path, 2, stream.Limits{})
	if err != nil {
		t.Fatalf("second reference read the file again: %v", err)
	}
	if string(first.Body()) != "data: 1\n\n" || string(second.Body()) != "data: 2\n\n" {
		t.Errorf("bodies %q, %q", first.Body(), second.Body())
	}
	if _, err := loadExchange(read, path, 3, stream.Limits{}); err == nil || !strings.Contains(err.Error(), "holds 2 exchange(s); there is no exchange 3") {
		t.Errorf("exchange 3: err = %v", err)
	}
}
