package stream

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// canary is a fake Anthropic key: no written output may ever contain it.
const canary = "sk-ant-api03-CANARY0123456789abcdefghijklmnopqrstuvwxyz"

// canaryExchange returns a timed exchange whose request carries the canary
// in every place a key hides: headers, URL query, cookies, body.
func canaryExchange() *Exchange {
	return &Exchange{
		Source:  "test#1",
		Format:  FormatHAR,
		Started: time.Date(2026, 11, 25, 19, 0, 0, 123456789, time.UTC),
		Request: &Request{
			Method: "POST",
			URL:    "https://api.anthropic.com/v1/messages?beta=true&key=" + canary,
			Proto:  "HTTP/1.1",
			Header: http.Header{
				"X-Api-Key":     {canary},
				"Authorization": {"Bearer " + canary},
				"Cookie":        {"session=" + canary},
				"Content-Type":  {"application/json"},
			},
			Body: []byte(`{"model":"claude","stream":true,"note":"` + canary + `"}`),
		},
		Response: &Response{
			Proto: "HTTP/1.1", Status: 200, StatusText: "OK",
			Header: http.Header{"Content-Type": {"text/event-stream"}, "Set-Cookie": {"s=" + canary}, "Request-Id": {"req_1"}},
			At:     150 * time.Millisecond,
		},
		Chunks: []Chunk{
			{At: 200 * time.Millisecond, Data: []byte("event: message_start\ndata: {\"type\":\"message_start\"}\n\n")},
			{At: 250*time.Millisecond + 7*time.Microsecond, Data: []byte("event: ping\r\ndata: <&>\u2028\r\n\r\n")},
			{At: 300 * time.Millisecond, Data: []byte{0xff, 0xfe, 'd', 'a', 't', 'a', 0x00, '\n'}},
		},
		Timed: true,
		End:   End{Reason: EndReset, Err: "read tcp: connection reset by peer", At: 310 * time.Millisecond},
		Notes: []string{"content was base64"},
	}
}

