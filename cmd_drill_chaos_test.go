package main

import (
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/drillcaps"
	"github.com/midstreamhq/midstream/stream"
)

// drill --chaos SEED --runs N: N faulted runs after the control run, each
// against the fault the seed picks for it (inspect.ChaosFaults over the
// --faults pool, events drawn within the built-in stream), and the report
// names the seed so that the same faults can be run again.
func TestDrillChaos(t *testing.T) {
	const pool = "error@3:overloaded_error,cut@3,cut-before-end"
	var faults []inspect.Fault
	for _, spec := range splitFaults(pool) {
		f, err := inspect.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		faults = append(faults, f)
	}
	var events int
	for _, c := range drillcaps.All() {
		if c.Name == "anthropic" {
			xs, err := stream.Parse("anthropic.sse", c.Body)
			if err != nil {
				t.Fatal(err)
			}
			events = inspect.Diagnose(xs[0], inspect.Options{}).EventCount
		}
	}
	want := inspect.ChaosFaults(faults, 42, 5, events)

	// strict reports each of these faults wherever it lands: every row is
	// judged, none is swallowed.
	rep, code, stderr := runDrillTest(t, "strict", "--faults", pool, "--chaos", "42", "--runs", "5")
	if code != 0 {
		t.Errorf("drill exit %d, want 0\nstderr:\n%s", code, stderr)
	}
	if rep.ChaosSeed != 42 {
		t.Errorf("report's chaos_seed %d, want 42", rep.ChaosSeed)
	}
	if len(rep.Runs) != 1+len(want) {
		t.Fatalf("%d rows, want control + %d: %+v", len(rep.Runs), len(want), rep.Runs)
	}
	distinct := map[string]bool{}
	for i, w := range want {
		got := rep.Runs[i+1]
		distinct[got.Fault] = true
		if got.Fault != w.Spec || got.Verdict != verdictReported || got.Requests != 1 {
			t.Errorf("run %d: %s %s after %d request(s) (%s); want %s reported after 1", i+2,
				got.Fault, got.Verdict, got.Requests, got.Why, w.Spec)
		}
	}
	if len(distinct) < 2 {
		t.Errorf("5 chaos runs all got %v: the seed picks nothing", distinct)
	}
	if !strings.Contains(stderr, "drill: 6/6 ") {
		t.Errorf("progress does not count the chaos runs:\n%s", stderr)
	}
}
