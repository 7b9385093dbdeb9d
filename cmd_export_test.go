package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// runCLI runs the midstream command tree with args and stdin, returning
// stdout, stderr and the exit status main would use.
func runCLI(t *testing.T, stdin io.Reader, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	if stdin != nil {
		root.SetIn(stdin)
	}
	err := root.Execute()
	code := 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

const fixtures = "stream/testdata"

// canary is the fake key the fixtures carry in headers, URLs and cookies.
const canary = "CANARY0123456789"

// TestExportRoundTrip exports every fixture to jsonl, then that to sse, and
// checks the body is byte-identical to what the original capture holds.
func TestExportRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures, "*.*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			xs, err := stream.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			jsonl := filepath.Join(dir, "out.jsonl")
			if _, stderr, code := runCLI(t, nil, "export", file, "--to", "jsonl", "-o", jsonl); code != 0 {
				t.Fatalf("export --to jsonl: exit %d: %s", code, stderr)
			}
			written, _ := os.ReadFile(jsonl)
			if bytes.Contains(written, []byte(canary)) {
				t.Fatalf("jsonl export of %s leaks the canary", file)
			}
			har := filepath.Join(dir, "out.har")
			if _, stderr, code := runCLI(t, nil, "export", file, "--to", "har", "-o", har); code != 0 {
				t.Fatalf("export --to har: exit %d: %s", code, stderr)
			}
			if written, _ := os.ReadFile(har); bytes.Contains(written, []byte(canary)) {
				t.Fatalf("har export of %s leaks the canary", file)
			}
			for i, x := range xs {
				if x.BodyMissing {
					continue
				}
				n := []string{}
				if len(xs) > 1 {
					n = []string{"--exchange", string(rune('1' + i))}
				}
				for _, src := range []string{jsonl, har} {
					stdout, stderr, code := runCLI(t, nil, append([]string{"export", src, "--to", "sse"}, n...)...)
					if code != 0 {
						t.Fatalf("export %s --to sse: exit %d: %s", src, code, stderr)
					}
					if !bytes.Equal([]byte(stdout), x.Body()) {
						t.Errorf("exchange %d via %s: body changed (%d bytes, want %d)", i+1, filepath.Ext(src), len(stdout), len(x.Body()))
					}
				}
			}
		})
	}
}

