package inspect

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// loadExchange reads a fixture: *.http files are full HTTP/1.1 responses
// (parsed here, so the tests do not depend on the capture readers), every
// other file is a bare SSE body.
func loadExchange(t testing.TB, path string) *stream.Exchange {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(path) != ".http" {
		return stream.FromBody(filepath.Base(path), b)
	}
	return httpExchange(t, filepath.Base(path), b)
}

// httpExchange parses a raw HTTP response into an untimed exchange.
func httpExchange(t testing.TB, name string, raw []byte) *stream.Exchange {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &stream.Exchange{
		Source:   name,
		Format:   stream.FormatHTTP,
		Response: &stream.Response{Proto: res.Proto, Status: res.StatusCode, Header: res.Header},
		Chunks:   []stream.Chunk{{Data: body}},
		End:      stream.End{Reason: stream.EndEOF},
	}
}

// withResponse gives x a response with status and header pairs.
func withResponse(x *stream.Exchange, status int, kv ...string) *stream.Exchange {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	x.Response = &stream.Response{Status: status, Header: h}
	return x
}

// withRequest gives x a request.
func withRequest(x *stream.Exchange, method, url, body string, kv ...string) *stream.Exchange {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	x.Request = &stream.Request{Method: method, URL: url, Header: h, Body: []byte(body)}
	return x
}

// timed splits body into chunks at the given event boundaries ("\n\n")
// arriving at the given times: times[i] is when the i-th event's chunk
// arrives. Extra events share the last time.
func timed(body string, times ...time.Duration) *stream.Exchange {
	x := &stream.Exchange{Source: "timed", Format: stream.FormatJSONL, Timed: true, End: stream.End{Reason: stream.EndEOF}}
	parts := strings.SplitAfter(body, "\n\n")
	for i, p := range parts {
		if p == "" {
			continue
		}
		at := times[min(i, len(times)-1)]
		x.Chunks = append(x.Chunks, stream.Chunk{At: at, Data: []byte(p)})
	}
	return x
}

// sse builds an SSE body from (event, data) pairs; an empty event name
// writes a data-only frame.
func sse(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != "" {
			b.WriteString("event: " + pairs[i] + "\n")
		}
		b.WriteString("data: " + pairs[i+1] + "\n\n")
	}
	return b.String()
}

// codes lists the finding codes of v.
func codes(v *Verdict) []string {
	var out []string
	for _, f := range v.Findings {
		out = append(out, f.Code)
	}
	return out
}

// finding returns the finding with code, or nil.
func finding(v *Verdict, code string) *Finding {
	for i := range v.Findings {
		if v.Findings[i].Code == code {
			return &v.Findings[i]
		}
	}
	return nil
}

func hasCode(v *Verdict, code string) bool { return slices.Contains(codes(v), code) }
