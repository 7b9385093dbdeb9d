package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/canary"
)

// jaegerEnv names the Jaeger v2 binary the OTLP test runs: .ci/run builds
// it once (go build -o … github.com/jaegertracing/jaeger/cmd/jaeger in
// e2e/jaeger, the module that pins it at v1.75.0: see its README) and sets
// it. Locally, without it, the test skips; in CI (CI set) it fails instead.
const jaegerEnv = "MIDSTREAM_JAEGER_BIN"

// overloadedSSE is an Anthropic stream cut by an overloaded_error event
// after one text delta, the shape of the "Error events" example of
// https://docs.anthropic.com/en/docs/build-with-claude/streaming
// (overloaded_error is 529: https://docs.anthropic.com/en/api/errors).
const overloadedSSE = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
	"event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n"

// jaegerConfig is a Jaeger v2 (OpenTelemetry Collector) configuration on
// loopback ports of the test's choosing: an OTLP/HTTP receiver into memory
// storage, and the query service. The all-in-one defaults (OTLP 4317/4318,
// query 16686, and a dozen more) would clash with anything on the machine.
const jaegerConfig = `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 1000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:%d
    grpc:
      endpoint: 127.0.0.1:%d
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`

// TestProxyOTLPIntoJaeger: a mid-stream overloaded_error streamed through
// `midstream proxy --otlp` shows up in a real Jaeger as an error span with
// the HTTP status, the error type, the mapped status and the mismatch, and
// no key anywhere in what Jaeger stored.
func TestProxyOTLPIntoJaeger(t *testing.T) {
	bin := os.Getenv(jaegerEnv)
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: .ci/run builds Jaeger and sets it", jaegerEnv)
		}
		t.Skipf("%s is not set (go build -o /tmp/jaeger github.com/jaegertracing/jaeger/cmd/jaeger in e2e/jaeger, then set it)", jaegerEnv)
	}
	query, otlp := startJaeger(t, bin)

	dir := t.TempDir()
	capture := filepath.Join(dir, "overloaded.sse")
	if err := os.WriteFile(capture, []byte(overloadedSSE), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := start(t, nil, "serve", "--instant", "--listen", "127.0.0.1:0", capture)
	upstream := srv.WaitFor(t, `listening on (http://\S+)`)
	service := fmt.Sprintf("midstream-e2e-%d", time.Now().UnixNano())
	proxy := start(t, []string{"OTEL_SERVICE_NAME=" + service}, "proxy", "--no-tui", "--listen", "127.0.0.1:0",
		"--upstream", upstream, "--save", filepath.Join(dir, "captures"), "--otlp", otlp)
	base := proxy.WaitFor(t, `listening on (http://\S+)`)

	req, _ := http.NewRequest("POST", base+"/v1/messages?"+canary.Query(), bytes.NewReader(canary.Body()))
	for k, v := range canary.Header() {
		req.Header[k] = v
	}
	req.Header.Set("X-Api-Key", sdkCanary)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != overloadedSSE {
		t.Fatalf("through the proxy: %q, %v", body, err)
	}
	proxy.WaitFor(t, `(mismatch=yes)`)
	proxy.Signal(syscall.SIGTERM)
	if code := proxy.Wait(t, 20*time.Second); code != 0 || !strings.Contains(proxy.Output(), "otlp: 1 span exported") {
		t.Fatalf("proxy exit %d:\n%s", code, proxy.Output())
	}

	raw, span := jaegerSpan(t, query, service)
	if span.OperationName != "chat claude-sonnet-4-5" {
		t.Errorf("span name %q, want chat claude-sonnet-4-5", span.OperationName)
	}
	tags := map[string]string{}
	for _, tag := range span.Tags {
		tags[tag.Key] = fmt.Sprint(tag.Value)
	}
	for k, want := range map[string]string{
		"span.kind": "client", "http.response.status_code": "200", "error.type": "overloaded_error",
		"midstream.mapped_status": "529", "midstream.mismatch": "true", "otel.status_code": "ERROR",
		"gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-5",
	} {
		if tags[k] != want {
			t.Errorf("tag %s = %q, want %q (all: %v)", k, tags[k], want, tags)
		}
	}
	if strings.Contains(raw, sdkCanary) || strings.Contains(raw, "E2E-CANARY") {
		t.Error("Jaeger holds the API key")
	}
	if leaks := canary.Leaks(raw, canary.All); len(leaks) > 0 {
		t.Errorf("Jaeger holds %v", leaks)
	}
}

// freePort returns a loopback port free at the time of the call.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startJaeger runs Jaeger with jaegerConfig and waits until its query API
// and OTLP receiver answer; it returns their base URLs.
func startJaeger(t *testing.T, bin string) (query, otlp string) {
	qp, gp, op := freePort(t), freePort(t), freePort(t)
	cfg := filepath.Join(t.TempDir(), "jaeger.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(jaegerConfig, qp, gp, op)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("jaeger output:\n%s", out.String())
		}
	})
	query, otlp = fmt.Sprintf("http://127.0.0.1:%d", qp), fmt.Sprintf("http://127.0.0.1:%d", op)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("jaeger exited:\n%s", out.String())
		default:
		}
		ok := get(query+"/api/services") == http.StatusOK
		// The receiver answers a GET on its path with 405: it is listening.
		ok = ok && get(otlp+"/v1/traces") != 0
		if ok {
			return query, otlp
		}
		if time.Now().After(deadline) {
			t.Fatalf("jaeger not ready after 60s:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// get returns the status of a GET, 0 when nothing answered.
func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// jaegerSpanJSON is the part of a span in Jaeger's /api/traces answer the
// test reads.
type jaegerSpanJSON struct {
	OperationName string `json:"operationName"`
	Tags          []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
}

// jaegerSpan polls Jaeger's HTTP API until service has a trace and
// returns the whole answer and its one span.
func jaegerSpan(t *testing.T, query, service string) (string, jaegerSpanJSON) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(query + "/api/traces?service=" + service)
		if err == nil {
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var ans struct {
				Data []struct {
					Spans []jaegerSpanJSON `json:"spans"`
				} `json:"data"`
			}
			if json.Unmarshal(raw, &ans) == nil && len(ans.Data) > 0 {
				if len(ans.Data) != 1 || len(ans.Data[0].Spans) != 1 {
					t.Fatalf("want 1 trace of 1 span, got %s", raw)
				}
				return string(raw), ans.Data[0].Spans[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no trace of service %s in Jaeger after 30s", service)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
