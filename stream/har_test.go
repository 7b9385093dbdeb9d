package stream

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHARFixtures(t *testing.T) {
	sse := readFixture(t, "curl-body.sse")
	type want struct {
		source      string
		status      int // 0: no response
		proto       string
		requestID   string
		body        []byte
		bodyMissing bool
		end         EndReason
		endErr      string
		at          time.Duration
		started     time.Time
	}
	tests := []struct {
		file string
		want []want
	}{
		{"chrome.har", []want{
			{source: "chrome.har#1", status: 200, proto: "HTTP/2", requestID: "req_011CHROME", body: sse, end: EndEOF,
				at: 413815 * time.Microsecond, started: time.Date(2026, 11, 25, 18, 59, 59, 912e6, time.UTC)},
			{source: "chrome.har#2", status: 0, body: []byte{}, end: EndReset, endErr: "net::ERR_CONNECTION_RESET",
				started: time.Date(2026, 11, 25, 19, 0, 3, 100e6, time.UTC)},
		}},
		{"firefox.har", []want{
			{source: "firefox.har#1", status: 529, proto: "HTTP/2", requestID: "req_011FIREFOX",
				body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), end: EndEOF,
				at: 231 * time.Millisecond, started: time.Date(2026, 11, 25, 19, 0, 0, 512e6, time.UTC)},
		}},
		{"mitmproxy.har", []want{
			{source: "mitmproxy.har#1", status: 200, proto: "HTTP/1.1", requestID: "req_011MITM", body: []byte{}, bodyMissing: true, end: EndEOF,
				at: 303400 * time.Microsecond, started: time.Date(2026, 11, 25, 19, 0, 0, 123456e3, time.UTC)},
		}},
		// Written by a real recorder (testdata/mknodehar) against a loopback server.
		{"node-fetch-har.har", []want{
			{source: "node-fetch-har.har#1", status: 200, proto: "HTTP/1.1", requestID: "req_011NODEHAR", body: sse, end: EndEOF,
				at: 47865253 * time.Nanosecond, started: time.Date(2026, 11, 25, 20, 12, 10, 725e6, time.UTC)},
			{source: "node-fetch-har.har#2", status: 529, proto: "HTTP/1.1", requestID: "req_011NODEHAR529",
				body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`), end: EndEOF,
				at: 15024132 * time.Nanosecond, started: time.Date(2026, 11, 25, 20, 12, 10, 865e6, time.UTC)},
		}},
		{"httptoolkit.har", []want{
			{source: "httptoolkit.har#1", status: 200, proto: "HTTP/1.1", body: append(append([]byte(nil), sse...), 0xff), end: EndEOF,
				at: 120 * time.Millisecond, started: time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFixture(t, tt.file)
			if f := Detect(in); f != FormatHAR {
				t.Fatalf("detected as %q", f)
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
				if x.Source != w.source || x.Format != FormatHAR || !x.Started.Equal(w.started) {
					t.Errorf("#%d: source %q format %q started %v", i+1, x.Source, x.Format, x.Started)
				}
				if w.status == 0 {
					if x.Response != nil {
						t.Errorf("#%d: response %+v, want none", i+1, x.Response)
					}
				} else if x.Response == nil || x.Response.Status != w.status || x.Response.Proto != w.proto ||
					x.Response.Header.Get("Request-Id") != w.requestID || (x.Response.At-w.at).Abs() > time.Microsecond {
					t.Errorf("#%d: response %+v, want %d %s at %v", i+1, x.Response, w.status, w.proto, w.at)
				}
				if !bytes.Equal(x.Body(), w.body) || x.BodyMissing != w.bodyMissing {
					t.Errorf("#%d: body %d bytes missing=%v, want %d bytes missing=%v", i+1, len(x.Body()), x.BodyMissing, len(w.body), w.bodyMissing)
				}
				if x.End.Reason != w.end || x.End.Err != w.endErr {
					t.Errorf("#%d: end %+v, want %q %q", i+1, x.End, w.end, w.endErr)
				}
				if x.Request == nil || x.Request.Method != "POST" || !strings.Contains(string(x.Request.Body), `"stream":true`) {
					t.Errorf("#%d: request %+v", i+1, x.Request)
				}
			}
			for _, write := range []struct {
				name string
				fn   func(*bytes.Buffer) error
			}{
				{"WriteHAR", func(b *bytes.Buffer) error { return WriteHAR(b, xs...) }},
				{"WriteJSONL", func(b *bytes.Buffer) error { return WriteJSONL(b, xs...) }},
			} {
				var out bytes.Buffer
				if err := write.fn(&out); err != nil {
					t.Fatal(err)
				}
				assertNoCanary(t, write.name+" of "+tt.file, out.Bytes())
			}
		})
	}
}

// TestHARRoundTrip checks that what WriteHAR writes reads back with its
// chunk times, end reason and body intact, and without secrets.
func TestHARRoundTrip(t *testing.T) {
	x := canaryExchange()
	bare := FromBody("bare.sse", []byte("data: {}\n\n"))
	var out bytes.Buffer
	if err := WriteHAR(&out, x, bare); err != nil {
		t.Fatal(err)
	}
	assertNoCanary(t, "WriteHAR", out.Bytes())
	xs, err := Parse("out.har", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	y := xs[0]
	if !bytes.Equal(y.Body(), x.Body()) || len(y.Chunks) != len(x.Chunks) || !y.Timed || y.Chunks[1].At != x.Chunks[1].At {
		t.Errorf("chunks not restored: %+v", y.Chunks)
	}
	if y.End != x.End || y.Response.At != x.Response.At || !y.Started.Equal(x.Started) {
		t.Errorf("end %+v at %v started %v", y.End, y.Response.At, y.Started)
	}
	if b := xs[1]; b.Request != nil || b.Response != nil || string(b.Body()) != "data: {}\n\n" {
		t.Errorf("bare body exchange: %+v", b)
	}
}

func TestHARErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		offset int64
		msg    string
	}{
		{"truncated", "{\"log\": {\"entries\": [\n{\"request\": ", 2, 34, "unexpected end"},
		{"wrong type", "{\"log\": {\"entries\": [{\"response\": {\"status\": \"200\"}}]}}", 1, 50, "status"},
		{"no entries", `{"log": {"version": "1.2", "entries": []}}`, 0, -1, "no requests"},
		{"bad base64", `{"log": {"entries": [{"response": {"status": 200, "content": {"text": "@@", "encoding": "base64"}}}]}}`, 1, 21, "entry 1: response content: bad base64"},
		{"bad time in second entry", "{\"log\": {\"version\": \"1.2\", \"entries\": [\n  {},\n  {\"startedDateTime\": \"yesterday\"}]}}", 3, 48, "entry 2: startedDateTime"},
		{"null log", `{"log": null}`, 0, -1, `no "log"`},
		{"request is a string, not an object", `{"log": {"entries": [{"request": "oops"}]}}`, 1, 39, "log.entries.request should be an object, not a JSON string"},
		{"status is a string, named as an integer", `{"log": {"entries": [{"response": {"status": "x"}}]}}`, 1, 48, "status should be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.har", []byte(tt.in))
			checkFormatError(t, err, FormatError{File: "bad.har", Format: FormatHAR, Line: tt.line, Offset: tt.offset}, tt.msg)
			if strings.Contains(err.Error(), "stream.") || strings.Contains(err.Error(), "harRequest") {
				t.Errorf("error leaks a Go type name: %q", err)
			}
		})
	}
}

// TestHARMidstreamTimesChecked: times in the "_midstream" field are
// checked like JSONL's, so a hand-edited HAR cannot put the end of a body
// before the request started, nor wrap a huge value into a negative one.
func TestHARMidstreamTimesChecked(t *testing.T) {
	entry := func(extra string) string {
		return `{"log": {"entries": [{"response": {"status": 200, "content": {"text": "data: {}\n\n"}}, "_midstream": ` + extra + `}]}}`
	}
	tests := []struct {
		name  string
		extra string
		msg   string // "" when the entry must read
	}{
		{"valid times", `{"end": "reset", "end_at_us": 5000, "chunks": [{"at_us": 1, "len": 4}, {"at_us": 2, "len": 6}]}`, ""},
		{"negative end", `{"end": "reset", "end_at_us": -5}`, "entry 1: _midstream: end: negative at_us -5"},
		{"overflowing end", `{"end": "reset", "end_at_us": 9223372036854775807}`, "entry 1: _midstream: end: at_us 9223372036854775807 is out of range"},
		{"negative chunk time", `{"chunks": [{"at_us": -1, "len": 10}]}`, "entry 1: _midstream: chunk 1: negative at_us -1"},
		{"negative chunk len", `{"chunks": [{"at_us": 1, "len": -1}]}`, "entry 1: _midstream: chunk 1: negative len -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, err := Parse("x.har", []byte(entry(tt.extra)))
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				x := xs[0]
				if len(x.Chunks) != 2 || x.Chunks[1].At != 2*time.Microsecond || x.End.At != 5*time.Millisecond || x.End.Reason != EndReset {
					t.Errorf("chunks %+v end %+v", x.Chunks, x.End)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Format != FormatHAR || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want a HAR FormatError with %q", err, tt.msg)
			}
		})
	}
}

// TestHARMidstreamChunkLensOverBody: chunk lengths that add up past the
// body (or overflow int) leave the body whole instead of slicing past it.
func TestHARMidstreamChunkLensOverBody(t *testing.T) {
	in := `{"log": {"entries": [{"response": {"status": 200, "content": {"text": "data: {}\n\n"}}, "_midstream": {"chunks": [{"at_us": 1, "len": 9223372036854775807}, {"at_us": 2, "len": 9223372036854775807}, {"at_us": 3, "len": 12}]}}]}}`
	xs, err := Parse("x.har", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if x := xs[0]; len(x.Chunks) != 1 || string(x.Body()) != "data: {}\n\n" || x.Timed {
		t.Errorf("chunks %+v timed %v, want the body whole and untimed", x.Chunks, x.Timed)
	}
}
