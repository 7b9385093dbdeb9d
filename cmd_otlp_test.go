package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	canaries "github.com/midstreamhq/midstream/internal/canary"
	"github.com/midstreamhq/midstream/internal/deadpeer"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// overloadedSSE is an Anthropic stream cut by an overloaded_error event
// after one text delta, the shape of the "Error events" example of
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
// (overloaded_error is 529: https://docs.anthropic.com/en/api/errors).
const overloadedSSE = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
	"event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n"

func TestOTLPArgs(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
	}{
		{"URL as the next argument", []string{"proxy", "--otlp", "http://127.0.0.1:4318"}, []string{"proxy", "--otlp=http://127.0.0.1:4318"}},
		{"https URL", []string{"diagnose", "--otlp", "https://otel.example:4318", "a.sse"}, []string{"diagnose", "--otlp=https://otel.example:4318", "a.sse"}},
		{"bare --otlp before a file", []string{"diagnose", "--otlp", "a.sse"}, []string{"diagnose", "--otlp", "a.sse"}},
		{"bare --otlp last", []string{"proxy", "--otlp"}, []string{"proxy", "--otlp"}},
		{"= form unchanged", []string{"proxy", "--otlp=http://x:1"}, []string{"proxy", "--otlp=http://x:1"}},
		{"after -- untouched", []string{"diagnose", "--", "--otlp", "http://x"}, []string{"diagnose", "--", "--otlp", "http://x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := otlpArgs(c.in); !slices.Equal(got, c.want) {
				t.Errorf("otlpArgs(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// collector is a fake OTLP/HTTP receiver on loopback that keeps the raw
// and decoded trace requests.
type collector struct {
	srv   *httptest.Server
	mu    sync.Mutex
	raw   [][]byte
	spans []*tracepb.Span
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.raw = append(c.raw, b)
		if r.URL.Path != "/v1/traces" {
			return
		}
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			t.Errorf("collector: %v", err)
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				c.spans = append(c.spans, ss.Spans...)
			}
		}
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// attrs returns a span's attributes as strings.
func spanAttrs(s *tracepb.Span) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes {
		v := kv.Value
		switch {
		case v.GetStringValue() != "":
			m[kv.Key] = v.GetStringValue()
		default:
			m[kv.Key] = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(v.String(), "int_value:"), "bool_value:"), " ")
		}
	}
	return m
}

// overloadedUpstream answers every request with overloadedSSE under 200.
func overloadedUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Request-Id", "req_011CSHoEeqs5C35K2UUqR7Fy")
		for _, ev := range strings.SplitAfter(overloadedSSE, "\n\n") {
			fmt.Fprint(w, ev)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// streamThrough sends a request with canary keys through the proxy and
// returns the whole body it streamed back.
func streamThrough(t *testing.T, proxyURL string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", proxyURL+"/v1/messages?"+canaries.Query(), bytes.NewReader(canaries.Body()))
	for k, v := range canaries.Header() {
		req.Header[k] = v
	}
	req.Header.Set("X-Api-Key", sdkCanary)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("streaming through the proxy: %v", err)
	}
	return string(b)
}

