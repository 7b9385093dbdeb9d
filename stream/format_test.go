package stream

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Format
	}{
		{"sse body", "event: ping\ndata: {}\n\n", FormatSSE},
		{"sse body with BOM", "\xef\xbb\xbfdata: x\n\n", FormatSSE},
		{"sse comment first", ": OPENROUTER PROCESSING\n\ndata: {}\n\n", FormatSSE},
		{"json error body", `{"type":"error","error":{"type":"overloaded_error"}}`, FormatSSE},
		{"jsonl header", `{"format":"midstream-capture","version":1}` + "\n", FormatJSONL},
		{"jsonl with keys reordered", `{"version":1,"format":"midstream-capture"}` + "\n", FormatJSONL},
		{"jsonl cut in first line", `{"format":"midst`, FormatJSONL},
		{"har", "  {\n  \"log\": {\"entries\": []}}", FormatHAR},
		{"har with other keys first", `{"comment": "x", "log": {}}`, FormatHAR},
		{"curl -i", "HTTP/1.1 200 OK\r\n\r\n", FormatHTTP},
		{"curl -i http2", "HTTP/2 529 \r\n\r\n", FormatHTTP},
		{"malformed status line", "HTTP/1.1 abc\r\n\r\ndata: x\n\n", FormatHTTP},
		{"curl -v", "*   Trying 127.0.0.1:8080...\n> GET / HTTP/1.1\n< HTTP/1.1 200 OK\n", FormatHTTP},
		{"curl progress meter", "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n", FormatHTTP},
		{"go-vcr", "---\nversion: 2\ninteractions:\n- request: {}\n  response: {code: 200}\n", FormatGoVCR},
		{"vcrpy", "interactions:\n- request: {}\n  response:\n    status: {code: 200}\nversion: 1\n", FormatVCRPy},
		{"star line but no response", "* just a note\n", FormatSSE},
		{"data line mentioning HTTP", "data: HTTP/1.1 200 OK\n\n", FormatSSE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.in)); got != tt.want {
				t.Errorf("Detect = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBareSSE(t *testing.T) {
	body := []byte("\xef\xbb\xbfevent: ping\r\ndata: x\r\n\r\n")
	xs, err := Parse("body.sse", body)
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 1 || xs[0].Response != nil || xs[0].Format != FormatSSE || !bytes.Equal(xs[0].Body(), body) {
		t.Fatalf("got %+v", xs[0])
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n\n  \n"} {
		_, err := Parse("empty.sse", []byte(in))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "empty.sse") || !strings.Contains(err.Error(), "empty") {
			t.Errorf("Parse(%q) err = %v, want a FormatError saying the file is empty", in, err)
		}
	}
}

// TestParseBinary: input that is no capture — binary data, text or JSON
// with no SSE field line — is refused with an error naming the file (and
// the first non-text byte of binary data), while a stream whose data
// carries stray non-UTF-8 bytes, a keepalive-only stream and a JSON error
// body saved without headers still read.
func TestParseBinary(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		format Format
		offset int64
		msg    string // "" = reads as a bare body
	}{
		{"random bytes", "ab\x00\xff\xfe\x01garbage\n\x9c", FormatSSE, 3, "binary data: not a capture midstream reads"},
		{"gzip'd body", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", FormatSSE, 1, "gzip-compressed data: decompress it first"},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FormatSSE, 0, "binary data"},
		{"Latin-1 inside data", "event: x\ndata: caf\xe9\n\n", "", 0, ""},
		{"text without fields", "# notes\nnot a stream\n", "", -1, "not a capture midstream reads"},
		{"JSON document", `{"name":"x"}`, "", -1, "HAR, a go-vcr or vcrpy cassette, curl -i/-v output or an HTTP dump"},
		{"field indented", "  data: x\n\n", "", -1, "not a capture"},
		{"keepalive comments only", ": keepalive\n\n: keepalive\n\n", "", 0, ""},
		{"retry only", "retry: 1000\n\n", "", 0, ""},
		{"JSON error body", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xs, err := Parse("in.bin", []byte(tc.in))
			if tc.msg == "" {
				if err != nil || len(xs) != 1 {
					t.Fatalf("Parse = %d exchanges, %v; want the bare body", len(xs), err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Format != tc.format || fe.Offset != tc.offset || !strings.HasPrefix(err.Error(), "in.bin") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want a FormatError (format %q) at byte %d with %q", err, tc.format, tc.offset, tc.msg)
			}
		})
	}
}

// TestSharedSamples reads the project's shared sample streams, when present
// beside the repository (../shared/samples from its root).
func TestSharedSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "samples")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared samples not available: %v", err)
	}
	seen := 0
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if ext != ".sse" && ext != ".http" {
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			xs, err := ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != 1 {
				t.Fatalf("%d exchanges", len(xs))
			}
			x := xs[0]
			switch ext {
			case ".sse":
				if x.Format != FormatSSE || x.Response != nil || x.BodyLen() == 0 {
					t.Errorf("format %q response %v body %d bytes", x.Format, x.Response, x.BodyLen())
				}
			case ".http":
				if x.Format != FormatHTTP || x.Response == nil {
					t.Fatalf("format %q response %v", x.Format, x.Response)
				}
				if strings.Contains(name, "529") {
					if x.Response.Status != 529 || x.Response.Header.Get("Request-Id") == "" || x.BodyLen() != 75 || x.End.Reason != EndEOF {
						t.Errorf("status %d request-id %q body %d bytes end %q", x.Response.Status, x.Response.Header.Get("Request-Id"), x.BodyLen(), x.End.Reason)
					}
				}
			}
		})
	}
	if seen == 0 {
		t.Skip("no .sse or .http samples in " + dir)
	}
}

// checkFormatError asserts that err is a *FormatError naming want's file,
// format, line and byte offset, and that its message names the file and
// contains msg.
func checkFormatError(t *testing.T, err error, want FormatError, msg string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want *FormatError", err)
	}
	if fe.File != want.File || fe.Format != want.Format || fe.Line != want.Line || fe.Offset != want.Offset {
		t.Errorf("error at %s as %s line %d byte %d, want %s as %s line %d byte %d",
			fe.File, fe.Format, fe.Line, fe.Offset, want.File, want.Format, want.Line, want.Offset)
	}
	if text := err.Error(); !strings.Contains(text, msg) || !strings.Contains(text, want.File) {
		t.Errorf("message %q lacks %q or the file name", text, msg)
	}
}
