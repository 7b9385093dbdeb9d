package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeHARWhole is how WriteHAR worked before it streamed bodies: the whole
// document, bodies included, through one encoder. TestWriteHARStreamsSameBytes
// holds the streamed output to it byte for byte.
func writeHARWhole(t *testing.T, xs ...*Exchange) []byte {
	t.Helper()
	f := newHARFile()
	for _, x := range xs {
		r := Redact(x)
		e := harEntryOf(r)
		if !r.BodyMissing {
			e.Response.Content.Text, e.Response.Content.Encoding = harEncode(r.Body())
		}
		f.Log.Entries = append(f.Log.Entries, e)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return SafeJSON(buf.Bytes()) // what WriteHAR promises: no raw DEL, C1 or bidi
}

// TestWriteHARStreamsSameBytes checks that streaming the bodies changes
// nothing in the file: for every fixture, and for bodies built to catch a
// wrong escape or a wrong cut (every control character, U+2028, HTML
// characters, multi-byte runes across the 64 KiB pieces, invalid UTF-8,
// many chunks, no body, an empty body, several exchanges).
func TestWriteHARStreamsSameBytes(t *testing.T) {
	var ctl strings.Builder
	for c := range 0x20 {
		ctl.WriteByte(byte(c))
	}
	ctl.WriteString("\"\\/<>&\u2028\u2029\x7f")
	mk := func(chunks ...string) *Exchange {
		x := &Exchange{Source: "t", Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}}, End: End{Reason: EndEOF}}
		for _, c := range chunks {
			x.Chunks = append(x.Chunks, Chunk{Data: []byte(c)})
		}
		return x
	}
	// Runes of 2, 3 and 4 bytes laid so that some straddle each 64 KiB cut.
	var runes strings.Builder
	for runes.Len() < 200<<10 {
		runes.WriteString("é日🙂x")
	}
	cases := map[string][]*Exchange{
		"control and special characters": {mk("data: " + ctl.String() + "\n\n")},
		"runes across pieces":            {mk(runes.String())},
		"runes across pieces and chunks": {mk(runes.String()[:70001], runes.String()[70001:140003], runes.String()[140003:])},
		"invalid UTF-8, base64":          {mk("data: \xff\xfe\n\n", strings.Repeat("data: x\n\n", 20000))},
		"empty body":                     {mk()},
		"several exchanges":              {mk("data: 1\n\n"), mk("data: \xff\n\n"), mk(runes.String()[:5000])},
	}
	missing := mk()
	missing.BodyMissing = true
	cases["body missing"] = []*Exchange{missing, mk("data: 2\n\n")}
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, path := range fixtures {
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			continue
		}
		xs, err := ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases["fixture "+filepath.Base(path)] = xs
	}
	for name, xs := range cases {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteHAR(&got, xs...); err != nil {
				t.Fatal(err)
			}
			want := writeHARWhole(t, xs...)
			if !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
					i++
				}
				t.Fatalf("streamed HAR differs at byte %d of %d/%d: got %q, want %q", i, got.Len(), len(want),
					got.Bytes()[i:min(got.Len(), i+40)], want[i:min(len(want), i+40)])
			}
			back, err := Parse(name+".har", got.Bytes())
			if err != nil || len(back) != len(xs) {
				t.Fatalf("reads back as %d exchanges, %v", len(back), err)
			}
			for i, x := range xs {
				if !x.BodyMissing && !bytes.Equal(back[i].Body(), x.Body()) {
					t.Fatalf("exchange %d: body does not read back", i+1)
				}
			}
		})
	}
}

// failWriter fails its n-th write.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n == 0 {
		return 0, fmt.Errorf("disk full")
	}
	return len(p), nil
}

// TestWriteHARWriteError checks that a failing writer's error comes back,
// whichever write fails (before, inside or after a streamed body).
func TestWriteHARWriteError(t *testing.T) {
	x := &Exchange{Source: "t", Response: &Response{Status: 200, Header: http.Header{}}, Chunks: []Chunk{{Data: bytes.Repeat([]byte("data: x\n\n"), 30000)}}}
	count := &failWriter{n: -1}
	if err := WriteHAR(count, x); err != nil {
		t.Fatal(err)
	}
	writes := -1 - count.n
	if writes < 4 {
		t.Fatalf("%d writes: the body was not streamed", writes)
	}
	for n := 1; n <= writes; n++ {
		if err := WriteHAR(&failWriter{n: n}, x); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("failing write %d of %d: err = %v", n, writes, err)
		}
	}
}