func assertNoCanary(t *testing.T, what string, out []byte) {
	t.Helper()
	if bytes.Contains(out, []byte("CANARY")) {
		t.Fatalf("%s leaks the canary key:\n%s", what, out)
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	x := canaryExchange()
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, x, FromBody("bare.sse", []byte("data: 1\n\n"))); err != nil {
		t.Fatal(err)
	}
	assertNoCanary(t, "WriteJSONL", buf.Bytes())
	xs, err := Parse("cap.jsonl", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(xs) != 2 {
		t.Fatalf("got %d exchanges, want 2", len(xs))
	}
	y := xs[0]
	if y.Format != FormatJSONL || y.Source != "test#1" || !y.Timed || !y.Started.Equal(x.Started) {
		t.Errorf("header fields: format %q source %q timed %v started %v", y.Format, y.Source, y.Timed, y.Started)
	}
	if !bytes.Equal(y.Body(), x.Body()) {
		t.Errorf("body changed:\n got %q\nwant %q", y.Body(), x.Body())
	}
	if len(y.Chunks) != 3 || y.Chunks[1].At != x.Chunks[1].At {
		t.Errorf("chunk boundaries or times lost: %+v", y.Chunks)
	}
	if y.End != x.End {
		t.Errorf("end = %+v, want %+v", y.End, x.End)
	}
	if y.Response.Status != 200 || y.Response.At != x.Response.At || y.Response.Header.Get("request-id") != "req_1" {
		t.Errorf("response = %+v", y.Response)
	}
	if got := y.Request.Header.Get("X-Api-Key"); !strings.HasPrefix(got, "sk-ant-") || !strings.Contains(got, "REDACTED") {
		t.Errorf("x-api-key hint = %q, want the public prefix and REDACTED", got)
	}
	if b := xs[1]; b.Response != nil || b.Request != nil || string(b.Body()) != "data: 1\n\n" || b.End.Reason != EndEOF {
		t.Errorf("second exchange = %+v", b)
	}
}

func TestCaptureWriterFlushesEachLine(t *testing.T) {
	x := canaryExchange()
	var sink bytes.Buffer
	bw := bufio.NewWriterSize(&sink, 64<<10) // would hold everything without Flush
	cw := NewCaptureWriter(bw)
	if err := cw.Begin(x); err != nil {
		t.Fatal(err)
	}
	for i, c := range x.Chunks {
		if err := cw.Chunk(c); err != nil {
			t.Fatal(err)
		}
		// After each Chunk the file must read back with every chunk so far.
		xs, err := ReadJSONL("live.jsonl", sink.Bytes())
		if err != nil {
			t.Fatalf("after chunk %d: %v", i, err)
		}
		if n := len(xs[0].Chunks); n != i+1 || xs[0].End.Reason != EndIncomplete {
			t.Fatalf("after chunk %d: %d chunks, end %q", i, n, xs[0].End.Reason)
		}
	}
	if err := cw.End(x.End); err != nil {
		t.Fatal(err)
	}
	assertNoCanary(t, "CaptureWriter", sink.Bytes())
	xs, err := ReadJSONL("live.jsonl", sink.Bytes())
	if err != nil || xs[0].End.Reason != EndReset || !bytes.Equal(xs[0].Body(), x.Body()) {
		t.Fatalf("complete capture: %v %+v", err, xs)
	}
}

func TestCaptureWriterNilResponse(t *testing.T) {
	var buf bytes.Buffer
	cw := NewCaptureWriter(&buf)
	x := &Exchange{Source: "proxy#1", Request: &Request{Method: "POST", URL: "http://127.0.0.1:1/v1/messages"}}
	if err := cw.Begin(x); err != nil {
		t.Fatal(err)
	}
	if err := cw.End(End{Reason: EndError, Err: "dial tcp 127.0.0.1:1: connection refused"}); err != nil {
		t.Fatal(err)
	}
	xs, err := ReadJSONL("p.jsonl", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if xs[0].Response != nil || xs[0].End.Reason != EndError || !strings.Contains(xs[0].End.Err, "refused") {
		t.Errorf("got %+v", xs[0])
	}
}

// TestJSONLCutAtEveryByte cuts a two-exchange capture at every byte, as a
// killed recorder would, and checks what a user is shown.
func TestJSONLCutAtEveryByte(t *testing.T) {
	var buf bytes.Buffer
	a, b := canaryExchange(), canaryExchange()
	b.Source = "test#2"
	if err := WriteJSONL(&buf, a, b); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	firstNL := bytes.IndexByte(full, '\n')
	// Cut right after (or just before the newline of) the first exchange's
	// end line, the file is a whole one-exchange capture: nothing can tell
	// it was cut.
	boundary := bytes.Index(full, []byte("\n{\"format\"")) + 1
	for n := 0; n <= len(full); n++ {
		xs, err := ReadJSONL("cut.jsonl", full[:n])
		if n < firstNL {
			// Not even a header: a clear error, never an empty success.
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Line != 1 {
				t.Fatalf("cut at %d (inside first header): err = %v", n, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		var body []byte
		for _, x := range xs {
			body = append(body, x.Body()...)
		}
		want := append(a.Body(), b.Body()...)
		if !bytes.HasPrefix(want, body) {
			t.Fatalf("cut at %d: body is not a prefix of the original", n)
		}
		last := xs[len(xs)-1]
		whole := n >= len(full)-1 // only the final newline missing
		if whole {
			if len(xs) != 2 || last.End.Reason != EndReset || !bytes.Equal(body, want) {
				t.Fatalf("cut at %d (whole file): %d exchanges, end %q", n, len(xs), last.End.Reason)
			}
			continue
		}
		if n == boundary || n == boundary-1 {
			if len(xs) != 1 || last.End.Reason != EndReset {
				t.Fatalf("cut between exchanges: %d exchanges, end %q", len(xs), last.End.Reason)
			}
			continue
		}
		if last.End.Reason != EndIncomplete && len(last.Notes) < 2 {
			t.Fatalf("cut at %d: last exchange end %q, notes %q: the cut is not reported", n, last.End.Reason, last.Notes)
		}
	}
}

func TestJSONLErrors(t *testing.T) {
	var good bytes.Buffer
	if err := WriteJSONL(&good, FromBody("x", []byte("data: 1\n\n"))); err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(good.String(), "\n")
	header += "\n"
	tests := []struct {
		name       string
		in         string
		line       int
		offset     int64
		msgContain string
	}{
		{"malformed chunk line", header + "{\"t\":\"chunk\",\"text\":\n{\"t\":\"end\"}\n", 2, int64(len(header)), "not a JSON line"},
		{"chunk before header", "{\"t\":\"chunk\",\"at_us\":0,\"text\":\"x\"}\n", 1, 0, "before any header"},
		{"unknown line kind", header + "{\"t\":\"frame\"}\n", 2, int64(len(header)), "neither a header"},
		{"bad base64", header + "{\"t\":\"chunk\",\"at_us\":0,\"b64\":\"@@@\"}\n", 2, int64(len(header)), "bad base64"},
		{"future version", `{"format":"midstream-capture","version":9}` + "\n", 1, 0, "unsupported capture version 9"},
		{"bad started", `{"format":"midstream-capture","version":1,"started":"yesterday"}` + "\n", 1, 0, "RFC 3339"},
		{"negative time", header + "{\"t\":\"chunk\",\"at_us\":-5,\"text\":\"x\"}\n", 2, int64(len(header)), "negative"},
		{"time overflow", header + "{\"t\":\"chunk\",\"at_us\":9223372036854775807,\"text\":\"x\"}\n", 2, int64(len(header)), "out of range"},
		{"response at_ms overflow", `{"format":"midstream-capture","version":1,"response":{"status":200,"at_ms":9223372036854775}}` + "\n", 1, 0, "at_ms"},
		{"text and b64", header + "{\"t\":\"chunk\",\"at_us\":0,\"text\":\"x\",\"b64\":\"eA==\"}\n", 2, int64(len(header)), "both"},
		{"time as a string", header + "{\"t\":\"chunk\",\"at_us\":\"5\",\"text\":\"x\"}\n", 2, int64(len(header)), "bad chunk line: at_us should be an integer, not a JSON string"},
		{"status as a string", `{"format":"midstream-capture","version":1,"response":{"status":"200"}}` + "\n", 1, 0, "response.status should be an integer, not a JSON string"},
		{"negative injected event", header + "{\"t\":\"end\",\"at_us\":0,\"injected_fired\":true,\"injected_event\":-1}\n", 2, int64(len(header)), "injected_event -1"},
		{"negative injected time", header + "{\"t\":\"end\",\"at_us\":0,\"injected_fired\":true,\"injected_event\":1,\"injected_at_us\":-1}\n", 2, int64(len(header)), "injected_at_us"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSONL("bad.jsonl", []byte(tt.in))
			checkFormatError(t, err, FormatError{File: "bad.jsonl", Format: FormatJSONL, Line: tt.line, Offset: tt.offset}, tt.msgContain)
			if strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "jsonlLine") {
				t.Errorf("message %q names our Go types", err)
			}
		})
	}
}

func TestJSONLHandWritten(t *testing.T) {
	// Keys in any case, at_ms instead of at_us, no source, blank lines.
	in := `{"format":"midstream-capture","version":1,"request":null,"response":{"status":529,"status_text":"","headers":{"request-id":["req_9"]},"at_ms":12}}

{"t":"chunk","at_us":0,"text":"{\"type\":\"error\"}"}
{"t":"end","reason":"sideways"}
`
	xs, err := ReadJSONL("hand.jsonl", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	x := xs[0]
	if x.Source != "hand.jsonl#1" || x.Response.Status != 529 || x.Response.Header.Get("Request-Id") != "req_9" || x.Response.At != 12*time.Millisecond {
		t.Errorf("got %+v %+v", x, x.Response)
	}
	if x.End.Reason != EndUnknown || len(x.Notes) != 1 || !strings.Contains(x.Notes[0], "sideways") {
		t.Errorf("unknown reason: end %q notes %q", x.End.Reason, x.Notes)
	}
}

// TestCaptureWriterTargets writes through the writer kinds the recorders
// use: a file (synced at End) and an http.Flusher.
func TestCaptureWriterTargets(t *testing.T) {
	x := canaryExchange()
	path := filepath.Join(t.TempDir(), "cap.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	for _, w := range []io.Writer{f, rec} {
		cw := NewCaptureWriter(w)
		if err := cw.Begin(x); err != nil {
			t.Fatal(err)
		}
		for _, c := range x.Chunks {
			if err := cw.Chunk(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := cw.End(x.End); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if !rec.Flushed {
		t.Error("http.Flusher was never flushed")
	}
	onDisk, _ := os.ReadFile(path)
	for what, b := range map[string][]byte{"file": onDisk, "flusher": rec.Body.Bytes()} {
		assertNoCanary(t, what, b)
		xs, err := ReadJSONL(what, b)
		if err != nil || !bytes.Equal(xs[0].Body(), x.Body()) || xs[0].End.Reason != EndReset {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// errWriter fails every write, as a full disk does.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestCaptureWriterReportsWriteErrors(t *testing.T) {
	cw := NewCaptureWriter(errWriter{})
	if err := cw.Begin(canaryExchange()); err == nil || !strings.Contains(err.Error(), "no space") {
		t.Errorf("Begin err = %v", err)
	}
	if err := cw.Chunk(Chunk{Data: []byte("x")}); err == nil {
		t.Error("Chunk hid the write error")
	}
	if err := WriteJSONL(errWriter{}, canaryExchange()); err == nil {
		t.Error("WriteJSONL hid the write error")
	}
}

// TestJSONLInjectedFired: the end line of an injected exchange says
// whether and where its fault fired, and reads back the same, from JSONL
// and from a HAR export; a capture that does not say (older, or a clean
// exchange) reads as nil.
func TestJSONLInjectedFired(t *testing.T) {
	tests := []struct {
		name     string
		fired    *Fired
		wantLine string // part of the end line ("" : no injected_ field at all)
	}{
		{"clean exchange: nothing said", nil, ""},
		{"injected, never fired", &Fired{}, `"injected_fired":false}`},
		{"fired at event 3", &Fired{Fired: true, Event: 3, At: 1500 * time.Microsecond}, `"injected_fired":true,"injected_event":3,"injected_at_us":1500}`},
		{"status answer: event 0", &Fired{Fired: true}, `"injected_fired":true,"injected_event":0,"injected_at_us":0}`},
		{"tail after the last event", &Fired{Fired: true, Event: 4, AfterLast: true, At: time.Millisecond}, `"injected_event":4,"injected_after_last":true,"injected_at_us":1000}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := FromBody("x", []byte("data: 1\n\n"))
			x.Injected = "cut@3"
			x.End = End{Reason: EndEOF, By: ByMidstream, Fired: tt.fired}
			var buf bytes.Buffer
			if err := WriteJSONL(&buf, x); err != nil {
				t.Fatal(err)
			}
			if tt.wantLine == "" && strings.Contains(buf.String(), "injected_") {
				t.Errorf("capture says more than it knows:\n%s", buf.String())
			}
			if !strings.Contains(buf.String(), tt.wantLine) {
				t.Errorf("capture\n%s\nlacks %s", buf.String(), tt.wantLine)
			}
			ys, err := ReadJSONL("again", buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got := ys[0].End.Fired
			if (got == nil) != (tt.fired == nil) || got != nil && *got != *tt.fired {
				t.Errorf("read back %+v, want %+v", got, tt.fired)
			}
			// A HAR export keeps it in _midstream.
			var har bytes.Buffer
			if err := WriteHAR(&har, ys[0]); err != nil {
				t.Fatal(err)
			}
			hs, err := ReadHAR("again.har", har.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got = hs[0].End.Fired
			if (got == nil) != (tt.fired == nil) || got != nil && *got != *tt.fired {
				t.Errorf("HAR read back %+v, want %+v", got, tt.fired)
			}
		})
	}
}
