package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// drillRow is one row of `midstream drill --format json` (schema
// midstream.drill/v1), as far as this test reads it.
type drillRow struct {
	Fault    string `json:"fault"`
	Requests int    `json:"requests"`
	Faulted  []int  `json:"faulted_attempts"`
	Exit     int    `json:"exit"`
	Verdict  string `json:"verdict"`
	Why      string `json:"why"`
}

// drillJSON is drill's JSON report.
type drillJSON struct {
	Schema     string     `json:"schema"`
	Dialects   []string   `json:"dialects"`
	Runs       []drillRow `json:"runs"`
	ExitStatus int        `json:"exit_status"`
}

// buildDrillApp builds e2e/drillapps/NAME into dir.
func buildDrillApp(t *testing.T, dir, name string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", bin, "./drillapps/"+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return bin
}

// TestE2EDrillRealSDKs drills four small programs on the official SDKs
// (anthropic-sdk-go v2.15.0, openai-go v3.98.0, default retries) through
// the real midstream binary, and asserts each row: what those SDKs really
// do under each fault, as measured (see the comment on each case).
func TestE2EDrillRealSDKs(t *testing.T) {
	dir := t.TempDir()
	type want struct {
		fault    string
		requests int
		verdict  string
	}
	cases := []struct {
		app    string
		faults string
		rows   []want
		exit   int // drill's own exit status
	}{
		// Measured 2026-12-04 with this test (midstream drill, built-in
		// Anthropic stream, anthropic-sdk-go v2.15.0, default MaxRetries 2):
		//   - error@3:overloaded_error: s.Err() is *anthropic.Error with
		//     StatusCode 200; the SDK does not re-send a request after an
		//     in-stream error (1 request) → reported (exit 1).
		//   - cut-before-end: no message_stop, clean end of body: raw
		//     iteration ends with s.Err() == nil → swallowed (exit 0).
		//   - status:529: the SDK retries a 529 itself (x-stainless-retry-
		//     count 1) and the clean second answer completes → recovered,
		//     2 requests.
		{"anthropic-raw", "error@3:overloaded_error,cut-before-end,status:529,retry-after=0", []want{
			{"error@3:overloaded_error", 1, "reported"},
			{"cut-before-end", 1, "swallowed"},
			{"status:529,retry-after=0", 2, "recovered"},
		}, 1},
		// Same SDK with Message.Accumulate: the helper raises nothing on a
		// missing message_stop either (messageutil.go accumulates each
		// event; nothing checks for the end) → swallowed, as raw.
		{"anthropic-accumulate", "error@3:overloaded_error,cut-before-end,status:529,retry-after=0", []want{
			{"error@3:overloaded_error", 1, "reported"},
			{"cut-before-end", 1, "swallowed"},
			{"status:529,retry-after=0", 2, "recovered"},
		}, 1},
		// openai-go v3.98.0, built-in Chat stream: an in-stream error
		// object is *ssestream.StreamError (1 request) → reported; a
		// missing [DONE] ends iteration with no error → swallowed; HTTP
		// 529 is retried by the SDK (5xx) → recovered after 2 requests.
		{"openai-raw", "error@3:server_error,cut-before-end,status:529,retry-after=0", []want{
			{"error@3:server_error", 1, "reported"},
			{"cut-before-end", 1, "swallowed"},
			{"status:529,retry-after=0", 2, "recovered"},
		}, 1},
		// ChatCompletionAccumulator accepts every chunk of the cut stream
		// and nothing checks for [DONE] → swallowed, as raw.
		{"openai-accumulate", "error@3:server_error,cut-before-end,status:529,retry-after=0", []want{
			{"error@3:server_error", 1, "reported"},
			{"cut-before-end", 1, "swallowed"},
			{"status:529,retry-after=0", 2, "recovered"},
		}, 1},
	}
	for _, c := range cases {
		t.Run(c.app, func(t *testing.T) {
			app := buildDrillApp(t, dir, c.app)
			t0 := time.Now()
			p := start(t, nil, "drill", "--format", "json", "--timeout", "30s", "--faults", c.faults, "--", app)
			code := p.Wait(t, 90*time.Second)
			t.Logf("%s drilled in %v", c.app, time.Since(t0).Round(100*time.Millisecond))
			var rep drillJSON
			out := p.Output()
			js := out[strings.Index(out, "{") : strings.LastIndex(out, "}")+1]
			if err := json.Unmarshal([]byte(js), &rep); err != nil {
				t.Fatalf("no JSON report: %v\n%s", err, out)
			}
			if code != c.exit || rep.ExitStatus != c.exit {
				t.Errorf("drill exit %d (report says %d), want %d\n%s", code, rep.ExitStatus, c.exit, out)
			}
			if len(rep.Runs) != 1+len(c.rows) {
				t.Fatalf("%d rows, want the control run + %d\n%s", len(rep.Runs), len(c.rows), out)
			}
			if ctl := rep.Runs[0]; ctl.Verdict != "ok" || ctl.Requests != 1 || ctl.Exit != 0 {
				t.Errorf("control row %+v, want ok, 1 request, exit 0\n%s", ctl, out)
			}
			for i, w := range c.rows {
				got := rep.Runs[i+1]
				if got.Fault != w.fault || got.Requests != w.requests || got.Verdict != w.verdict {
					t.Errorf("row %d: %s: %s after %d request(s) (%s); want %s: %s after %d", i+1,
						got.Fault, got.Verdict, got.Requests, got.Why, w.fault, w.verdict, w.requests)
				}
			}
		})
	}
}
