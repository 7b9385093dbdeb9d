package stream

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// addFixtureSeeds seeds f with every testdata fixture.
func addFixtureSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
}

// checkRead asserts what every reader promises on any input: a
// *FormatError or at least one well-formed exchange, never a panic.
func checkRead(t *testing.T, xs []*Exchange, err error) {
	t.Helper()
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error is %T, not *FormatError: %v", err, err)
		}
		if fe.File == "" || fe.Format == "" {
			t.Fatalf("error does not name file and format: %v", err)
		}
		return
	}
	if len(xs) == 0 {
		t.Fatal("no error and no exchange")
	}
	for _, x := range xs {
		if x.Response != nil && x.Response.Header == nil {
			t.Fatal("response with nil Header")
		}
		if x.End.Reason == "" {
			t.Fatal("exchange without an end reason")
		}
		// Whatever was read must survive our own format byte for byte.
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, x); err != nil {
			t.Fatalf("WriteJSONL: %v", err)
		}
		ys, err := ReadJSONL("again", buf.Bytes())
		if err != nil {
			t.Fatalf("re-reading our own JSONL: %v\n%s", err, buf.Bytes())
		}
		if !bytes.Equal(ys[0].Body(), x.Body()) {
			t.Fatalf("JSONL round trip changed the body")
		}
		buf.Reset()
		if err := WriteHAR(&buf, x); err != nil {
			t.Fatalf("WriteHAR: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), writeHARWhole(t, x)) {
			t.Fatalf("streamed HAR differs from the whole document encoded at once")
		}
		hs, err := ReadHAR("again.har", buf.Bytes())
		if err != nil {
			t.Fatalf("re-reading our own HAR: %v\n%s", err, buf.Bytes())
		}
		if !x.BodyMissing && !bytes.Equal(hs[0].Body(), x.Body()) {
			t.Fatalf("HAR round trip changed the body")
		}
	}
}

func FuzzParse(f *testing.F) {
	addFixtureSeeds(f)
	f.Add([]byte("data: x\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := Parse("fuzz", b)
		checkRead(t, xs, err)
	})
}

func FuzzJSONL(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, canaryExchange(), FromBody("b", []byte("data: 1\n\n"))); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Add([]byte(`{"format":"midstream-capture","version":1,"response":{"status":200,"headers":{"a":["b"]},"at_ms":3}}` + "\n" + `{"t":"chunk","at_us":1,"b64":"/w=="}` + "\n"))
	// An injected exchange's end line (End.Fired).
	f.Add([]byte(`{"format":"midstream-capture","version":1,"injected":"cut@2"}` + "\n" +
		`{"t":"end","at_us":5,"reason":"reset","by":"midstream","injected_fired":true,"injected_event":2,"injected_at_us":4}` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := ReadJSONL("fuzz.jsonl", b)
		checkRead(t, xs, err)
		if err == nil {
			// Cutting a readable capture anywhere must still read or fail cleanly.
			xs, err = ReadJSONL("fuzz.jsonl", b[:len(b)/2])
			if err == nil {
				checkRead(t, xs, nil)
			}
		}
	})
}

func FuzzHAR(f *testing.F) {
	for _, name := range []string{"chrome.har", "firefox.har", "mitmproxy.har", "httptoolkit.har"} {
		f.Add(readFixture(f, name))
	}
	var buf bytes.Buffer
	if err := WriteHAR(&buf, canaryExchange()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	// An injected exchange's _midstream with End.Fired.
	inj := FromBody("inj", []byte("data: 1\n\n"))
	inj.Injected, inj.End = "cut@1", End{Reason: EndReset, By: ByMidstream, Fired: &Fired{Fired: true, Event: 1, At: time.Millisecond}}
	buf.Reset()
	if err := WriteHAR(&buf, inj); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := ReadHAR("fuzz.har", b)
		checkRead(t, xs, err)
	})
}

func FuzzHTTPDump(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "curl-*"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\nbody"))
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := ReadHTTPDump("fuzz.http", b)
		checkRead(t, xs, err)
	})
}

func FuzzVCR(f *testing.F) {
	f.Add(readFixture(f, "go-vcr-v2.yaml"))
	f.Add(readFixture(f, "vcrpy.yaml"))
	f.Fuzz(func(t *testing.T, b []byte) {
		xs, err := ReadGoVCR("fuzz.yaml", b)
		checkRead(t, xs, err)
		xs, err = ReadVCRPy("fuzz.yaml", b)
		checkRead(t, xs, err)
	})
}
