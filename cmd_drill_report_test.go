package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// updateDrillGolden rewrites testdata/drill/*.golden (go test -run
// TestDrillReportGolden -update).
var updateDrillGolden = func() *bool {
	if f := flag.Lookup("update"); f != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite golden files")
}()

// goldenUpdate reports whether -update was given.
func goldenUpdate() bool {
	if updateDrillGolden != nil {
		return *updateDrillGolden
	}
	return flag.Lookup("update").Value.String() == "true"
}

// sampleDrill is one drill of every verdict, with fixed times and paths.
func sampleDrill() *drillReport {
	return &drillReport{
		Command:  []string{"python", "app.py", "--key", "sk-ant-api03-E2E-CANARY-0123456789abcdefghijklmnop"},
		Dialects: []string{"anthropic"},
		LogDir:   "/tmp/midstream-drill-1",
		Runs: []runResult{
			{Attempts: at("C"), Elapsed: 310 * time.Millisecond, Log: "/tmp/midstream-drill-1/run-01.log"},
			{Fault: "error@3:overloaded_error", Destructive: true, Attempts: at("F"), Exit: 1, Elapsed: 280 * time.Millisecond, Log: "/tmp/midstream-drill-1/run-02.log"},
			{Fault: "cut-before-end", Destructive: true, Attempts: at("F"), Elapsed: 250 * time.Millisecond, Log: "/tmp/midstream-drill-1/run-03.log"},
			{Fault: "status:529,retry-after=0", Destructive: true, Attempts: []attempt{
				{Seq: 1, Dialect: "anthropic", Fault: "status:529,retry-after=0", Fired: &stream.Fired{Fired: true}}, // in place of the response
				{Seq: 2, Dialect: "anthropic", Complete: true, Full: true}},
				Elapsed: 900 * time.Millisecond, Log: "/tmp/midstream-drill-1/run-04.log"},
			{Fault: "stall@3:1h", Attempts: at("f"), TimedOut: true, Exit: -1, Elapsed: 2 * time.Second, Log: "/tmp/midstream-drill-1/run-05.log"},
			{Fault: "garble@2|\x1b[31m", Destructive: true, Attempts: at("C"), Elapsed: 200 * time.Millisecond, Log: "/tmp/midstream-drill-1/run-06.log"},
		},
	}
}

func TestDrillReportGolden(t *testing.T) {
	formats := []struct {
		name  string
		write func(*drillReport, *bytes.Buffer)
	}{
		{"table", func(d *drillReport, b *bytes.Buffer) { d.writeTable(b) }},
		{"markdown", func(d *drillReport, b *bytes.Buffer) { d.writeMarkdown(b) }},
		{"json", func(d *drillReport, b *bytes.Buffer) {
			if err := d.writeJSON(b); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			f.write(sampleDrill(), &b)
			out := b.String()
			if bytes.Contains(b.Bytes(), []byte("E2E-CANARY")) {
				t.Errorf("the key in the command reached the %s output", f.name)
			}
			if stream.HasUnsafe(out) {
				t.Errorf("%s output holds unescaped control characters:\n%s", f.name, out)
			}
			path := filepath.Join("testdata", "drill", f.name+".golden")
			if goldenUpdate() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("%s output differs from %s:\n%s", f.name, path, out)
			}
		})
	}
}

func TestDrillJSONSchema(t *testing.T) {
	var b bytes.Buffer
	if err := sampleDrill().writeJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got drillJSON
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, b.String())
	}
	if got.Schema != drillSchema || got.Swallowed != 1 || got.ExitStatus != 1 || len(got.Runs) != 6 {
		t.Errorf("schema %q swallowed %d exit %d runs %d, want %s 1 1 6", got.Schema, got.Swallowed, got.ExitStatus, len(got.Runs), drillSchema)
	}
	if r := got.Runs[3]; r.Verdict != verdictRecovered || r.Requests != 2 || len(r.Faulted) != 1 || r.Faulted[0] != 1 {
		t.Errorf("status:529 row = %+v, want recovered after 2 requests with attempt 1 faulted", r)
	}
	if f := got.Runs[3].Fired; len(f) != 1 || f[0] != (firedAt{Attempt: 1, Event: 0}) {
		t.Errorf("status:529 row fired %+v, want attempt 1 at event 0 (in place of the response)", f)
	}
	if f := got.Runs[1].Fired; len(f) != 1 || f[0] != (firedAt{Attempt: 1, Event: 3}) {
		t.Errorf("error@3 row fired %+v, want attempt 1 at event 3", f)
	}
	if got.Runs[0].Fired != nil {
		t.Errorf("the control row says a fault fired: %+v", got.Runs[0].Fired)
	}
	if got.Runs[3].Log != "" || got.Runs[2].Log == "" {
		t.Error("a log path is named for a recovered row, or missing for a swallowed one")
	}
}

// With --chaos the report names the seed in every format, so the same
// faults can be run again.
func TestDrillReportNamesChaosSeed(t *testing.T) {
	d := sampleDrill()
	d.ChaosSeed = 42
	var table, md, js bytes.Buffer
	d.writeTable(&table)
	d.writeMarkdown(&md)
	if err := d.writeJSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": table.String(), "markdown": md.String()} {
		if !bytes.Contains([]byte(out), []byte("faults picked by --chaos 42")) {
			t.Errorf("%s does not name the seed:\n%s", name, out)
		}
	}
	var got drillJSON
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || got.ChaosSeed != 42 {
		t.Errorf("JSON chaos_seed %d (%v), want 42", got.ChaosSeed, err)
	}
	var plain bytes.Buffer
	sampleDrill().writeTable(&plain)
	if bytes.Contains(plain.Bytes(), []byte("--chaos")) {
		t.Errorf("a drill without --chaos mentions it:\n%s", plain.String())
	}
}

// TestShellJoin: the command line drill prints can be pasted back into a
// shell and runs the same arguments: every character a POSIX shell would
// split, expand or treat as history is quoted.
func TestShellJoin(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"plain words stay bare", []string{"python", "-m", "app", "./x.py", "k=v"}, "python -m app ./x.py k=v"},
		{"space", []string{"sh", "-c", "echo hi"}, "sh -c 'echo hi'"},
		{"single quote", []string{"echo", "it's"}, `echo 'it'\''s'`},
		{"empty argument", []string{"app", ""}, "app ''"},
		{"brace expansion", []string{"echo", "{a,b}"}, "echo '{a,b}'"},
		{"history expansion", []string{"echo", "hi!"}, "echo 'hi!'"},
		{"glob and variable", []string{"ls", "*.go", "$HOME"}, "ls '*.go' '$HOME'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := shellJoin(c.args); got != c.want {
				t.Errorf("shellJoin(%q) = %s, want %s", c.args, got, c.want)
			}
		})
	}
}
