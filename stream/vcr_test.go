package stream

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVCRFixtures(t *testing.T) {
	sse := readFixture(t, "curl-body.sse")
	overloaded := []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
	type want struct {
		status    int
		text      string
		proto     string
		requestID string
		method    string
		body      []byte
		at        time.Duration
		notes     string
	}
	tests := []struct {
		file   string
		format Format
		want   []want
	}{
		{"go-vcr-v2.yaml", FormatGoVCR, []want{
			{status: 200, text: "OK", proto: "HTTP/2.0", requestID: "req_011GOVCR", method: "POST", body: sse, at: 412500 * time.Microsecond},
			{status: 529, text: "status code 529", proto: "HTTP/2.0", requestID: "req_011GOVCR529", method: "POST", body: overloaded, at: 98250 * time.Microsecond},
		}},
		{"vcrpy.yaml", FormatVCRPy, []want{
			{status: 200, text: "OK", requestID: "req_011VCRPY", method: "POST", body: sse},
			{status: 529, text: "", requestID: "req_011VCRPY529", method: "GET", body: overloaded, notes: "gzip"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFixture(t, tt.file)
			if f := Detect(in); f != tt.format {
				t.Fatalf("detected as %q, want %q", f, tt.format)
			}
			xs, err := Parse(tt.file, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != len(tt.want) {
				t.Fatalf("%d exchanges, want %d", len(xs), len(tt.want))
			}
			for i, w := range tt.want {
				x := xs[i]
				if x.Format != tt.format || x.Source != tt.file+"#"+string(rune('1'+i)) {
					t.Errorf("#%d: format %q source %q", i+1, x.Format, x.Source)
				}
				r := x.Response
				if r.Status != w.status || r.StatusText != w.text || r.Proto != w.proto || r.Header.Get("Request-Id") != w.requestID || r.At != w.at {
					t.Errorf("#%d: response %+v, want %d %q %s at %v", i+1, r, w.status, w.text, w.requestID, w.at)
				}
				if x.Request.Method != w.method || !strings.HasPrefix(x.Request.URL, "https://api.anthropic.com/") {
					t.Errorf("#%d: request %s %s", i+1, x.Request.Method, x.Request.URL)
				}
				if !bytes.Equal(x.Body(), w.body) {
					t.Errorf("#%d: body\n got %q\nwant %q", i+1, x.Body(), w.body)
				}
				if w.notes != "" && !strings.Contains(strings.Join(x.Notes, " "), w.notes) {
					t.Errorf("#%d: notes %q lack %q", i+1, x.Notes, w.notes)
				}
			}
			var out bytes.Buffer
			if err := WriteJSONL(&out, xs...); err != nil {
				t.Fatal(err)
			}
			if err := WriteHAR(&out, xs...); err != nil {
				t.Fatal(err)
			}
			assertNoCanary(t, "exports of "+tt.file, out.Bytes())
		})
	}
}

func TestVCRVariants(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		format Format
		status int
		body   string
		header [2]string
	}{
		{"go-vcr v1 without proto or duration", "---\nversion: 1\ninteractions:\n- request:\n    body: \"\"\n    url: http://x/\n    method: GET\n  response:\n    body: \"data: 1\\n\\n\"\n    headers:\n      Content-Type:\n      - text/event-stream\n    status: 200 OK\n    code: 200\n",
			FormatGoVCR, 200, "data: 1\n\n", [2]string{"Content-Type", "text/event-stream"}},
		{"go-vcr status only", "version: 2\ninteractions:\n- request: {method: GET, url: http://x/}\n  response: {body: x, status: 503 Service Unavailable, duration: 1500000}\n",
			FormatGoVCR, 503, "x", [2]string{}},
		{"vcrpy scalar headers and plain body", "interactions:\n- request:\n    body: hi\n    method: POST\n    uri: http://x/\n  response:\n    body: {string: 'data: 2'}\n    headers: {Content-Type: text/event-stream}\n    status: {code: 200, message: OK}\nversion: 1\n",
			FormatVCRPy, 200, "data: 2", [2]string{"Content-Type", "text/event-stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, err := Parse("c.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			x := xs[0]
			if x.Format != tt.format || x.Response.Status != tt.status || string(x.Body()) != tt.body {
				t.Errorf("got %s %d %q", x.Format, x.Response.Status, x.Body())
			}
			if tt.header[0] != "" && x.Response.Header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q", tt.header[0], x.Response.Header.Get(tt.header[0]))
			}
		})
	}
}

func TestVCRErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		format Format
		line   int
		msg    string
	}{
		{"bad indentation", "version: 2\ninteractions:\n- request:\n    url: x\n  response:\n   code: 200\n    body: x\n", FormatGoVCR, 7, "line 7"},
		{"code not a number", "version: 2\ninteractions:\n- request: {url: x}\n  response: {code: two hundred}\n", FormatGoVCR, 4, "cannot unmarshal"},
		{"no status", "version: 2\ninteractions:\n- request: {url: x}\n  response: {body: x}\n", FormatGoVCR, 0, "interaction 1: response code 0"},
		{"bad duration", "version: 2\ninteractions:\n- request: {url: x}\n  response: {code: 200, duration: soon}\n", FormatGoVCR, 4, "not a duration"},
		{"no interactions", "version: 2\ninteractions: []\n", FormatGoVCR, 0, "no interactions"},
		{"vcrpy bad binary", "interactions:\n- request: {uri: x}\n  response:\n    body: {string: !!binary '@@@'}\n    status: {code: 200}\n", FormatVCRPy, 4, "binary"},
		{"vcrpy bad gzip", "interactions:\n- request: {uri: x}\n  response:\n    body: {string: !!binary 'H4sIAAAA'}\n    headers: {Content-Encoding: [gzip]}\n    status: {code: 200}\n", FormatVCRPy, 4, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.in))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
			if fe.Format != tt.format || fe.Line != tt.line || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("got %q (format %s line %d), want %s line %d with %q", err, fe.Format, fe.Line, tt.format, tt.line, tt.msg)
			}
			// The line is named once, by FormatError; yaml's own "yaml: line N:"
			// prefix and multi-line lists must not stutter after it.
			if msg := err.Error(); strings.Contains(msg, "yaml: line") || strings.Contains(msg, "unmarshal errors") || strings.Count(msg, "line ") > 1 || strings.Contains(msg, "\n") || strings.Contains(msg, "::") {
				t.Errorf("error not worded for people: %q", msg)
			}
		})
	}
}