// The proxy exports each exchange as a span: the mismatch of a mid-stream
// overloaded_error under HTTP 200 is an Error span with the attributes a
// team alerts on, and no key of any shape is in what reached the collector.
func TestProxyOTLPExportsTheVerdict(t *testing.T) {
	col := newCollector(t)
	p := start(t, []string{"OTEL_SERVICE_NAME=checkout"}, "proxy", "--no-tui", "--listen", "127.0.0.1:0",
		"--upstream", overloadedUpstream(t), "--save", t.TempDir(), "--otlp", col.srv.URL)
	url := p.WaitFor(t, `listening on (http://\S+)`)
	if got := streamThrough(t, url); got != overloadedSSE {
		t.Fatalf("through the proxy: %q", got)
	}
	p.WaitFor(t, `(mismatch=yes)`)
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Output())
	}
	if !strings.Contains(p.Output(), "otlp: 1 span exported to "+col.srv.URL) {
		t.Errorf("no export line on exit:\n%s", p.Output())
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.spans) != 1 {
		t.Fatalf("collector got %d spans", len(col.spans))
	}
	s := col.spans[0]
	a := spanAttrs(s)
	if s.Name != "chat claude-sonnet-4-5" || s.Kind != tracepb.Span_SPAN_KIND_CLIENT || s.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("span %q kind %v status %v", s.Name, s.Kind, s.Status)
	}
	for k, v := range map[string]string{"http.response.status_code": "200", "error.type": "overloaded_error",
		"midstream.mapped_status": "529", "midstream.mismatch": "true", "gen_ai.provider.name": "anthropic",
		"midstream.request_id": "req_011CSHoEeqs5C35K2UUqR7Fy", "server.address": "127.0.0.1"} {
		if a[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, a[k], v, a)
		}
	}
	if !strings.HasSuffix(a["midstream.capture"], ".jsonl") {
		t.Errorf("midstream.capture = %q", a["midstream.capture"])
	}
	all := string(bytes.Join(col.raw, nil))
	if strings.Contains(all, sdkCanary) {
		t.Error("the API key reached the collector")
	}
	if leaks := canaries.Leaks(all, canaries.All); len(leaks) > 0 {
		t.Errorf("the collector got %v", leaks)
	}
}

// A dead collector (a closed port, or one that accepts and never answers)
// costs the streams nothing: each one completes through the proxy, and the
// exit line counts the spans lost.
func TestProxyOTLPDeadCollector(t *testing.T) {
	for _, c := range []struct {
		name     string
		endpoint func(testing.TB) string
	}{{"closed port", deadpeer.ClosedPort}, {"black hole", deadpeer.BlackHole}} {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", overloadedUpstream(t),
				"--save", t.TempDir(), "--otlp="+c.endpoint(t))
			url := p.WaitFor(t, `listening on (http://\S+)`)
			const n = 3
			for i := range n {
				start := time.Now()
				if got := streamThrough(t, url); got != overloadedSSE {
					t.Fatalf("stream %d through the proxy: %q", i, got)
				}
				// A loopback stream takes milliseconds; an export in its way
				// would take the exporter's 5s timeout (the bound is loose
				// for a loaded shared machine).
				if took := time.Since(start); took > 4*time.Second {
					t.Errorf("stream %d took %v with a dead collector", i, took)
				}
				p.WaitFor(t, `(mismatch=yes)`)
			}
			p.Signal(syscall.SIGTERM)
			if code := p.Wait(t, 20*time.Second); code != 0 {
				t.Fatalf("exit %d\n%s", code, p.Output())
			}
			if want := fmt.Sprintf("otlp: %d of %d spans dropped (collector at http://127.0.0.1:", n, n); !strings.Contains(p.Output(), want) {
				t.Errorf("want %q on exit:\n%s", want, p.Output())
			}
		})
	}
}

// diagnose --otlp exports one span per exchange of the files it reads,
// named by the file; flag errors are usage errors.
func TestDiagnoseOTLP(t *testing.T) {
	col := newCollector(t)
	file := filepath.Join(t.TempDir(), "overloaded.sse")
	if err := os.WriteFile(file, []byte(overloadedSSE), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, "diagnose", "--otlp", col.srv.URL, file)
	if code := p.Wait(t, 15*time.Second); code != 1 {
		t.Fatalf("exit %d, want 1 (a mismatch)\n%s", code, p.Output())
	}
	col.mu.Lock()
	if len(col.spans) != 1 || spanAttrs(col.spans[0])["midstream.capture"] != file || spanAttrs(col.spans[0])["midstream.mismatch"] != "true" {
		t.Errorf("spans %v", col.spans)
	}
	col.mu.Unlock()

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"content without --otlp", []string{"diagnose", "--otlp-content", file}, "--otlp-content needs --otlp"},
		{"not an http URL", []string{"diagnose", "--otlp=ftp://x", file}, "not an http:// or https:// URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, nil, c.args...)
			if code := p.Wait(t, 10*time.Second); code != 2 || !strings.Contains(p.Output(), c.want) {
				t.Errorf("exit %d, output %s; want 2 and %q", code, p.Output(), c.want)
			}
		})
	}
}

