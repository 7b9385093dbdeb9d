package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// drillHelperEnv makes the test binary a tiny app for drill to run: the
// value names how it treats what the Anthropic endpoint answers.
const drillHelperEnv = "MIDSTREAM_DRILL_TEST_APP"

// init runs the helper app instead of the tests when drill started this
// binary as CMD (before TestMain, which would build midstream first).
func init() {
	if mode := os.Getenv(drillHelperEnv); mode != "" {
		os.Exit(drillHelperApp(mode))
	}
}

// drillHelperApp is the app under drill. Modes:
//
//	raw     one request, read it all, exit 0 whatever came (swallows)
//	strict  one request, exit 1 unless a 200 that ends with message_stop
//	retry   like strict, but up to 3 attempts before exit 1
//	stuck   like strict, but on a bad answer wait forever (hangs)
//	noreq   exit 0 without any request
//	noisy   print escape sequences and the API key, then strict
func drillHelperApp(mode string) int {
	if mode == "noreq" {
		return 0
	}
	if mode == "noisy" {
		// Output that would recolour or retitle a terminal.
		os.Stdout.WriteString("\x1b[31mred\x1b]0;title\x07 " + os.Getenv("ANTHROPIC_API_KEY") + "\n")
		mode = "strict"
	}
	tries := 1
	if mode == "retry" {
		tries = 3
	}
	for i := 0; i < tries; i++ {
		if goodAnswer() || mode == "raw" {
			return 0
		}
	}
	if mode == "stuck" {
		time.Sleep(time.Hour)
	}
	return 1
}