// TestVCRGzipBomb checks that a gzip body expanding past the cap is an
// error naming the cassette and the line, not a body cut at the cap (which
// would read as a stream that ended early).
func TestVCRGzipBomb(t *testing.T) {
	defer func(l Limits) { DefaultLimits = l }(DefaultLimits)
	DefaultLimits.MaxDecompressed = 1 << 10
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte("data: x\n\n"), 200)) // 1800 bytes
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(z.Bytes())
	in := "interactions:\n- request: {uri: x}\n  response:\n    body: {string: !!binary '" + b64 + "'}\n    headers: {Content-Encoding: [gzip]}\n    status: {code: 200}\n"
	_, err := Parse("bomb.yaml", []byte(in))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Line != 4 || !strings.Contains(err.Error(), "bomb.yaml") || !strings.Contains(err.Error(), "decompresses to more than") {
		t.Fatalf("err = %v, want a *FormatError at line 4 saying the body decompresses past the cap", err)
	}
	DefaultLimits.MaxDecompressed = 2 << 10
	xs, err := Parse("ok.yaml", []byte(in))
	if err != nil || len(xs[0].Body()) != 1800 {
		t.Fatalf("under the cap: %v", err)
	}
}

// TestVCRPyParsedBody checks pydantic-ai's cassettes: bodies under
// parsed_body are read (a mapping as its JSON, keys in order; a string as
// itself; a list of a stream's events as SSE), through Parse and the file
// reader alike, never dropped.
func TestVCRPyParsedBody(t *testing.T) {
	wantSSE := "event: message_start\ndata: {\"type\":\"message_start\""
	wantJSON := `{"id":"msg_02","type":"message","role":"assistant","content":[{"type":"text","text":"Hi <there> & welcome"}],"model":"claude-sonnet-4-5","stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":5}}`
	wantReq := `{"max_tokens":1024,"messages":[{"content":"Hello","role":"user"}],"model":"claude-sonnet-4-5","stream":true}`
	for _, how := range []string{"Parse", "ReadFile"} {
		t.Run(how, func(t *testing.T) {
			var xs []*Exchange
			var err error
			if how == "Parse" {
				xs, err = Parse("vcrpy-pydantic-ai.yaml", readFixture(t, "vcrpy-pydantic-ai.yaml"))
			} else {
				xs, err = ReadFile("testdata/vcrpy-pydantic-ai.yaml")
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(xs) != 2 || xs[0].Format != FormatVCRPy {
				t.Fatalf("got %d exchanges", len(xs))
			}
			if b := string(xs[0].Body()); !strings.HasPrefix(b, wantSSE) || !strings.HasSuffix(b, "data: {\"type\":\"message_stop\"}\n\n") {
				t.Errorf("SSE body = %q", b)
			}
			if b := string(xs[1].Body()); b != wantJSON {
				t.Errorf("JSON body = %s\nwant %s", b, wantJSON)
			}
			if b := string(xs[0].Request.BodyBytes()); b != wantReq {
				t.Errorf("request body = %s", b)
			}
		})
	}
	t.Run("event list", func(t *testing.T) {
		in := "interactions:\n- request: {uri: x}\n  response:\n    headers: {content-type: [text/event-stream]}\n    parsed_body:\n    - {type: ping}\n    - \"event: done\\ndata: {}\"\n    status: {code: 200}\n"
		xs, err := Parse("c.yaml", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if b := string(xs[0].Body()); b != "data: {\"type\":\"ping\"}\n\nevent: done\ndata: {}\n\n" {
			t.Errorf("body = %q", b)
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		in := "interactions:\n- request: {uri: x}\n  response:\n    parsed_body:\n      a: &a [x, x, x, x, x, x, x, x, x, x]\n      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n      g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n    status: {code: 200}\n"
		_, err := Parse("bomb.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), "bomb.yaml") || !strings.Contains(err.Error(), "parsed_body") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestVCRPyNoResponseBody checks that a response whose body the cassette
// does not hold at all is an error naming the file and the interaction,
// never an empty stream.
func TestVCRPyNoResponseBody(t *testing.T) {
	in := "interactions:\n- request: {uri: x, body: null}\n  response:\n    body: {string: 'data: 1'}\n    status: {code: 200}\n- request: {uri: x}\n  response:\n    headers: {content-type: [application/json]}\n    status: {code: 200}\n"
	_, err := Parse("nobody.yaml", []byte(in))
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "nobody.yaml") || !strings.Contains(err.Error(), "interaction 2") || !strings.Contains(err.Error(), "no body") {
		t.Fatalf("err = %v", err)
	}
}
