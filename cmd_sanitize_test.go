package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/hostile"
	"github.com/midstreamhq/midstream/stream"
)

// The output boundary (issue #9): a hostile upstream or capture puts
// escape sequences in every field people read. These tests run the real
// binary over each output path and check that no raw control reaches
// stdout or stderr while each value is still there to read, escaped.

// hostileValue is what a hostile upstream or capture puts in a field: OSC
// 52 (writes the clipboard), OSC 2 (retitles the window), C1 controls
// (NEL, CSI), bidi overrides and isolates, DEL and NUL. tag names the
// field, so each can be found in the output.
func hostileValue(tag string) string {
	return tag + "\x1b]52;c;cHduZWQ=\x07\x1b]2;" + tag + "-title\x07\u0085\u009b\u202e\u2066\u2069\x7f\x00"
}

// hostileUA is a User-Agent Go's HTTP stack lets through (it refuses C0
// and DEL in header values, not C1 or bidi characters).
const hostileUA = "evil\u009b2J\u202eua\u2066/6.6 x"

// shown reports whether out shows field tag escaped: ESC and BEL as
// control pictures (stream.SafeLine) or as Go escapes (%q).
func shown(out, tag string) bool {
	return strings.Contains(out, tag+"␛]52;c;cHduZWQ=␇") || strings.Contains(out, tag+`\x1b]52;c;cHduZWQ=\a`)
}

// rawControl is hostile.RawControl: the one check of what a terminal must
// never get raw.
var rawControl = hostile.RawControl

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hostileBody is an Anthropic stream whose event name, error type and
// message are hostile (the type arrives JSON-escaped, as a real upstream
// would send it).
func hostileBody() string {
	return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"content\":[]}}\n\n" +
		"event: " + hostileValue("ev") + "\ndata: {\"type\":\"ping\"}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":" + jsonQuote(hostileValue("typ")) + ",\"message\":" + jsonQuote(hostileValue("msg")) + "}}\n\n"
}

// writeHostileCapture writes a JSONL capture, under a hostile file name,
// of three exchanges: a 200 stream failing with a hostile error event, a
// 529 whose error body holds the controls raw, and a page with a hostile
// Content-Type that diagnose skips with a note.
func writeHostileCapture(t *testing.T) string {
	t.Helper()
	req := &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages/" + hostileValue("url"),
		Header: http.Header{"User-Agent": {hostileValue("ua")}, "Anthropic-Version": {"2023-06-01"}},
		Body:   []byte(`{"model":` + jsonQuote(hostileValue("model")) + `,"stream":true}`)}
	a := stream.FromBody(hostileValue("src"), []byte(hostileBody()))
	a.Request = req
	a.Response = &stream.Response{Proto: "HTTP/1.1", Status: 200, StatusText: hostileValue("st"),
		Header: http.Header{"Content-Type": {"text/event-stream"}, "Request-Id": {hostileValue("rid")}}}
	a.Notes = []string{hostileValue("note")}
	b := stream.FromBody("b", []byte("{\n  \"type\": \"error\",\n  \"error\": {\"type\": \"overloaded_error\", \"message\": \""+hostileValue("body")+"\"}\n}"))
	b.Request = req
	b.Response = &stream.Response{Proto: "HTTP/1.1", Status: 529, Header: http.Header{"Content-Type": {"application/json"}}}
	c := stream.FromBody("c", nil)
	c.Response = &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/html" + hostileValue("ct")}}}
	var buf bytes.Buffer
	if err := stream.WriteJSONL(&buf, a, b, c); err != nil {
		t.Fatal(err)
	}
	return writeCapture(t, hostileFileName(".jsonl"), buf.String())
}

// hostileFileName is hostileValue("fname") without the NUL a file name
// cannot hold; every other hostile character it can.
func hostileFileName(ext string) string {
	return strings.ReplaceAll(hostileValue("fname"), "\x00", "") + ext
}

// runBin runs the midstream binary with stdout and stderr as pipes.
func runBin(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return out.String(), errOut.String()
}

