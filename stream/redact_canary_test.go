package stream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	canaries "github.com/midstreamhq/midstream/internal/canary"
)

// poisoned is an exchange with a canary of every shape in every place a
// request can carry one, and a response that echoes canaries.Echoed.
func poisoned(rawURL string) *Exchange {
	return &Exchange{
		Source: "gateway?key=" + canaries.Shaped[7].Value, Format: FormatJSONL, Timed: true,
		Notes:   []string{canaries.Text(), "X-Auth-Key: " + canaries.AuthKey.Value},
		Request: &Request{Method: "POST", URL: rawURL, Header: canaries.Header(), Body: canaries.Body()},
		Response: &Response{Status: 200, StatusText: "OK", Header: http.Header{
			"Content-Type": {"text/event-stream"}, "Set-Cookie": {"session=" + canaries.Cookie.Value},
			"X-Echo": {canaries.Shaped[11].Value},
		}},
		Chunks: []Chunk{{Data: []byte(canaries.SSEError()), At: time.Millisecond}},
		End:    End{Reason: EndError, Err: "read: " + canaries.Text(), At: 2 * time.Millisecond},
	}
}

// requestLeaks reports the request-side canaries out shows, and whether
// out lacks the hint of a shaped canary (its prefix and "[REDACTED len=").
func requestLeaks(t *testing.T, what, out string) {
	t.Helper()
	if l := canaries.Leaks(out, canaries.All); len(l) > 0 {
		t.Errorf("%s shows %s", what, strings.Join(l, ", "))
	}
	for _, c := range canaries.Shaped {
		if !strings.Contains(out, c.Prefix+hintMark) {
			t.Errorf("%s has no %q hint for %s", what, c.Prefix+hintMark, c.Name)
		}
	}
}

// evidence checks the response body went through byte-exact.
func evidence(t *testing.T, what, out string) {
	t.Helper()
	for _, c := range canaries.Echoed {
		if !c.Leaked(out) {
			t.Errorf("%s lost the response body's %s: the body is evidence, kept byte-exact", what, c.Name)
		}
	}
}

// checkJSONLCapture reads a capture back and checks its request body is
// still the JSON it was, with its non-secret members.
func checkJSONLCapture(t *testing.T, what string, raw []byte) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("%s: invalid JSON line %s", what, sc.Bytes())
		}
	}
	xs, err := Read("c.jsonl", bytes.NewReader(raw))
	if err != nil || len(xs) != 1 || xs[0].Request == nil {
		t.Fatalf("%s: reading back: %v", what, err)
	}
	var body struct {
		Model     string `json:"model"`
		MaxTokens int    `json:"max_tokens"`
	}
	if err := json.Unmarshal(xs[0].Request.Body, &body); err != nil || body.Model != "claude-sonnet-4-5" || body.MaxTokens != 1024 {
		t.Errorf("%s: request body %s no longer the same JSON: %v %+v", what, xs[0].Request.Body, err, body)
	}
}

// TestCanariesInWrittenExchanges: JSONL (whole and as a live capture),
// HAR and Redact itself, for a URL that parses and one that does not.
func TestCanariesInWrittenExchanges(t *testing.T) {
	for _, u := range []struct{ name, url string }{{"parsed url", canaries.URL("https://gw.example")}, {"unparseable url", canaries.BadURL()}} {
		x := poisoned(u.url)
		t.Run(u.name+"/jsonl", func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSONL(&b, x); err != nil {
				t.Fatal(err)
			}
			requestLeaks(t, "jsonl", strings.ReplaceAll(b.String(), canaries.SSEErrorJSON(), ""))
			evidence(t, "jsonl", b.String())
			checkJSONLCapture(t, "jsonl", b.Bytes())
		})
		t.Run(u.name+"/capture writer", func(t *testing.T) {
			var b bytes.Buffer
			cw := NewCaptureWriter(&b)
			if cw.Begin(x) != nil || cw.Chunk(x.Chunks[0]) != nil || cw.End(x.End) != nil {
				t.Fatal("writing the capture failed")
			}
			requestLeaks(t, "capture", strings.ReplaceAll(b.String(), canaries.SSEErrorJSON(), ""))
			checkJSONLCapture(t, "capture", b.Bytes())
		})
		t.Run(u.name+"/har", func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteHAR(&b, x); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b.Bytes()) {
				t.Fatal("invalid HAR")
			}
			requestLeaks(t, "har", strings.ReplaceAll(b.String(), canaries.SSEErrorJSON(), ""))
			evidence(t, "har", b.String())
		})
		t.Run(u.name+"/redact twice", func(t *testing.T) {
			once := Redact(x)
			twice := Redact(once)
			a, _ := json.Marshal(once)
			b, _ := json.Marshal(twice)
			if !bytes.Equal(a, b) {
				t.Errorf("Redact is not idempotent:\n%s\n%s", a, b)
			}
		})
	}
}

// upstream answers every request with canaries.SSEError.
func upstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, canaries.SSEError())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCanariesInProxyCaptures sends a poisoned request through the proxy
// to a loopback upstream and greps the capture it writes.
func TestCanariesInProxyCaptures(t *testing.T) {
	up := upstream(t)
	u, _ := url.Parse(up.URL)
	dir := t.TempDir()
	done := make(chan struct{})
	p := &Proxy{Upstream: u, Open: DirCaptures(dir), OnDone: func(*Exchange, string, error) { close(done) }}
	srv := httptest.NewServer(p)
	defer srv.Close()
	req, _ := http.NewRequest("POST", canaries.URL(srv.URL), bytes.NewReader(canaries.Body()))
	req.Header = canaries.Header()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != canaries.SSEError() {
		t.Fatalf("through the proxy: %q", got)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the proxy never finished the exchange")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("%d captures", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	requestLeaks(t, "proxy capture", strings.ReplaceAll(string(raw), canaries.SSEErrorJSON(), ""))
	evidence(t, "proxy capture", string(raw))
	checkJSONLCapture(t, "proxy capture", raw)
}

// TestCanariesInLiveCaptures runs Live with a poisoned request against a
// loopback upstream and greps the capture.
func TestCanariesInLiveCaptures(t *testing.T) {
	up := upstream(t)
	var b bytes.Buffer
	req := &Request{Method: "POST", URL: canaries.URL(up.URL), Header: canaries.Header(), Body: canaries.Body()}
	if _, err := Live(context.Background(), req, LiveOptions{Sink: NewCaptureWriter(&b)}); err != nil {
		t.Fatal(err)
	}
	requestLeaks(t, "live capture", strings.ReplaceAll(b.String(), canaries.SSEErrorJSON(), ""))
	evidence(t, "live capture", b.String())
	checkJSONLCapture(t, "live capture", b.Bytes())
}
