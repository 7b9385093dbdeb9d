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

// buildDrillApps builds every program under e2e/drillapps into dir, in
// one go build (one link step each, compiled in parallel).
func buildDrillApps(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./drillapps/...")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the drill apps: %v\n%s", err, out)
	}
}

// TestE2EDrillRealSDKs drills six small programs on the official SDKs
// (anthropic-sdk-go v2.15.0, openai-go v3.98.0, google.golang.org/genai
// v1.79.1, default retries) through
// the real midstream binary, and asserts each row: what those SDKs really
// do under each fault, as measured (see the comment on each case).
func TestE2EDrillRealSDKs(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now()
	buildDrillApps(t, dir)
	t.Logf("apps built in %v", time.Since(t0).Round(100*time.Millisecond))
	type want struct {
		fault    string
		requests int
		verdict  string
	}
	// The rows below were measured on 2026-12-04 by this test itself
	// (midstream drill with the built-in streams, anthropic-sdk-go
	// v2.15.0 and openai-go v3.98.0 at their default 2 retries), then
	// asserted. What they show:
	//   - HTTP 529 / 503 before the stream: both SDKs retry by themselves
	//     (2 requests) and the clean second answer completes: recovered.
	//   - An in-stream error event: the SDK surfaces it from stream.Err()
	//     (anthropic: *anthropic.Error with StatusCode 200; openai-go:
	//     *ssestream.StreamError) and never re-sends: reported, 1 request.
	//   - cut@N, cut-between@N, reset@N: stream.Err() is "unexpected EOF"
	//     or a reset: reported, never retried.
	//   - cut-before-end (only message_stop / [DONE] dropped, clean end of
	//     body): raw iteration AND the accumulating helpers
	//     (Message.Accumulate, ChatCompletionAccumulator) end without any
	//     error: swallowed. (Anthropic's message_delta still carried
	//     stop_reason end_turn, so even the accumulated message looks whole.)
	//   - stall (with pings for Anthropic) and drip: the SDKs wait; the
	//     full answer arrives: recovered.
	//   - garble of a content event: a JSON error from stream.Err():
	//     reported. garble@3 of the Anthropic stream hits its ping event
	//     (the API sends ping third): anthropic-sdk-go skips pings without
	//     decoding them, so the app gets the whole text and exits 0; drill
	//     counts a garbled attempt as lost, so the row reads swallowed.
	anthropicFaults := "status:529,error@2:overloaded_error,cut@3,cut-between@2,cut-before-end,reset@3,stall@2:1s,pings,drip:4096,garble@3,garble@4"
	anthropicRows := []want{
		{"status:529", 2, "recovered"},
		{"error@2:overloaded_error", 1, "reported"},
		{"cut@3", 1, "reported"},
		{"cut-between@2", 1, "reported"},
		{"cut-before-end", 1, "swallowed"},
		{"reset@3", 1, "reported"},
		{"stall@2:1s,pings", 1, "recovered"},
		{"drip:4096", 1, "recovered"},
		{"garble@3", 1, "swallowed"},
		{"garble@4", 1, "reported"},
	}
	openaiFaults := "status:503,error@2:server_error,cut@3,cut-between@2,cut-before-end,reset@3,stall@2:1s,drip:4096,garble@3"
	openaiRows := []want{
		{"status:503", 2, "recovered"},
		{"error@2:server_error", 1, "reported"},
		{"cut@3", 1, "reported"},
		{"cut-between@2", 1, "reported"},
		{"cut-before-end", 1, "swallowed"},
		{"reset@3", 1, "reported"},
		{"stall@2:1s", 1, "recovered"},
		{"drip:4096", 1, "recovered"},
		{"garble@3", 1, "reported"},
	}
	// openai-go's Responses stream (client.Responses.NewStreaming) is
	// another matter: the in-stream `event: error` and `response.failed`
	// arrive as ordinary events and stream.Err() stays nil, so raw
	// iteration swallows a mid-stream error (measured the same day).
	responsesRows := append([]want{}, openaiRows...)
	responsesRows[1].verdict = "swallowed"
	// genai-raw (google.golang.org/genai v1.79.1, default options: no
	// retry) under drill's default Gemini faults (faults "" below:
	// inspect.DrillFaults(inspect.ProviderGemini)), measured on
	// 2026-12-04 by this test with the built-in Gemini stream, the SDK
	// pointed at drill by GOOGLE_GEMINI_BASE_URL (genai base_url.go,
	// getBaseURL). What the iterator yielded:
	//   - status:503: a genai.APIError (Error 503, UNAVAILABLE) and no
	//     second request: the Go SDK does not retry by default.
	//   - error@2 (Gemini's error chunk), tail:503 (the raw JSON error
	//     after the last chunk, after the whole text): an APIError 503
	//     from the iterator: reported.
	//   - cut@3 and garble@3: "iterateResponseStream: error unmarshalling
	//     data"; cut-between@2: "unexpected EOF"; reset@3: the reset.
	//   - cut-before-end (the final chunk, with finishReason STOP and the
	//     last words, dropped): the iterator just ends, no error: the app
	//     printed "Hello from midstream" and exited 0: swallowed.
	//   - stall, drip: the whole text: recovered.
	genaiRows := []want{
		{"status:503", 1, "reported"},
		{"error@2:overloaded_error", 1, "reported"},
		{"cut@3", 1, "reported"},
		{"cut-between@2", 1, "reported"},
		{"cut-before-end", 1, "swallowed"},
		{"reset@3", 1, "reported"},
		{"stall@2:3s", 1, "recovered"},
		{"drip:2048", 1, "recovered"},
		{"garble@3", 1, "reported"},
		{"tail:503", 1, "reported"},
	}
	cases := []struct {
		app    string
		faults string
		rows   []want
		exit   int // drill's own exit status: 1, since a fault was swallowed
	}{
		{"anthropic-raw", anthropicFaults, anthropicRows, 1},
		{"anthropic-accumulate", anthropicFaults, anthropicRows, 1},
		{"openai-raw", openaiFaults, openaiRows, 1},
		{"openai-accumulate", openaiFaults, openaiRows, 1},
		{"openai-responses-raw", openaiFaults, responsesRows, 1},
		{"genai-raw", "", genaiRows, 1}, // "": drill's defaults for the dialect it sees
	}
	for _, c := range cases {
		t.Run(c.app, func(t *testing.T) {
			app := filepath.Join(dir, c.app)
			t0 := time.Now()
			args := []string{"drill", "--format", "json", "--timeout", "30s"}
			if c.faults != "" {
				args = append(args, "--faults", c.faults)
			}
			p := start(t, nil, append(args, "--", app)...)
			code := p.Wait(t, 90*time.Second)
			t.Logf("%s drilled in %v", c.app, time.Since(t0).Round(100*time.Millisecond))
			var rep drillJSON
			out := p.Output()
			// A drill that failed before its report prints no JSON: fail
			// with its output rather than panic on the slice.
			i, j := strings.Index(out, "{"), strings.LastIndex(out, "}")
			if i < 0 || j < i {
				t.Fatalf("no JSON report (drill exit %d):\n%s", code, out)
			}
			if err := json.Unmarshal([]byte(out[i:j+1]), &rep); err != nil {
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