// TestHostileCaptureOutputPaths: every hostile field × diagnose (text,
// markdown, json), replay to a pipe, and the stderr notes.
func TestHostileCaptureOutputPaths(t *testing.T) {
	path := writeHostileCapture(t)
	outputs := map[string][2]string{}
	for _, f := range []string{"text", "markdown", "json"} {
		o, e := runBin(t, "diagnose", "--format", f, path)
		outputs["diagnose "+f] = [2]string{o, e}
	}
	o, e := runBin(t, "replay", path)
	outputs["replay"] = [2]string{o, e}
	tests := []struct {
		field string
		paths string // the outputs that show it
	}{
		{"fname", "diagnose text, diagnose markdown, diagnose json"},
		{"src", "replay"}, // replay labels exchanges by their recorded source
		{"note", "diagnose text, diagnose markdown, replay"},
		{"model", "diagnose text, diagnose markdown, diagnose json, replay"},
		{"rid", "diagnose text, diagnose markdown, diagnose json, replay"},
		{"url", "diagnose text, diagnose markdown, diagnose json, replay"},
		{"ua", "diagnose markdown"},
		{"st", "diagnose markdown"},
		{"typ", "diagnose text, diagnose markdown, diagnose json, replay"},
		{"msg", "diagnose text, diagnose markdown, diagnose json, replay"},
		{"ev", "diagnose markdown"},
		{"body", "diagnose text, diagnose markdown, replay"},
	}
	for name, out := range outputs {
		for i, s := range out {
			if r, bad := rawControl(s); bad {
				t.Errorf("%s: %s holds raw %U:\n%s", name, []string{"stdout", "stderr"}[i], r, s)
			}
		}
		for _, tt := range tests {
			if !strings.Contains(tt.paths, name) {
				continue
			}
			if strings.HasSuffix(name, "json") {
				var v any
				if err := json.Unmarshal([]byte(out[0]), &v); err != nil {
					t.Fatalf("diagnose --format json: %v\n%s", err, out[0])
				}
				want := hostileValue(tt.field)
				if tt.field == "fname" {
					want = hostileFileName(".jsonl")
				}
				if !strings.Contains(fmt.Sprint(v), want) {
					t.Errorf("the JSON report lost the exact value of %s", tt.field)
				}
				continue
			}
			if !shown(out[0], tt.field) {
				t.Errorf("%s does not show %s escaped:\n%s", name, tt.field, out[0])
			}
		}
	}
	if e := outputs["diagnose text"][1]; !strings.Contains(e, "skipped 1 exchange") || !strings.Contains(e, "text/htmlct␛]52") || !shown(e, "fname") {
		t.Errorf("the skipped-exchange note should name the file and the Content-Type escaped:\n%s", e)
	}
	// An error naming the file goes through the same boundary.
	if _, e := runBin(t, "diagnose", path+strings.ReplaceAll(hostileValue("missing"), "\x00", "")); !shown(e, "missing") {
		t.Errorf("error for a missing hostile file name:\n%q", e)
	} else if r, bad := rawControl(e); bad {
		t.Errorf("error holds raw %U: %q", r, e)
	}
	if o, e := runBin(t, "demo"); strings.TrimSpace(o) == "" || strings.Contains(o+e, "\x1b") {
		t.Errorf("demo to a pipe: %q %q", o, e)
	}
}

// hostileUpstream serves hostileBody with a hostile request id.
func hostileUpstream(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		// Go's client refuses a header holding C0 controls; C1 and
		// bidi characters reach it.
		w.Header().Set("Request-Id", "req\u009b\u202erid\u2066")
		io.WriteString(w, hostileBody())
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// live --no-tui against a hostile upstream prints its diagnosis escaped.
func TestLiveNoTUIHostileUpstream(t *testing.T) {
	url := hostileUpstream(t)
	p := start(t, nil, "live", "--no-tui", "--save", filepath.Join(t.TempDir(), "live.jsonl"), url+"/v1/messages")
	p.Wait(t, 10*time.Second)
	out := p.Output()
	if r, bad := rawControl(out); bad {
		t.Errorf("live --no-tui output holds raw %U:\n%s", r, out)
	}
	for _, f := range []string{"typ", "msg"} {
		if !shown(out, f) {
			t.Errorf("live --no-tui does not show %s escaped:\n%s", f, out)
		}
	}
	if !strings.Contains(out, `req\u009b\u202erid\u2066`) {
		t.Errorf("live --no-tui does not show the request id escaped:\n%s", out)
	}
}

// proxy --no-tui and serve log the client's User-Agent (sdk=) escaped.
func TestLogLinesHostileUserAgent(t *testing.T) {
	request := func(url string) {
		req, _ := http.NewRequest("POST", url+"/v1/messages", strings.NewReader(`{"stream":true}`))
		req.Header.Set("User-Agent", hostileUA)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	proxy := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", hostileUpstream(t), "--save", t.TempDir())
	// A capture whose headers Go's client accepts: the hostile parts are
	// its file name and its body.
	served := writeCapture(t, hostileFileName(".sse"), hostileBody())
	serve := start(t, nil, "serve", served, "--listen", "127.0.0.1:0", "--instant")
	for name, p := range map[string]*proc{"proxy": proxy, "serve": serve} {
		request(p.WaitFor(t, `listening on (http://[^ ]+)`))
		sdk := p.WaitFor(t, `sdk=(\S+)`)
		p.Signal(syscall.SIGTERM)
		p.Wait(t, 10*time.Second)
		out := p.Output()
		if r, bad := rawControl(out); bad {
			t.Errorf("%s output holds raw %U:\n%s", name, r, out)
		}
		if sdk != `evil\u009b2J\u202eua\u2066@6.6` {
			t.Errorf("%s: sdk=%s, want the User-Agent's product escaped\n%s", name, sdk, out)
		}
	}
	if !shown(serve.Output(), "fname") {
		t.Errorf("serve should name the hostile capture escaped:\n%s", serve.Output())
	}
}

func TestPrintLineKeepsOneLine(t *testing.T) {
	var b bytes.Buffer
	printLine(&b, "note: %s", "a\nforged line\x1b[2J\r")
	if got := b.String(); got != "note: a␊forged line␛[2J␍\n" {
		t.Errorf("printLine wrote %q", got)
	}
}
