package main

import (
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// at builds the attempts of a run: each letter one request in order —
// C: clean and full, c: clean but the client left early, F: faulted and
// sent to the end, f: faulted and aborted or left early (both fired at
// event 3).
func at(s string) []attempt {
	var out []attempt
	for i, ch := range s {
		a := attempt{Seq: i + 1, Dialect: "anthropic"}
		switch ch {
		case 'C':
			a.Complete, a.Full = true, true
		case 'F':
			a.Fault, a.Complete, a.Fired = "x", true, &stream.Fired{Fired: true, Event: 3}
		case 'f':
			a.Fault, a.Fired = "x", &stream.Fired{Fired: true, Event: 3}
		}
		out = append(out, a)
	}
	return out
}

func TestDrillDecide(t *testing.T) {
	cases := []struct {
		name string
		run  runResult
		want verdict
	}{
		{"control: clean answer and exit 0", runResult{Attempts: at("C")}, verdictOK},
		{"control: exit 1 without any fault", runResult{Attempts: at("C"), Exit: 1}, verdictControlFailed},
		{"control: no request reached drill", runResult{}, verdictControlFailed},
		{"control: the client hung up early", runResult{Attempts: at("c")}, verdictControlFailed},
		{"control: hung", runResult{Attempts: at("C"), TimedOut: true, Exit: -1}, verdictControlFailed},

		{"mid-stream error, exit 0, no retry: swallowed", runResult{Fault: "error@3", Destructive: true, Attempts: at("F")}, verdictSwallowed},
		{"mid-stream error, exit 1: reported", runResult{Fault: "error@3", Destructive: true, Attempts: at("F"), Exit: 1}, verdictReported},
		{"status 529 retried by the SDK, clean second answer: recovered", runResult{Fault: "status:529", Destructive: true, Attempts: at("fC")}, verdictRecovered},
		{"retried but the retry was cut short by the client: swallowed", runResult{Fault: "cut@5", Destructive: true, Attempts: at("fc")}, verdictSwallowed},
		{"every attempt faulted, exit 0: swallowed", runResult{Fault: "status:529", Destructive: true, Attempts: at("fff")}, verdictSwallowed},
		{"every attempt faulted, exit 1: reported", runResult{Fault: "status:529", Destructive: true, Attempts: at("fff"), Exit: 1}, verdictReported},
		{"retried and recovered, yet exit 2: reported", runResult{Fault: "cut@5", Destructive: true, Attempts: at("fC"), Exit: 2}, verdictReported},
		{"stall that loses nothing, exit 0: recovered", runResult{Fault: "stall@3:2s", Attempts: at("F")}, verdictRecovered},
		{"stall the client gave up on, exit 0: swallowed", runResult{Fault: "stall@3:2s", Attempts: at("f")}, verdictSwallowed},
		{"still running at the timeout: hung", runResult{Fault: "stall@3:1h", Attempts: at("f"), TimedOut: true, Exit: -1, Elapsed: 2 * time.Second}, verdictHung},
		{"CMD made no request: untested", runResult{Fault: "cut@5", Destructive: true}, verdictUntested},
		{"fault aimed at attempt 3 of 1: untested", runResult{Fault: "cut@5", Destructive: true, Attempts: at("C")}, verdictUntested},
		{"drip fired and kept every byte: recovered", runResult{Fault: "drip:4096",
			Attempts: []attempt{{Seq: 1, Fault: "drip:4096", Complete: true, Fired: &stream.Fired{Fired: true, Event: 1}}}}, verdictRecovered},
		{"error past the stream's end never fired: untested", runResult{Fault: "error@99:api_error", Destructive: true,
			Attempts: []attempt{{Seq: 1, Fault: "error@99:api_error", Complete: true, Fired: &stream.Fired{}}}}, verdictUntested},
		// The byte inference could not see this one: a stall keeps the
		// bytes whether or not it happened.
		{"stall past the stream's end never fired: untested, not recovered", runResult{Fault: "stall@99:5s",
			Attempts: []attempt{{Seq: 1, Fault: "stall@99:5s", Complete: true, Fired: &stream.Fired{}}}}, verdictUntested},
		{"fault chosen but never applied (no signal): untested", runResult{Fault: "cut@3", Destructive: true,
			Attempts: []attempt{{Seq: 1, Fault: "cut@3", Complete: true}}}, verdictUntested},
		{"fired on the retry only: judged", runResult{Fault: "cut@3", Destructive: true, Attempts: []attempt{
			{Seq: 1, Fault: "cut@3", Complete: true, Fired: &stream.Fired{}},
			{Seq: 2, Fault: "cut@3", Fired: &stream.Fired{Fired: true, Event: 3}}}}, verdictSwallowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, why := decide(c.run)
			if got != c.want {
				t.Errorf("decide = %s (%s), want %s", got, why, c.want)
			}
			if why == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestDrillExitStatus(t *testing.T) {
	ok := runResult{Attempts: at("C")}
	cases := []struct {
		name string
		runs []runResult
		want int
	}{
		{"all recovered or reported", []runResult{ok, {Fault: "a", Destructive: true, Attempts: at("fC")}, {Fault: "b", Destructive: true, Attempts: at("f"), Exit: 1}}, 0},
		{"one swallowed", []runResult{ok, {Fault: "a", Destructive: true, Attempts: at("fC")}, {Fault: "b", Destructive: true, Attempts: at("f")}}, 1},
		{"hung is not swallowed", []runResult{ok, {Fault: "a", Attempts: at("f"), TimedOut: true, Exit: -1}}, 0},
		{"control failed", []runResult{{Exit: 1}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (&drillReport{Runs: c.runs}).exitStatus(); got != c.want {
				t.Errorf("exit status %d, want %d", got, c.want)
			}
		})
	}
}

func TestSplitFaults(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"one", "cut@5", []string{"cut@5"}},
		{"several", "error@3:overloaded_error,cut-before-end,cut@5", []string{"error@3:overloaded_error", "cut-before-end", "cut@5"}},
		{"comma inside status", "status:529,retry-after=2,cut@5", []string{"status:529,retry-after=2", "cut@5"}},
		{"comma inside stall", "stall@3:10s,pings, drip:100", []string{"stall@3:10s,pings", "drip:100"}},
		{"empty parts dropped", ",cut@5,,", []string{"cut@5"}},
		{"cut-between is its own class", "cut-between@2", []string{"cut-between@2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := splitFaults(c.in)
			if len(got) != len(c.want) {
				t.Fatalf("splitFaults(%q) = %q, want %q", c.in, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("splitFaults(%q) = %q, want %q", c.in, got, c.want)
				}
			}
		})
	}
}

func TestDrillEnv(t *testing.T) {
	base := []string{"PATH=/bin", "ANTHROPIC_BASE_URL=https://api.anthropic.com", "OPENAI_API_KEY=user-key", "GEMINI_API_KEY="}
	env := map[string][]string{}
	for _, kv := range drillEnv(base, "http://127.0.0.1:9") {
		k, v, _ := cutEnv(kv)
		env[k] = append(env[k], v)
	}
	want := map[string]string{
		"PATH":                          "/bin",
		"ANTHROPIC_BASE_URL":            "http://127.0.0.1:9",
		"OPENAI_BASE_URL":               "http://127.0.0.1:9/v1",
		"OPENAI_API_BASE":               "http://127.0.0.1:9/v1",
		"GOOGLE_GEMINI_BASE_URL":        "http://127.0.0.1:9",
		"GOOGLE_GENERATIVE_AI_BASE_URL": "http://127.0.0.1:9/v1beta",
		"OPENAI_API_KEY":                "user-key",          // the user's own, untouched
		"ANTHROPIC_API_KEY":             drillPlaceholderKey, // unset: filled
		"GEMINI_API_KEY":                drillPlaceholderKey, // empty counts as unset
	}
	for k, v := range want {
		got := env[k]
		if len(got) == 0 || got[len(got)-1] != v {
			t.Errorf("%s = %q, want last value %q", k, got, v)
		}
		if k == "ANTHROPIC_BASE_URL" && len(got) != 1 {
			t.Errorf("ANTHROPIC_BASE_URL set %d times, want once (the user's value replaced)", len(got))
		}
	}
}

// cutEnv splits NAME=VALUE.
func cutEnv(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// TestDrillCompletion checks drill's own values: --format has "table"
// (not diagnose's "text"), --capture completes capture files.
func TestDrillCompletion(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		want      []string
		directive string
	}{
		{"format", []string{"drill", "--format", ""}, []string{"table", "markdown", "json"}, ":4"},
		{"capture", []string{"drill", "--capture", ""}, captureExts, ":8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, directive := complete(t, c.args...)
			if strings.Join(got, ",") != strings.Join(c.want, ",") || directive != c.directive {
				t.Errorf("complete %q: %q %s, want %q %s", c.args, got, directive, c.want, c.directive)
			}
		})
	}
}

// FuzzSplitFaults: --faults is user input; splitting it never panics,
// never yields an empty spec, and loses no non-space byte.
func FuzzSplitFaults(f *testing.F) {
	for _, s := range []string{"cut@5", "status:529,retry-after=2,cut@5", "stall@3:10s,pings, drip:100", ",,", "x,error@1:a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		specs := splitFaults(in)
		kept := 0
		for _, s := range specs {
			if s == "" {
				t.Fatalf("empty spec from %q", in)
			}
			kept += len(strings.ReplaceAll(strings.Join(strings.Fields(strings.ReplaceAll(s, ",", " ")), ""), " ", ""))
		}
		all := len(strings.Join(strings.Fields(strings.ReplaceAll(in, ",", " ")), ""))
		if kept != all {
			t.Fatalf("splitFaults(%q) = %q loses bytes", in, specs)
		}
	})
}

func TestDrillProgress(t *testing.T) {
	cases := []struct {
		name string
		tty  bool
		want string
	}{
		{"plain lines off a terminal", false, "drill: 1 control run, no fault …\ndrill: 2/3 cut@5 …\n"},
		{"one line rewritten on a terminal", true, "\rdrill: 1 control run, no fault …\rdrill: 2/3 cut@5 …" +
			strings.Repeat(" ", len("drill: 1 control run, no fault …")-len("drill: 2/3 cut@5 …")) +
			"\r" + strings.Repeat(" ", len("drill: 2/3 cut@5 …")) + "\r"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			p := &progress{w: &b, tty: c.tty}
			p.show(1, 0, "")
			p.show(2, 3, "cut@5")
			p.done()
			p.done() // twice: clears once
			if b.String() != c.want {
				t.Errorf("got %q, want %q", b.String(), c.want)
			}
		})
	}
}
