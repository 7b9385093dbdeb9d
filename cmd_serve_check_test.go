package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// writeServeCapture writes a JSONL capture of two exchanges, the second
// answering with status and header, and returns its path.
func writeServeCapture(t *testing.T, status int, header http.Header) string {
	t.Helper()
	ok := stream.FromBody("ok", []byte("data: 1\n\n"))
	x := stream.FromBody("bad", []byte("data: 2\n\n"))
	x.Response = &stream.Response{Proto: "HTTP/1.1", Status: status, Header: header}
	var buf bytes.Buffer
	must(t, stream.WriteJSONL(&buf, ok, x))
	path := filepath.Join(t.TempDir(), "cap.jsonl")
	must(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path
}

// TestServeRefusesUnservableCaptures: serve refuses at load, exit 2, a
// capture that would send control bytes in headers or answer with a 1xx
// status, naming the file and the exchange.
func TestServeRefusesUnservableCaptures(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		err    string // "" when served
	}{
		{"NUL in a value", 200, http.Header{"X-Foo": {"a\x00b"}}, `cap.jsonl#2: header "X-Foo" holds control bytes`},
		{"ESC in a value", 200, http.Header{"X-Foo": {"\x1b[31mred"}}, `cap.jsonl#2: header "X-Foo" holds control bytes`},
		{"DEL in a value", 200, http.Header{"X-Foo": {"a\x7f"}}, `header "X-Foo" holds control bytes`},
		{"newline in a value", 200, http.Header{"X-Foo": {"a\nSet-Cookie: x"}}, `header "X-Foo" holds control bytes`},
		{"ESC in a name", 200, http.Header{"X-\x1bFoo": {"v"}}, `header name "X-\x1bFoo" holds control bytes`},
		{"status 100", 100, nil, "cap.jsonl#2: status 100 is informational"},
		{"status 101", 101, nil, "cap.jsonl#2: status 101 is informational"},
		{"status 103", 103, nil, "cap.jsonl#2: status 103 is informational"},
		{"tab in a value is fine", 200, http.Header{"X-Foo": {"a\tb"}}, ""},
		{"plain 529", 529, http.Header{"Content-Type": {"text/event-stream"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeServeCapture(t, tc.status, tc.header)
			if xs, err := stream.ReadFile(path); err != nil || len(xs) != 2 {
				t.Fatalf("capture does not read back: %v", err)
			}
			err := stream.CheckServable(mustRead(t, path)[1])
			if tc.err == "" {
				if err != nil {
					t.Fatalf("CheckServable = %v, want nil", err)
				}
				return
			}
			_, stderr, code := runCLI(t, nil, "serve", "--listen", "127.0.0.1:0", path, "--then", path+"#2")
			want := strings.Replace(tc.err, "cap.jsonl", path, 1)
			if code != 2 || !strings.Contains(stderr, want) {
				t.Fatalf("exit %d, stderr %q; want 2 with %q", code, stderr, want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []*stream.Exchange {
	t.Helper()
	xs, err := stream.ReadFile(path)
	must(t, err)
	return xs
}
