package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

const diagOverloaded = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"content\":[]}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
	"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded sk-ant-api03-CANARYCLIKEY0123456789\"}}\n\n"

const diagComplete = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"content\":[]}}\n\n" +
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n" +
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

// diagRun runs the CLI in-process and returns stdout, the error text and
// the exit status main would use.
func diagRun(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return out.String(), "", 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return out.String(), err.Error(), ee.code
	}
	return out.String(), err.Error(), 2
}

func writeCapture(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// withErrorFinding makes every verdict carry an error-severity finding
// (or none), to pin the exit-status rule whatever the checks conclude.
func withErrorFinding(t *testing.T, sev inspect.Severity) {
	t.Helper()
	old := diagnoseExchange
	t.Cleanup(func() { diagnoseExchange = old })
	diagnoseExchange = func(x *stream.Exchange, opt inspect.Options) *inspect.Verdict {
		v := old(x, opt)
		v.Findings = []inspect.Finding{{Code: "T-test", Severity: sev, Title: "planted"}}
		return v
	}
}

func TestDiagnoseExitStatus(t *testing.T) {
	good := writeCapture(t, "ok.sse", diagComplete)
	tests := []struct {
		name     string
		severity inspect.Severity // planted finding, "" for none
		args     []string
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"no findings exits 0", "", []string{"diagnose", good}, "", 0, ""},
		{"warning only exits 0", inspect.SeverityWarning, []string{"diagnose", good}, "", 0, ""},
		{"error finding exits 1", inspect.SeverityError, []string{"diagnose", good}, "", 1, ""},
		{"error finding in json exits 1", inspect.SeverityError, []string{"diagnose", "--format", "json", good}, "", 1, ""},
		{"missing file exits 2 naming it", "", []string{"diagnose", good, "/nonexistent/cap.sse"}, "", 2, "/nonexistent/cap.sse"},
		{"directory exits 2", "", []string{"diagnose", filepath.Dir(good)}, "", 2, "is a directory"},
		{"no file exits 2", "", []string{"diagnose"}, "", 2, "name at least one capture file"},
		{"bad format exits 2", "", []string{"diagnose", "--format", "xml", good}, "", 2, `--format "xml": want text, markdown or json`},
		{"bad sdk exits 2 listing names", "", []string{"diagnose", "--sdk", "anthropic-rust@1.0.0", good}, "", 2, "anthropic-python, anthropic-typescript"},
		{"bad sdk version exits 2", "", []string{"diagnose", "--sdk", "anthropic-go@next", good}, "", 2, `version "next"`},
		{"bad status exits 2", "", []string{"diagnose", "--status", "42", good}, "", 2, "--status 42"},
		{"unknown flag exits 2", "", []string{"diagnose", "--frobnicate", good}, "", 2, "unknown flag"},
		{"stdin twice exits 2", "", []string{"diagnose", "-", "-"}, diagComplete, 2, "stdin (-) named twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.severity != "" {
				withErrorFinding(t, tt.severity)
			}
			_, msg, code := diagRun(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d (%s), want %d", code, msg, tt.wantCode)
			}
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not contain %q", msg, tt.wantErr)
			}
		})
	}
}

// TestDiagnoseExitMatchesFindings: with the real checks, the exit status
// is 1 exactly when the JSON report holds an error-severity finding.
func TestDiagnoseExitMatchesFindings(t *testing.T) {
	for _, body := range []string{diagOverloaded, diagComplete} {
		p := writeCapture(t, "c.sse", body)
		out, msg, code := diagRun(t, "", "diagnose", "--format", "json", p)
		if code == 2 {
			t.Fatalf("exit 2: %s", msg)
		}
		var doc struct {
			Exchanges []struct {
				Findings []struct{ Severity string }
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("json report: %v\n%s", err, out)
		}
		hasErr := false
		for _, x := range doc.Exchanges {
			for _, f := range x.Findings {
				hasErr = hasErr || f.Severity == "error"
			}
		}
		if want := map[bool]int{true: 1, false: 0}[hasErr]; code != want {
			t.Errorf("exit %d, but error findings present = %v", code, hasErr)
		}
	}
}

func TestDiagnoseFormats(t *testing.T) {
	a := writeCapture(t, "a.sse", diagOverloaded)
	b := writeCapture(t, "b.sse", diagComplete)
	conv := filepath.Join(t.TempDir(), "conv.jsonl") // its header names a.sse as source
	if _, msg, code := diagRun(t, "", "export", a, "--to", "jsonl", "-o", conv); code != 0 {
		t.Fatalf("export: %s", msg)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"text over two files", []string{"diagnose", a, b}, "", []string{"midstream " + version + " — 2 exchanges", "[1] " + a, "[2] " + b, "status         HTTP 200 (assumed"}},
		{"markdown", []string{"diagnose", "--format", "markdown", a}, "", []string{"# midstream diagnosis", "| HTTP status | Stream stands for | Verdict |", "### How to reproduce", "midstream serve " + a}},
		{"md alias", []string{"diagnose", "-f", "md", a}, "", []string{"# midstream diagnosis"}},
		{"json from stdin", []string{"diagnose", "--format", "json", "-"}, diagOverloaded, []string{`"schema": "midstream.diagnosis/v1"`, `"source": "stdin"`, `"http_status_assumed": true`}},
		{"sdk flag", []string{"diagnose", "--sdk", "anthropic-go@1.37.0", a}, "", []string{"your SDK: anthropic-go 1.37.0 (named with --sdk)"}},
		{"multi-exchange files are numbered", []string{"diagnose", "-f", "json", "stream/testdata/chrome.har", "stream/testdata/vcrpy.yaml"}, "", []string{`"source": "stream/testdata/chrome.har#1"`, `"source": "stream/testdata/chrome.har#2"`, `"source": "stream/testdata/vcrpy.yaml#2"`}},
		{"sdk detected from a cassette's headers", []string{"diagnose", "stream/testdata/vcrpy.yaml"}, "", []string{"your SDK: anthropic-python", "(detected from request headers)"}},
		{"a converted capture is labelled by its own file", []string{"diagnose", "-f", "md", conv}, "", []string{"## 1. `" + conv + "`", "midstream serve " + conv + "\n"}},
		{"status flag", []string{"diagnose", "--format", "json", "--status", "200", a}, "", []string{`"http_status": 200`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, msg, code := diagRun(t, tt.stdin, tt.args...)
			if code == 2 {
				t.Fatalf("exit 2: %s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "CANARYCLIKEY") {
				t.Errorf("a key in the stream survived in the report")
			}
		})
	}
}

// TestDiagnoseBinary builds the real binary and checks what a shell sees:
// exit statuses, stderr naming the file, and stdin.
func TestDiagnoseBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "midstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ok := writeCapture(t, "ok.sse", diagComplete)
	run := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	if out, errOut, code := run("", "diagnose", "--format", "json", ok); code == 2 || !strings.Contains(out, `"outcome"`) {
		t.Errorf("good file: exit %d, stderr %q, stdout %q", code, errOut, out)
	}
	if _, errOut, code := run("", "diagnose", "/nonexistent/x.har"); code != 2 || !strings.Contains(errOut, "/nonexistent/x.har") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := run("", "diagnose", "--sdk", "nope", ok); code != 2 || !strings.Contains(errOut, "vercel-ai") {
		t.Errorf("bad sdk: exit %d, stderr %q", code, errOut)
	}
	if out, _, code := run(diagOverloaded, "diagnose", "-"); code == 2 || !strings.Contains(out, "[1] stdin") {
		t.Errorf("stdin: exit %d, stdout %q", code, out)
	}
}