// serve --otlp exports a span for each answer it serves.
func TestServeOTLP(t *testing.T) {
	col := newCollector(t)
	file := filepath.Join(t.TempDir(), "overloaded.sse")
	if err := os.WriteFile(file, []byte(overloadedSSE), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, "serve", "--instant", "--listen", "127.0.0.1:0", "--otlp", col.srv.URL, file)
	url := p.WaitFor(t, `listening on (http://\S+)`)
	for range 2 {
		resp, err := http.Post(url+"/v1/messages", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Output())
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.spans) != 2 {
		t.Fatalf("collector got %d spans for 2 answers\n%s", len(col.spans), p.Output())
	}
	if a := spanAttrs(col.spans[0]); a["error.type"] != "overloaded_error" || !strings.HasPrefix(a["midstream.capture"], file) {
		t.Errorf("served span %v", a)
	}
}

// live --otlp exports the one exchange it made, named by its capture,
// with the key neither in the span nor anywhere the collector got.
func TestLiveOTLP(t *testing.T) {
	col := newCollector(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, overloadedSSE)
	}))
	defer srv.Close()
	capture := filepath.Join(t.TempDir(), "live.jsonl")
	p := start(t, []string{"ANTHROPIC_API_KEY=" + sdkCanary, "ANTHROPIC_BASE_URL=" + srv.URL},
		"live", "--no-tui", "--save", capture, "--prompt", "hi", "--otlp", col.srv.URL)
	if code := p.Wait(t, 15*time.Second); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, p.Output())
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	if len(col.spans) != 1 {
		t.Fatalf("collector got %d spans\n%s", len(col.spans), p.Output())
	}
	a := spanAttrs(col.spans[0])
	if a["midstream.capture"] != capture || a["midstream.mismatch"] != "true" || a["gen_ai.request.model"] == "" {
		t.Errorf("span %v", a)
	}
	if bytes.Contains(bytes.Join(col.raw, nil), []byte(sdkCanary)) {
		t.Error("the API key reached the collector")
	}
}

// live --otlp and diagnose --otlp with a collector that never answers
// print their diagnosis at once; only then does the exit wait (at most
// otlpDrain) for the export, and say the span was dropped.
func TestOTLPDeadCollectorDiagnosisFirst(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, overloadedSSE)
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "overloaded.sse")
	if err := os.WriteFile(file, []byte(overloadedSSE), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"live", []string{"live", "--no-tui", "--save", filepath.Join(dir, "live.jsonl"), "--prompt", "hi"}},
		{"diagnose", []string{"diagnose", file}},
	} {
		t.Run(c.name, func(t *testing.T) {
			began := time.Now()
			p := start(t, []string{"ANTHROPIC_API_KEY=" + sdkCanary, "ANTHROPIC_BASE_URL=" + srv.URL},
				append(c.args, "--otlp="+deadpeer.BlackHole(t))...)
			p.WaitFor(t, `(overloaded_error)`)
			// The drain lasts otlpDrain (5s) against a black hole: a
			// diagnosis printed after it would come at 5s at the earliest.
			if took := time.Since(began); took >= otlpDrain-time.Second {
				t.Errorf("diagnosis after %v: it waited for the export", took)
			}
			if code := p.Wait(t, 15*time.Second); code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, p.Output())
			}
			if !strings.Contains(p.Output(), "otlp: 1 of 1 span dropped") {
				t.Errorf("no dropped-span line:\n%s", p.Output())
			}
		})
	}
}