// goodAnswer posts one streaming request and reports whether it got a 200
// whose stream ended with message_stop and carried no error event.
func goodAnswer() bool {
	resp, err := http.Post(os.Getenv("ANTHROPIC_BASE_URL")+"/v1/messages", "application/json",
		strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[]}`))
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return err == nil && resp.StatusCode == 200 && !bytes.Contains(body, []byte("event: error")) &&
		bytes.Contains(body, []byte(`"type":"message_stop"`))
}

// runDrillTest runs `midstream drill` in this process with the helper app
// in mode as CMD, and returns drill's JSON report and exit status.
func runDrillTest(t *testing.T, mode string, flags ...string) (drillJSON, int, string) {
	t.Helper()
	t.Setenv(drillHelperEnv, mode)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"drill", "--format", "json"}, flags...)
	args = append(args, "--", self)
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	code := 0
	if err := root.Execute(); err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	var rep drillJSON
	if out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("drill printed no JSON report: %v\n%s\nstderr:\n%s", err, out.String(), errb.String())
		}
	}
	return rep, code, errb.String()
}

// The first faults of the contract, for the Anthropic dialect.
const drillTestFaults = "error@3:overloaded_error,cut-before-end,status:529,retry-after=0"

func TestDrillVerdictsOnHelperApps(t *testing.T) {
	type want struct {
		requests int
		verdict  verdict
	}
	cases := []struct {
		name  string
		mode  string
		flags []string
		rows  []want // the fault rows, in --faults order
		exit  int
	}{
		{"app that ignores every failure swallows them all", "raw", nil,
			[]want{{1, verdictSwallowed}, {1, verdictSwallowed}, {1, verdictSwallowed}}, 1},
		{"app that checks the stream reports every fault", "strict", nil,
			[]want{{1, verdictReported}, {1, verdictReported}, {1, verdictReported}}, 0},
		{"app that retries recovers when only attempt 1 fails", "retry", nil,
			[]want{{2, verdictRecovered}, {2, verdictRecovered}, {2, verdictRecovered}}, 0},
		{"app that retries reports when every attempt fails", "retry", []string{"--attempts", "all"},
			[]want{{3, verdictReported}, {3, verdictReported}, {3, verdictReported}}, 0},
		{"app that waits forever on a bad answer hangs", "stuck", []string{"--timeout", "5s", "--faults", "cut-before-end"},
			[]want{{1, verdictHung}}, 0},
		{"--capture serves the user's own clean stream", "retry", []string{"--capture", "internal/drillcaps/anthropic.sse"},
			[]want{{2, verdictRecovered}, {2, verdictRecovered}, {2, verdictRecovered}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flags := c.flags
			if !strings.Contains(strings.Join(flags, " "), "--faults") {
				flags = append(flags, "--faults", drillTestFaults)
			}
			rep, code, stderr := runDrillTest(t, c.mode, flags...)
			if code != c.exit {
				t.Errorf("drill exit %d, want %d\nstderr:\n%s", code, c.exit, stderr)
			}
			if len(rep.Runs) != 1+len(c.rows) {
				t.Fatalf("%d rows, want control + %d: %+v", len(rep.Runs), len(c.rows), rep.Runs)
			}
			if ctl := rep.Runs[0]; ctl.Verdict != verdictOK || ctl.Requests != 1 {
				t.Errorf("control row %+v, want ok after 1 request", ctl)
			}
			for i, w := range c.rows {
				got := rep.Runs[i+1]
				if got.Verdict != w.verdict || got.Requests != w.requests {
					t.Errorf("row %q: %s after %d request(s) (%s), want %s after %d", got.Fault, got.Verdict, got.Requests, got.Why, w.verdict, w.requests)
				}
				if len(got.Faulted) == 0 || got.Faulted[0] != 1 {
					t.Errorf("row %q: faulted attempts %v, want attempt 1 first", got.Fault, got.Faulted)
				}
			}
			if rep.Capture != "" {
				if len(rep.Dialects) != 0 {
					t.Errorf("dialects %v with --capture, want none", rep.Dialects)
				}
			} else if len(rep.Dialects) != 1 || rep.Dialects[0] != "anthropic" {
				t.Errorf("dialects %v, want [anthropic] (chosen by the path /v1/messages)", rep.Dialects)
			}
		})
	}
}

func TestDrillControlFailures(t *testing.T) {
	rep, code, stderr := runDrillTest(t, "noreq", "--faults", "cut-before-end")
	if code != 2 || len(rep.Runs) != 1 || rep.Runs[0].Verdict != verdictControlFailed {
		t.Fatalf("exit %d, runs %+v; want exit 2 and only the failed control row", code, rep.Runs)
	}
	if !strings.Contains(stderr, "control run failed") || !strings.Contains(stderr, "no request") {
		t.Errorf("stderr does not say why the control run failed:\n%s", stderr)
	}
}

func TestDrillUsageErrors(t *testing.T) {
	dir := t.TempDir()
	broken := dir + "/broken.sse"
	if err := os.WriteFile(broken, []byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"role\":\"assistant\",\"content\":[]}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		flags []string
		say   string
	}{
		{"capture that already fails", []string{"--capture", broken}, "not a clean, complete stream"},
		{"missing capture", []string{"--capture", dir + "/nope.sse"}, "nope.sse"},
		{"bad format", []string{"--format", "yaml"}, "--format"},
		{"bad timeout", []string{"--timeout", "0s"}, "--timeout"},
		{"bad fault", []string{"--faults", "explode@3"}, "--faults"},
		{"bad attempts", []string{"--attempts", "zero"}, "--attempts"},
		{"--runs without --chaos", []string{"--runs", "3"}, "--runs needs --chaos"},
		{"--runs 0", []string{"--chaos", "7", "--runs", "0"}, "--runs must be 1 or more"},
		{"CMD that does not exist", []string{"--", dir + "/no-such-app"}, "cannot run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := newRootCmd()
			var out, errb bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&errb)
			args := append([]string{"drill"}, c.flags...)
			if !slices.Contains(args, "--") {
				args = append(args, "--", "true")
			}
			root.SetArgs(args)
			err := root.Execute()
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err %v, want a usage error (exit 2)", err)
			}
			if !strings.Contains(err.Error(), c.say) {
				t.Errorf("error %q does not mention %q", err, c.say)
			}
		})
	}
}

// TestDrillVerboseIsSanitized: CMD's output shown by --verbose goes
// through the sanitizer (an escape sequence is shown, not obeyed); without
// --verbose nothing of it reaches the terminal.
func TestDrillVerboseIsSanitized(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	_, code, stderr := runDrillTest(t, "noisy", "--verbose", "--faults", "cut-before-end")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "\x1b") || strings.Contains(stderr, "\x07") {
		t.Errorf("raw escape bytes reached stderr: %q", stderr)
	}
	if !strings.Contains(stderr, "red") || !strings.Contains(stderr, drillPlaceholderKey) {
		t.Errorf("--verbose did not show CMD's output (with the placeholder key it was given): %q", stderr)
	}
	_, _, quiet := runDrillTest(t, "noisy", "--faults", "cut-before-end")
	if strings.Contains(quiet, "red") {
		t.Errorf("CMD's output shown without --verbose: %q", quiet)
	}
}

// TestDrillInterrupt: Ctrl-C stops the run in progress (its whole process
// group), prints the rows so far and exits 130, leaving no child behind.
func TestDrillInterrupt(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := start(t, nil, "drill", "--", "sh", "-c", "sleep 300 & echo $! > "+pidFile+"; wait")
	p.WaitFor(t, `control run`)
	deadline := time.Now().Add(10 * time.Second)
	var child []byte
	for len(child) == 0 && time.Now().Before(deadline) {
		child, _ = os.ReadFile(pidFile)
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(t, 10*time.Second); code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, p.Output())
	}
	if !strings.Contains(p.Output(), "interrupted") || !strings.Contains(p.Output(), "(control)") {
		t.Errorf("no interrupted note or no table:\n%s", p.Output())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(child)))
	if err != nil {
		t.Fatalf("CMD's child pid %q: %v", child, err)
	}
	time.Sleep(100 * time.Millisecond)
	// Killed, it may stay a zombie until init reaps it: only a live
	// process counts.
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(st), ") Z ") {
		t.Errorf("CMD's child %d still runs after drill was interrupted", pid)
	}
}

// TestDrillFlagsAfterCMDAreCMDs: without "--", flags after CMD go to CMD.
func TestDrillFlagsAfterCMDAreCMDs(t *testing.T) {
	t.Setenv(drillHelperEnv, "strict")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"drill", "--format", "json", "--faults", "cut-before-end", self, "--format", "-x"})
	if err := root.Execute(); err != nil {
		t.Fatalf("drill refused CMD's own flags: %v\n%s", err, errb.String())
	}
	var rep drillJSON
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Command) != 3 || rep.Command[1] != "--format" || rep.Command[2] != "-x" || len(rep.Runs) != 2 {
		t.Errorf("command %q runs %d, want CMD with its flags and 2 runs", rep.Command, len(rep.Runs))
	}
}
