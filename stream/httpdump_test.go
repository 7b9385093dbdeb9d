package stream

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHTTPDumpFixtures reads dumps written by real curl (see
// testdata/mkcurl) against a local SSE server.
func TestHTTPDumpFixtures(t *testing.T) {
	full := readFixture(t, "curl-body.sse")
	// The reset handler sends the first two events, then drops the connection.
	firstTwo := full[:bytes.Index(full, []byte(": keepalive"))]
	tests := []struct {
		file      string
		status    int
		proto     string
		body      []byte
		end       EndReason
		endErr    string
		requestID string
		method    string // "" when the dump holds no request
		notes     []string
	}{
		{file: "curl-i.http", status: 200, proto: "HTTP/1.1", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE"},
		{file: "curl-i-http2.http", status: 200, proto: "HTTP/2", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE"},
		{file: "curl-i-100-continue.http", status: 200, proto: "HTTP/1.1", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE", notes: []string{"interim response 100 Continue"}},
		{file: "curl-i-raw-chunked.http", status: 200, proto: "HTTP/1.1", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE", notes: []string{"chunked transfer framing removed"}},
		{file: "curl-i-529.http", status: 529, proto: "HTTP/1.1", body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), end: EndEOF, requestID: "req_011CURL529"},
		{file: "curl-i-reset-noisy.http", status: 200, proto: "HTTP/1.1", body: firstTwo, end: EndReset, endErr: "curl: (18) transfer closed", notes: []string{"progress meter"}},
		{file: "curl-v.txt", status: 200, proto: "HTTP/1.1", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE", method: "POST"},
		{file: "curl-v-progress.txt", status: 200, proto: "HTTP/1.1", body: full, end: EndEOF, requestID: "req_011CURLFIXTURE", method: "POST", notes: []string{"progress meter"}},
		{file: "curl-v-529.txt", status: 529, proto: "HTTP/1.1", body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), end: EndEOF, requestID: "req_011CURL529", method: "POST"},
		{file: "curl-v-529-nobuffer.txt", status: 529, proto: "HTTP/1.1", body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), end: EndEOF, requestID: "req_011CURL529", method: "POST"},
		{file: "curl-v-reset.txt", status: 200, proto: "HTTP/1.1", body: firstTwo, end: EndReset, endErr: "transfer closed", method: "POST"},
		{file: "curl-v-reset-noisy.txt", status: 200, proto: "HTTP/1.1", body: firstTwo, end: EndReset, endErr: "curl: (18)", method: "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFixture(t, tt.file)
			if f := Detect(in); f != FormatHTTP {
				t.Fatalf("detected as %q, want %q", f, FormatHTTP)
			}
			xs, err := Parse(tt.file, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != 1 {
				t.Fatalf("%d exchanges", len(xs))
			}
			x := xs[0]
			if x.Response == nil || x.Response.Status != tt.status || x.Response.Proto != tt.proto {
				t.Fatalf("response = %+v, want %s %d", x.Response, tt.proto, tt.status)
			}
			if got := x.Response.Header.Get("Request-Id"); tt.requestID != "" && got != tt.requestID {
				t.Errorf("request-id = %q, want %q", got, tt.requestID)
			}
			if !bytes.Equal(x.Body(), tt.body) {
				t.Errorf("body differs:\n got %q\nwant %q", x.Body(), tt.body)
			}
			if x.End.Reason != tt.end || !strings.Contains(x.End.Err, tt.endErr) {
				t.Errorf("end = %+v, want %q with %q", x.End, tt.end, tt.endErr)
			}
			if tt.method != "" {
				if x.Request == nil || x.Request.Method != tt.method || !strings.HasPrefix(x.Request.URL, "http://127.0.0.1:") {
					t.Errorf("request = %+v", x.Request)
				}
			}
			for _, n := range tt.notes {
				if !strings.Contains(strings.Join(x.Notes, "\n"), n) {
					t.Errorf("notes %q lack %q", x.Notes, n)
				}
			}
			// Writing it anywhere must not leak the x-api-key curl -v showed.
			var out bytes.Buffer
			if err := WriteJSONL(&out, xs...); err != nil {
				t.Fatal(err)
			}
			assertNoCanary(t, "JSONL of "+tt.file, out.Bytes())
		})
	}
}

func TestHTTPDumpSynthetic(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
		text   string
		body   string
		end    EndReason
		header [2]string
	}{
		{"LF only headers", "HTTP/1.1 200 OK\ncontent-type: text/event-stream\n\ndata: x\n\n", 200, "OK", "data: x\n\n", EndEOF, [2]string{"Content-Type", "text/event-stream"}},
		{"no reason phrase", "HTTP/1.1 529 \r\n\r\n{}", 529, "", "{}", EndEOF, [2]string{}},
		{"folded header", "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\r\n", 200, "OK", "", EndEOF, [2]string{"X-Long", "a b"}},
		{"short content-length", "HTTP/1.1 500 Internal\r\nContent-Length: 10\r\n\r\nabc", 500, "Internal", "abc", EndIncomplete, [2]string{}},
		{"chunked cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nwo", 200, "OK", "hellowo", EndIncomplete, [2]string{}},
		{"chunked declared but decoded", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nevent: ping\n\n", 200, "OK", "event: ping\n\n", EndEOF, [2]string{}},
		{"proxy connect then h2", "HTTP/1.1 200 Connection established\r\n\r\nHTTP/2 429 \r\nretry-after: 3\r\n\r\n{}", 429, "", "{}", EndEOF, [2]string{"Retry-After", "3"}},
		{"curl -v marker inside a body line", "* Trying\n< HTTP/1.1 200 OK\r\n< \r\n{ [10 bytes data]\ndata: {\"a\"{ [5 bytes data]\n:1}\n\n* Connection #0 to host x left intact\n", 200, "OK", "data: {\"a\":1}\n\n", EndEOF, [2]string{}},
		{"curl -v timeout", "* Trying\n< HTTP/2 200 \r\n< \r\ndata: 1\n\n* Operation timed out after 5000 milliseconds with 9 bytes received\n* Closing connection 0\ncurl: (28) Operation timed out after 5000 milliseconds\n", 200, "", "data: 1\n\n", EndTimeout, [2]string{}},
		{"headers cut short", "HTTP/1.1 200 OK\r\nContent-Type: text/ev", 200, "OK", "", EndIncomplete, [2]string{"Content-Type", "text/ev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, err := Parse("dump.http", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			x := xs[0]
			if x.Format != FormatHTTP || x.Response.Status != tt.status || x.Response.StatusText != tt.text {
				t.Fatalf("got %s %+v", x.Format, x.Response)
			}
			if string(x.Body()) != tt.body || x.End.Reason != tt.end {
				t.Errorf("body %q end %q, want %q %q (notes %q)", x.Body(), x.End.Reason, tt.body, tt.end, x.Notes)
			}
			if tt.header[0] != "" && x.Response.Header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], x.Response.Header.Get(tt.header[0]), tt.header[1])
			}
		})
	}
}

func TestHTTPDumpErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		offset int64
		msg    string
	}{
		{"header without colon", "HTTP/1.1 200 OK\r\nContent-Type text/plain\r\n\r\n", 2, 17, "no \"Name:\""},
		{"curl -v header before status", "* Trying\n< content-type: x\n< HTTP/1.1 200 OK\n", 2, 9, "before any"},
		{"curl -v bad response header", "* Trying\n< HTTP/1.1 200 OK\n< bogus\n", 3, 27, "no \"Name:\""},
		{"status not a number", "HTTP/1.1 abc\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n", 1, 0, `got "HTTP/1.1 abc"`},
		{"four-digit status", "\nHTTP/1.1 2000 OK\r\n\r\ndata: x\n\n", 2, 1, `got "HTTP/1.1 2000 OK"`},
		{"status under 100", "HTTP/1.1 099 Odd\r\n\r\n", 1, 0, "expected a status line"},
		{"curl -v malformed status", "* Trying\n< HTTP/1.1 abc\r\n< Content-Type: x\r\n", 2, 9, `got "HTTP/1.1 abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.http", []byte(tt.in))
			checkFormatError(t, err, FormatError{File: "bad.http", Format: FormatHTTP, Line: tt.line, Offset: tt.offset}, tt.msg)
		})
	}
}
