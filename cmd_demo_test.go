package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/ui/demodata"
)

// TestDemoPicksTheNamedExample: a named demo prints that example's
// diagnosis when stdout is not a terminal, and an unknown name is a usage
// error that lists the demos.
func TestDemoPicksTheNamedExample(t *testing.T) {
	old := stdoutIsTerminal
	stdoutIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdoutIsTerminal = old })
	tests := []struct {
		name     string
		args     []string
		code     int
		want     string // in stdout, or in stderr when code != 0
		unwanted string
	}{
		{"default is the overloaded case", []string{"demo"}, 0, "[1] demo:overloaded", "demo:truncated"},
		{"named", []string{"demo", "truncated"}, 0, "[1] demo:truncated", "demo:overloaded"},
		{"last one", []string{"demo", "openai"}, 0, "[1] demo:openai", "demo:overloaded"},
		{"unknown", []string{"demo", "nope"}, 2, `no demo "nope"; the demos are: overloaded, `, ""},
		{"list", []string{"demo", "--list"}, 0, "truncated", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			got := out
			if code != 0 {
				got = errOut
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, got)
			}
			if tt.unwanted != "" && strings.Contains(got, tt.unwanted) {
				t.Errorf("did not want %q in:\n%s", tt.unwanted, got)
			}
		})
	}
}

// TestDemoReportReproduces: the bug report copied from a demo (c in the
// inspector, the Markdown report) gives a reproduce command that runs:
// each demo's command is run as printed.
func TestDemoReportReproduces(t *testing.T) {
	old := stdoutIsTerminal
	stdoutIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdoutIsTerminal = old })
	for _, d := range demodata.All {
		t.Run(d.Name, func(t *testing.T) {
			var b bytes.Buffer
			v := inspect.Diagnose(d.Exchange(), inspect.Options{})
			if err := inspect.WriteMarkdown(&b, &inspect.Diagnosis{ToolVersion: "t", Exchanges: []*inspect.Verdict{v}}); err != nil {
				t.Fatal(err)
			}
			_, repro, _ := strings.Cut(b.String(), "### How to reproduce\n\n```sh\n")
			line, _, _ := strings.Cut(repro, "\n")
			line, _, _ = strings.Cut(line, "#") // the comment
			args := strings.Fields(line)
			if len(args) < 2 || args[0] != "midstream" {
				t.Fatalf("reproduce line %q is no midstream command", line)
			}
			out, errOut, code := runCLI(t, nil, args[1:]...)
			if code == 2 || !strings.Contains(out, "demo:"+d.Name) {
				t.Errorf("%q: exit %d, stderr %q; want the demo's diagnosis", line, code, errOut)
			}
		})
	}
}