func TestExportStdin(t *testing.T) {
	body := "event: ping\r\ndata: {}\r\n\r\n\xff"
	stdout, stderr, code := runCLI(t, strings.NewReader(body), "export", "-", "--to", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sse, stderr, code := runCLI(t, strings.NewReader(stdout), "export", "-", "--to", "sse")
	if code != 0 || sse != body {
		t.Fatalf("stdin round trip: exit %d %s: got %q", code, stderr, sse)
	}
}

func TestExportUsageErrors(t *testing.T) {
	har := filepath.Join(fixtures, "chrome.har")
	tests := []struct {
		name string
		args []string
		code int
		msg  []string
	}{
		{"no --to", []string{"export", har}, 2, []string{"--to is required"}},
		{"bad --to", []string{"export", har, "--to", "xml"}, 2, []string{`--to "xml"`}},
		{"no file", []string{"export", "--to", "sse"}, 2, []string{"one FILE"}},
		{"missing file", []string{"export", "does-not-exist.har", "--to", "sse"}, 2, []string{"cannot read does-not-exist.har", "no such file"}},
		{"multi-exchange to sse", []string{"export", har, "--to", "sse"}, 2, []string{"holds 2 exchanges", "--exchange N", "1  " + har + "#1  POST https://api.anthropic.com/v1/messages → 200", "status unknown"}},
		{"exchange out of range", []string{"export", har, "--to", "jsonl", "--exchange", "3"}, 2, []string{"--exchange 3", "holds 2 exchange(s)"}},
		{"negative exchange", []string{"export", har, "--to", "jsonl", "--exchange", "-1"}, 2, []string{"numbered from 1"}},
		{"exchange 0 counted from zero", []string{"export", har, "--to", "sse", "--exchange", "0"}, 2, []string{"--exchange 0: exchanges are numbered from 1"}},
		{"body missing to sse", []string{"export", filepath.Join(fixtures, "mitmproxy.har"), "--to", "sse"}, 1, []string{"no response body"}},
		{"unreadable capture", []string{"export", "-", "--to", "jsonl"}, 2, []string{"stdin: read as midstream-jsonl: line 2", "not a JSON line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := strings.NewReader("{\"format\":\"midstream-capture\",\"version\":1}\n{oops\n{}\n")
			stdout, stderr, code := runCLI(t, stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if stdout != "" {
				t.Errorf("wrote %d bytes to stdout on error", len(stdout))
			}
			for _, m := range tt.msg {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr %q lacks %q", stderr, m)
				}
			}
		})
	}
}

func TestExportSelectsExchange(t *testing.T) {
	out, stderr, code := runCLI(t, nil, "export", filepath.Join(fixtures, "go-vcr-v2.yaml"), "--to", "sse", "--exchange", "2")
	if code != 0 || out != `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}` {
		t.Fatalf("exit %d %s: %q", code, stderr, out)
	}
	jsonl, _, code := runCLI(t, nil, "export", filepath.Join(fixtures, "go-vcr-v2.yaml"), "--to", "jsonl", "--exchange", "2")
	xs, err := stream.Parse("x.jsonl", []byte(jsonl))
	if code != 0 || err != nil || len(xs) != 1 || xs[0].Response.Status != 529 {
		t.Fatalf("--exchange 2 to jsonl: exit %d, %v, %d exchanges", code, err, len(xs))
	}
}

func TestExportNotesGoToStderr(t *testing.T) {
	// A capture cut mid-line by a killed recorder: export says so.
	var full bytes.Buffer
	if err := stream.WriteJSONL(&full, stream.FromBody("x", []byte("data: 1\n\ndata: 2\n\n"))); err != nil {
		t.Fatal(err)
	}
	cut := full.Bytes()[:full.Len()-10]
	out, stderr, code := runCLI(t, bytes.NewReader(cut), "export", "-", "--to", "sse")
	if code != 0 || out != "data: 1\n\ndata: 2\n\n" || !strings.Contains(stderr, "note: stdin: capture cut at byte") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	// The note names the file the user typed, not the name the capture
	// was recorded as ("x").
	path := filepath.Join(t.TempDir(), "cut.jsonl")
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, nil, "export", path, "--to", "sse")
	if code != 0 || !strings.Contains(stderr, "note: "+path+": capture cut at byte") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestExportSharedSamples converts the project's shared samples, when
// present beside the repository, to jsonl and back to sse.
func TestExportSharedSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "shared", "samples", "*.*"))
	n := 0
	for _, file := range files {
		if ext := filepath.Ext(file); ext != ".sse" && ext != ".http" {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			xs, err := stream.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			jsonl, stderr, code := runCLI(t, nil, "export", file, "--to", "jsonl")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			sse, stderr, code := runCLI(t, strings.NewReader(jsonl), "export", "-", "--to", "sse")
			if code != 0 || sse != string(xs[0].Body()) {
				t.Fatalf("exit %d %s: body changed in the round trip", code, stderr)
			}
		})
	}
	if n == 0 {
		t.Skip("../shared/samples not available")
	}
}

// TestExportOutputFile checks -o: the file is written whole and replaces
// an older one, with owner-only permissions; an export that cannot finish
// (here: OUT is a directory) exits 1 naming OUT and leaves no temporary
// file behind.
func TestExportOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "body.sse")
	if err := os.WriteFile(out, []byte("an older, longer file that must be replaced whole"), 0o644); err != nil {
		t.Fatal(err)
	}
	vcr := filepath.Join(fixtures, "go-vcr-v2.yaml")
	if _, stderr, code := runCLI(t, nil, "export", vcr, "--to", "sse", "--exchange", "2", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}` {
		t.Fatalf("%s holds %q (%v)", out, got, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: mode %v (%v), want 0600", out, fi.Mode().Perm(), err)
	}

	sub := filepath.Join(dir, "a-directory")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, nil, "export", vcr, "--to", "jsonl", "-o", sub)
	if code != 2 || !strings.Contains(stderr, "cannot write "+sub+": it is a directory") {
		t.Fatalf("-o a directory: exit %d, stderr %q", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("%s holds %v, want only body.sse and a-directory", dir, names)
	}
}

// TestExportCurlNoteOnlyForCurlInput checks that "curl -v does not show the
// request body" is said when exporting curl -v text, not again for every
// later export of the jsonl or HAR it became.
func TestExportCurlNoteOnlyForCurlInput(t *testing.T) {
	dir := t.TempDir()
	jsonl, har := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "a.har")
	steps := []struct {
		in, to, out string
		want        bool
	}{
		{filepath.Join(fixtures, "curl-v.txt"), "jsonl", jsonl, true},
		{jsonl, "har", har, false},
		{har, "jsonl", filepath.Join(dir, "b.jsonl"), false},
	}
	for _, s := range steps {
		_, stderr, code := runCLI(t, nil, "export", s.in, "--to", s.to, "-o", s.out)
		if code != 0 {
			t.Fatalf("export %s: exit %d: %s", s.in, code, stderr)
		}
		if got := strings.Contains(stderr, stream.NoteCurlNoRequestBody); got != s.want {
			t.Errorf("export %s: curl note shown %v, want %v; stderr %q", s.in, got, s.want, stderr)
		}
	}
}