// TestDiagnoseSkipsNonStreamsInHAR: a browser HAR holds the page and its
// assets beside the API stream; the report covers the stream and a note
// names what was left out, numbered as in the file.
func TestDiagnoseSkipsNonStreamsInHAR(t *testing.T) {
	entry := func(url, ct string, status int, text string) string {
		b, _ := json.Marshal(map[string]any{
			"request":  map[string]any{"method": "GET", "url": url, "headers": []any{}},
			"response": map[string]any{"status": status, "headers": []any{map[string]string{"name": "Content-Type", "value": ct}}, "content": map[string]any{"mimeType": ct, "text": text}},
		})
		return string(b)
	}
	tests := []struct {
		name    string
		entries []string
		sources []string
		note    string
	}{
		{"page, JSON and a stream", []string{
			entry("https://app.example.com/", "text/html", 200, "<html>hi</html>"),
			entry("https://app.example.com/api/me", "application/json", 200, `{"user":"x"}`),
			entry("https://api.anthropic.com/v1/messages", "text/event-stream", 200, diagOverloaded),
		}, []string{"#3"}, "skipped 2 exchanges that are not event streams: #1 text/html, #2 application/json"},
		{"an HTTP error is kept whatever its type", []string{
			entry("https://app.example.com/", "text/html", 502, "<html>Bad gateway</html>"),
			entry("https://api.anthropic.com/v1/messages", "text/event-stream", 200, diagComplete),
		}, []string{"#1", "#2"}, ""},
		{"nothing but non-streams is reported whole", []string{
			entry("https://app.example.com/", "text/html", 200, "<html>hi</html>"),
			entry("https://app.example.com/a.css", "text/css", 200, "body{}"),
		}, []string{"#1", "#2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeCapture(t, "page.har", `{"log":{"version":"1.2","entries":[`+strings.Join(tc.entries, ",")+`]}}`)
			var notes bytes.Buffer
			d, err := diagnoseFiles([]string{p}, nil, stream.Limits{}, inspect.Options{}, &notes)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range d.Exchanges {
				got = append(got, v.Source[len(p):])
			}
			if strings.Join(got, " ") != strings.Join(tc.sources, " ") {
				t.Errorf("reported %v, want %v", got, tc.sources)
			}
			if tc.note == "" && notes.Len() > 0 || !strings.Contains(notes.String(), tc.note) {
				t.Errorf("notes = %q, want %q", notes.String(), tc.note)
			}
		})
	}
}

// TestDiagnoseMismatchExits1: every MISMATCH verdict fails diagnose, even
// when no finding is an error (a stream cut after message_delta is only a
// warning, yet HTTP 200 hides that it never finished).
func TestDiagnoseMismatchExits1(t *testing.T) {
	afterDelta := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"content\":[]}}\n\n" +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n"
	tests := []struct {
		name     string
		body     string
		args     []string
		wantCode int
	}{
		{"truncated after message_delta (warning only) exits 1", afterDelta, nil, 1},
		{"truncated after message_delta in json exits 1", afterDelta, []string{"--format", "json"}, 1},
		{"complete stream exits 0", diagComplete, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeCapture(t, "c.sse", tt.body)
			args := append(append([]string{"diagnose"}, tt.args...), p)
			out, _, code := runCLI(t, nil, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, out)
			}
			if tt.wantCode == 1 && !strings.Contains(strings.ToUpper(out), "MISMATCH") {
				t.Errorf("exit 1 without a MISMATCH verdict in the report:\n%s", out)
			}
		})
	}
}
