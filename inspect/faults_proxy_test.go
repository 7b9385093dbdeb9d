package inspect

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// proxyThrough runs a stream.Proxy with inj in front of an upstream that
// answers every request with fx's stream, recording to a fresh folder.
func proxyThrough(t *testing.T, fx faultFixture, inj stream.Injector) (proxyURL, dir string, p *stream.Proxy) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "faults", fx.file))
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range fx.header {
			w.Header()[k] = v
		}
		// Two writes, flushed: frames straddle the proxy's reads.
		half := len(body) / 2
		w.Write(body[:half])
		w.(http.Flusher).Flush()
		w.Write(body[half:])
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	dir = t.TempDir()
	p = &stream.Proxy{Upstream: u, Open: stream.DirCaptures(dir), Inject: inj}
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	return ps.URL, dir, p
}

// readCaptures reads every capture the proxy wrote, in request order.
func readCaptures(t *testing.T, dir string) []*stream.Exchange {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var xs []*stream.Exchange
	for _, n := range names {
		got, err := stream.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, got...)
	}
	return xs
}

// A proxied exchange hit by a fault is recorded as the client received
// it, named as injected and ended by midstream; the clean retry is
// recorded as the upstream sent it, ended by the upstream.
func TestProxyRecordsInjectedExchange(t *testing.T) {
	tests := []struct {
		spec    string
		status  int
		end     string // what the client saw
		reason  stream.EndReason
		bodyHas string
		// fired is the capture's end line: whether and at which event
		// (0: in place of the response) the fault fired.
		fired bool
		event int
	}{
		{"error@3:overloaded_error", 200, "clean", stream.EndEOF, `"type":"overloaded_error","message":"Overloaded"`, true, 3},
		{"cut@2", 200, "abort", stream.EndReset, `data: {"type":"content_block_st`, true, 2},
		{"status:529,retry-after=3", 529, "clean", stream.EndEOF, `{"type":"error","error":{"type":"overloaded_error"`, true, 0},
		{"cut-before-end", 200, "clean", stream.EndEOF, `"stop_reason":"end_turn"`, true, -1},  // -1: the last event, counted below
		{"error@99:api_error", 200, "clean", stream.EndEOF, `"type":"message_stop"`, false, 0}, // never fires
	}
	fx := faultFixtures[0] // anthropic
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := ParseFault(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			at, _ := ParseAttempts("1")
			// The proxy forwards to a local upstream whose URL says nothing:
			// the dialect comes from the upstream's events or the request path.
			purl, dir, p := proxyThrough(t, fx, NewInjector([]Fault{f}, at, 0))
			first := fetch(t, purl+"/v1/messages")
			second := fetch(t, purl+"/v1/messages")
			p.Stop()
			p.Wait()
			if first.status != tt.status || first.end != tt.end || !strings.Contains(string(first.body), tt.bodyHas) {
				t.Errorf("client saw %d/%s\n%s\nwant %d/%s holding %q", first.status, first.end, first.body, tt.status, tt.end, tt.bodyHas)
			}
			if second.status != 200 || second.end != "clean" || !strings.Contains(string(second.body), "message_stop") {
				t.Errorf("the retry was not clean: %d/%s\n%s", second.status, second.end, second.body)
			}
			xs := readCaptures(t, dir)
			if len(xs) != 2 {
				t.Fatalf("%d captures, want 2", len(xs))
			}
			x := xs[0]
			by := stream.ByMidstream
			if tt.spec == "error@99:api_error" {
				by = stream.ByUpstream // it never fired
			}
			if x.Injected != tt.spec || x.End.By != by || x.End.Reason != tt.reason {
				t.Errorf("capture 1: injected %q, end %+v; want %q ended by %s (%s)", x.Injected, x.End, tt.spec, by, tt.reason)
			}
			wantEvent := tt.event
			if wantEvent < 0 {
				// The terminator: the clean stream's last frame.
				wantEvent = len(strings.Split(strings.TrimRight(string(xs[1].Body()), "\n"), "\n\n"))
			}
			if f := x.End.Fired; f == nil || f.Fired != tt.fired || f.Event != wantEvent || f.AfterLast {
				t.Errorf("capture 1 end says fired %+v, want fired=%v at event %d", f, tt.fired, wantEvent)
			}
			if y := xs[1]; y.End.Fired != nil {
				t.Errorf("capture 2 (clean) says fired %+v, want nothing", *y.End.Fired)
			}
			if got := string(x.Body()); got != string(first.body) {
				t.Errorf("capture 1 records\n%s\nbut the client received\n%s", got, first.body)
			}
			if x.Response == nil || x.Response.Status != tt.status {
				t.Errorf("capture 1 status %+v, want %d", x.Response, tt.status)
			}
			if y := xs[1]; y.Injected != "" || y.End.By != stream.ByUpstream || y.End.Reason != stream.EndEOF {
				t.Errorf("capture 2: injected %q, end %+v; want clean, ended by the upstream", y.Injected, y.End)
			}
		})
	}
}

// reset@N through the proxy: the client's connection is reset, and the
// capture says so.
func TestProxyResetFault(t *testing.T) {
	f, _ := ParseFault("reset@2")
	purl, dir, p := proxyThrough(t, faultFixtures[1], NewInjector([]Fault{f}, Attempts{all: true}, 0))
	got := fetch(t, purl+"/v1/chat/completions")
	p.Stop()
	p.Wait()
	if got.end != "reset" {
		t.Errorf("client saw end %q, want reset", got.end)
	}
	xs := readCaptures(t, dir)
	if len(xs) != 1 || xs[0].Injected != "reset@2" || xs[0].End.Reason != stream.EndReset || !strings.Contains(xs[0].End.Err, "reset@2") {
		t.Errorf("capture = %+v", xs)
	}
}

// An upstream's own error answer passes through a proxy with --inject
// untouched and unlabelled (a diagnosis must not call it injected); a
// status fault still answers in its place and is labelled.
func TestProxyLeavesUpstreamErrorsAlone(t *testing.T) {
	errBody := `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(429)
		w.Write([]byte(errBody))
	}))
	defer up.Close()
	for _, tt := range []struct {
		spec     string
		status   int
		injected string
	}{
		{"error@1:overloaded_error", 429, ""},
		{"cut-before-end", 429, ""},
		{"status:529", 529, "status:529"},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			f, _ := ParseFault(tt.spec)
			u, _ := url.Parse(up.URL)
			dir := t.TempDir()
			p := &stream.Proxy{Upstream: u, Open: stream.DirCaptures(dir), Inject: NewInjector([]Fault{f}, Attempts{all: true}, 0)}
			ps := httptest.NewServer(p)
			defer ps.Close()
			got := fetch(t, ps.URL+"/v1/messages")
			p.Stop()
			p.Wait()
			if got.status != tt.status || (tt.injected == "" && string(got.body) != errBody) {
				t.Errorf("client got %d %q", got.status, got.body)
			}
			xs := readCaptures(t, dir)
			if len(xs) != 1 || xs[0].Injected != tt.injected {
				t.Errorf("capture injected %q, want %q", xs[0].Injected, tt.injected)
			}
		})
	}
}
