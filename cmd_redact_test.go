package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	canaries "github.com/midstreamhq/midstream/internal/canary"
	"github.com/midstreamhq/midstream/stream"
)

// poisonedCapture writes, by hand (midstream's own writers redact), a JSONL
// capture whose request carries a canary of every shape in every place:
// headers under innocent and secret names, a URL (rawURL), a nested JSON
// body, notes, the end error. Its response echoes canaries.Echoed.
func poisonedCapture(t *testing.T, rawURL string) string {
	t.Helper()
	body := string(canaries.Body())
	sse := canaries.SSEError()
	lines := []any{
		map[string]any{
			"format": "midstream-capture", "version": 1, "timed": true, "source": "gw?key=" + canaries.Shaped[7].Value,
			"notes":    []string{canaries.Text(), "Ocp-Apim-Subscription-Key: " + canaries.AzureKey.Value},
			"request":  map[string]any{"method": "POST", "url": rawURL, "headers": canaries.Header(), "body": body},
			"response": map[string]any{"status": 200, "status_text": "OK", "at_us": 1000, "headers": http.Header{"Content-Type": {"text/event-stream"}, "Set-Cookie": {"s=" + canaries.Cookie.Value}}},
		},
		map[string]any{"t": "chunk", "at_us": 2000, "text": sse},
		map[string]any{"t": "end", "at_us": 3000, "reason": "error", "err": "read tcp: " + canaries.Text()},
	}
	var b strings.Builder
	for _, l := range lines {
		j, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "poisoned.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// leaks fails the test for every canary in cs that out shows.
func leaks(t *testing.T, what, out string, cs []canaries.Canary) {
	t.Helper()
	if l := canaries.Leaks(out, cs); len(l) > 0 {
		t.Errorf("%s shows %s", what, strings.Join(l, ", "))
	}
}

// withoutBody cuts the response body (kept byte-exact on purpose) out of
// an export before it is grepped for request canaries.
func withoutBody(out string) string {
	out = strings.ReplaceAll(out, canaries.SSEErrorJSON(), "")
	return strings.ReplaceAll(out, canaries.SSEError(), "")
}

// TestCanariesInExportAndDiagnose: export jsonl/har/sse and diagnose
// text/markdown/json of a poisoned capture, with a URL that parses and
// one that does not. Exports keep the response body (and the keys it
// echoes) byte-exact; reports show no canary at all.
func TestCanariesInExportAndDiagnose(t *testing.T) {
	all := append(append([]canaries.Canary(nil), canaries.All...), canaries.Echoed...)
	for _, u := range []struct{ name, url string }{{"parsed", canaries.URL("https://gw.example")}, {"unparseable", canaries.BadURL()}} {
		in := poisonedCapture(t, u.url)
		for _, to := range []string{"jsonl", "har", "sse"} {
			t.Run(u.name+"/export "+to, func(t *testing.T) {
				out, errOut, code := runCLI(t, nil, "export", in, "--to", to)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				leaks(t, "export "+to, withoutBody(out), canaries.All)
				leaks(t, "export "+to+" stderr", errOut, all)
				if !canaries.Echoed[0].Leaked(out) {
					t.Errorf("export %s lost the response body", to)
				}
			})
		}
		for _, format := range []string{"text", "markdown", "json"} {
			t.Run(u.name+"/diagnose "+format, func(t *testing.T) {
				out, errOut, _ := runCLI(t, nil, "diagnose", "--format", format, in)
				leaks(t, "diagnose "+format, out+errOut, all)
				if !strings.Contains(out, "[REDACTED len=") {
					t.Errorf("diagnose %s shows no hint:\n%s", format, out)
				}
			})
		}
	}
}

// TestCanariesInProxyLogLine: the --no-tui line quotes the end error.
func TestCanariesInProxyLogLine(t *testing.T) {
	in := poisonedCapture(t, canaries.BadURL())
	xs, err := stream.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	line := exchangeLine(xs[0], inspect.Diagnose(xs[0], inspect.Options{}), "c.jsonl")
	leaks(t, "proxy log line", line, canaries.All)
}

// TestCanariesThroughProxyAndLive runs the proxy and live commands against
// a loopback upstream with a poisoned request, and greps their captures
// and everything they print.
func TestCanariesThroughProxyAndLive(t *testing.T) {
	all := append(append([]canaries.Canary(nil), canaries.All...), canaries.Echoed...)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, canaries.SSEError())
	}))
	defer up.Close()

	t.Run("proxy", func(t *testing.T) {
		dir := t.TempDir()
		p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", up.URL, "--save", dir)
		url := p.WaitFor(t, `listening on (http://\S+)`)
		req, _ := http.NewRequest("POST", canaries.URL(url), strings.NewReader(string(canaries.Body())))
		req.Header = canaries.Header()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		p.WaitFor(t, `(capture=\S+)`)
		raw, _ := os.ReadFile(onlyCapture(t, dir))
		leaks(t, "proxy capture", withoutBody(string(raw)), canaries.All)
		leaks(t, "proxy output", p.Output(), all)
	})
	t.Run("live", func(t *testing.T) {
		dir := t.TempDir()
		bodyFile := filepath.Join(dir, "body.json")
		os.WriteFile(bodyFile, canaries.Body(), 0o600)
		args := []string{"live", "--no-tui", "--save", filepath.Join(dir, "live.jsonl"), "-d", "@" + bodyFile}
		for k, vs := range canaries.Header() {
			args = append(args, "-H", fmt.Sprintf("%s: %s", k, vs[0]))
		}
		args = append(args, canaries.URL(up.URL))
		p := start(t, nil, args...)
		p.Wait(t, 20*time.Second)
		raw, err := os.ReadFile(filepath.Join(dir, "live.jsonl"))
		if err != nil {
			t.Fatalf("no capture: %v\n%s", err, p.Output())
		}
		leaks(t, "live capture", withoutBody(string(raw)), canaries.All)
		leaks(t, "live output", p.Output(), all)
	})
}

// TestCanariesInCommandErrors: an error message quoting a URL or a header
// (a bad scheme, a port that does not parse) is redacted when printed.
func TestCanariesInCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{"live", "ftp://gw.example/v1?key=" + canaries.Shaped[7].Value + "&sig=" + canaries.SASSig.Value},
		{"live", "http://gw.example:port/v1?api_key=" + canaries.Password.Value, "-H", "x-api-key: " + canaries.Shaped[0].Value},
		{"live", "-H", "Authorization Bearer " + canaries.Opaque.Value, "http://127.0.0.1:9/v1"},
	} {
		p := start(t, nil, args...)
		if code := p.Wait(t, 10*time.Second); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		leaks(t, fmt.Sprint(args), p.Output(), canaries.All)
	}
}
