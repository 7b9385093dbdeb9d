package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// faultFixture is one real-format stream the byte tests inject into. The
// fixtures and their sources are listed in testdata/faults/SOURCES.md.
type faultFixture struct {
	name, file, url string
	header          http.Header
}

var faultFixtures = []faultFixture{
	{"anthropic", "anthropic.sse", "https://api.anthropic.com/v1/messages",
		http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}, "Request-Id": {"req_011CVyF2oQ7fixtureRequestId"}}},
	{"openai-chat", "openai-chat.sse", "https://api.openai.com/v1/chat/completions",
		http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}, "X-Request-Id": {"req_6d1f0c2b5e8a4c7f9b3e2d1a0c9b8a7f"}}},
	{"openai-responses", "openai-responses.sse", "https://api.openai.com/v1/responses",
		http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}, "X-Request-Id": {"req_0b8f3e2a1c4d5e6f7a8b9c0d1e2f3a4b"}}},
	{"gemini", "gemini.sse", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
		http.Header{"Content-Type": {"text/event-stream"}}},
}

// faultSpecs are the faults every fixture is served with; each gets a
// golden file per dialect under testdata/faults/golden.
var faultSpecs = []string{
	"error@1:overloaded_error", "error@3:overloaded_error", "error@2:api_error", "error@2:rate_limit_error",
	"error@1h:overloaded_error", "error@99:overloaded_error",
	"cut@2", "cut-between@2", "cut-before-end", "reset@3",
	"stall@2:30ms", "drip:200000", "garble@2", "tail:503",
	"status:529", "status:429,retry-after=2", "status:503", "status:500",
	"stall@1:10ms+error@2:overloaded_error",
}

// loadFaultFixture returns the fixture as a 200 exchange split into one
// chunk per 100 bytes (so frames straddle reads, as on the wire).
func loadFaultFixture(t *testing.T, fx faultFixture) *stream.Exchange {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "faults", fx.file))
	if err != nil {
		t.Fatal(err)
	}
	x := &stream.Exchange{
		Source:   fx.file,
		Request:  &stream.Request{Method: "POST", URL: fx.url, Header: http.Header{}},
		Response: &stream.Response{Status: 200, Header: fx.header.Clone()},
		End:      stream.End{Reason: stream.EndEOF},
	}
	for len(body) > 0 {
		n := min(100, len(body))
		x.Chunks = append(x.Chunks, stream.Chunk{Data: body[:n]})
		body = body[n:]
	}
	return x
}

// served is what a client saw: status, the headers a retry decision
// reads, the body bytes and how the body ended.
type served struct {
	status int
	header http.Header
	body   []byte
	end    string // "clean", "abort" or "reset"
}

func (s served) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "status: %d\nend: %s\n", s.status, s.end)
	for _, k := range []string{"Content-Type", "Request-Id", "X-Request-Id", "X-Should-Retry", "Retry-After"} {
		if v := s.header.Get(k); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(s.body)
	return b.String()
}

// serveOnce serves x through a stream.Server with inj and fetches it once.
func serveOnce(t *testing.T, x *stream.Exchange, inj stream.Injector) served {
	t.Helper()
	return serveWith(t, &stream.Server{Plan: []*stream.Exchange{x}, Instant: true, Inject: inj})
}

// serveWith serves through srv and fetches once.
func serveWith(t *testing.T, srv *stream.Server) served {
	t.Helper()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	return fetch(t, hs.URL)
}

// fetch makes one request with a fresh connection and reads the answer.
func fetch(t *testing.T, url string) served {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Post(url, "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	s := served{status: resp.StatusCode, header: resp.Header, body: body, end: "clean"}
	switch {
	case err == nil:
	case errors.Is(err, syscall.ECONNRESET):
		s.end = "reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		s.end = "abort"
	default:
		t.Fatalf("body read: unexpected error %v", err)
	}
	return s
}

func specFile(spec string) string {
	r := strings.NewReplacer("@", "_at_", ":", "_", ",", "_", "=", "_", "+", "_and_")
	return r.Replace(spec) + ".txt"
}

// TestFaultBytes pins the exact bytes (status, headers, body, end) every
// fault produces in every dialect, served through stream.Server to a real
// HTTP client. Rewrite with: go test ./inspect -run TestFaultBytes -update
func TestFaultBytes(t *testing.T) {
	for _, fx := range faultFixtures {
		for _, spec := range faultSpecs {
			t.Run(fx.name+"/"+spec, func(t *testing.T) {
				var faults []Fault
				for _, s := range strings.Split(spec, "+") {
					f, err := ParseFault(s)
					if err != nil {
						t.Fatal(err)
					}
					faults = append(faults, f)
				}
				at, _ := ParseAttempts("1")
				got := serveOnce(t, loadFaultFixture(t, fx), NewInjector(faults, at, 0)).String()
				path := filepath.Join("testdata", "faults", "golden", fx.name, specFile(spec))
				if updating() {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal([]byte(got), want) {
					t.Errorf("served bytes differ from %s\n--- got\n%s\n--- want\n%s", path, got, want)
				}
			})
		}
	}
}

func readFixtureBytes(fx faultFixture) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", "faults", fx.file))
}
