package inspect

import (
	"os"
	"path/filepath"
	"testing"
)

// samplesDir returns the shared sample set, next to the repository (see
// SOURCES.md there), or $MIDSTREAM_SAMPLES when set (for worktrees that
// do not sit beside it). The test skips when it is absent.
func samplesDir() string {
	if d := os.Getenv("MIDSTREAM_SAMPLES"); d != "" {
		return d
	}
	return "../../shared/samples"
}

// TestConformanceSamples asserts each shared sample's verdict as
// SOURCES.md describes it.
func TestConformanceSamples(t *testing.T) {
	dir := samplesDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared samples not present at %s", dir)
	}
	type want struct {
		provider    Provider
		outcome     Outcome
		http        int
		mapped      int
		mismatch    bool
		errType     string
		retryable   bool
		outputFirst bool
		errIndex    int
		findings    []string // codes that must be present
		absent      []string // codes that must not be present
	}
	cases := map[string]want{
		"anthropic-overloaded-first-event.sse": {ProviderAnthropic, OutcomeErrorEvent, 200, 529, true, "overloaded_error", true, false, 0,
			[]string{"A-W10-error-event"}, []string{"A-W2-first-event", "A-W11-truncated-between-blocks"}},
		"anthropic-overloaded-midstream.sse": {ProviderAnthropic, OutcomeErrorEvent, 200, 529, true, "overloaded_error", true, true, 4,
			[]string{"A-W10-error-event"}, []string{"A-W11-truncated-mid-block"}},
		"anthropic-api-error-midstream.sse": {ProviderAnthropic, OutcomeErrorEvent, 200, 500, true, "api_error", true, true, 4,
			[]string{"A-W10-error-event"}, nil},
		"anthropic-basic-text.sse": {ProviderAnthropic, OutcomeComplete, 200, 0, false, "", false, false, 0,
			nil, []string{"A-W8-no-stop-reason", "A-W4-name-mismatch"}},
		"anthropic-tool-use.sse": {ProviderAnthropic, OutcomeComplete, 200, 0, false, "", false, false, 0,
			nil, []string{"A-W7-tool-json", "A-W6-delta-block", "A-W5-block-order"}},
		"anthropic-extended-thinking.sse": {ProviderAnthropic, OutcomeComplete, 200, 0, false, "", false, false, 0,
			nil, []string{"A-W6-delta-block", "A-W8-usage-decreased"}},
		"anthropic-truncated-mid-tool-json.sse": {ProviderAnthropic, OutcomeTruncated, 200, 0, true, "", false, false, 0,
			[]string{"A-W11-truncated-mid-block"}, nil},
		"anthropic-truncated-no-message-stop.sse": {ProviderAnthropic, OutcomeTruncated, 200, 0, true, "", false, false, 0,
			[]string{"A-W11-truncated-between-blocks"}, []string{"A-W11-truncated-after-delta"}},
		"anthropic-http-529-overloaded.http": {ProviderAnthropic, OutcomeHTTPError, 529, 529, false, "overloaded_error", true, false, -1,
			[]string{"H-http-error", "H-should-retry"}, []string{"T-content-type-wrong"}},
		"openai-chat-error-first-chunk.sse": {ProviderOpenAIChat, OutcomeErrorEvent, 200, 500, true, "server_error", true, false, 0,
			[]string{"O-error-object"}, nil},
		"openai-responses-error-event.sse": {ProviderOpenAIResponses, OutcomeErrorEvent, 200, 429, true, "rate_limit_exceeded", true, false, 1,
			[]string{"R-error-event"}, nil},
		"openrouter-midstream-error.sse": {ProviderOpenRouter, OutcomeErrorEvent, 200, 500, true, "server_error", true, true, 1,
			[]string{"O-error-object"}, nil},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		if name == "SOURCES.md" {
			continue
		}
		w, ok := cases[name]
		if !ok {
			t.Errorf("sample %s has no expected verdict in this test", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			v := Diagnose(loadExchange(t, path), Options{})
			if v.Provider != w.provider {
				t.Errorf("provider = %s, want %s", v.Provider, w.provider)
			}
			if v.Outcome != w.outcome {
				t.Errorf("outcome = %s, want %s (findings %v)", v.Outcome, w.outcome, codes(v))
			}
			if v.HTTPStatus != w.http {
				t.Errorf("http status = %d, want %d", v.HTTPStatus, w.http)
			}
			if v.MappedStatus != w.mapped {
				t.Errorf("mapped status = %d, want %d", v.MappedStatus, w.mapped)
			}
			if v.Mismatch != w.mismatch {
				t.Errorf("mismatch = %v, want %v", v.Mismatch, w.mismatch)
			}
			if w.errType == "" {
				if v.Error != nil {
					t.Errorf("error = %+v, want none", v.Error)
				}
			} else if v.Error == nil {
				t.Errorf("error = nil, want %s", w.errType)
			} else {
				e := v.Error
				if e.Type != w.errType || e.Retryable != w.retryable || e.OutputBeforeError != w.outputFirst || e.EventIndex != w.errIndex {
					t.Errorf("error = %+v, want type %s retryable %v output_before_error %v index %d", *e, w.errType, w.retryable, w.outputFirst, w.errIndex)
				}
			}
			for _, c := range w.findings {
				if !hasCode(v, c) {
					t.Errorf("finding %s missing; got %v", c, codes(v))
				}
			}
			for _, c := range w.absent {
				if hasCode(v, c) {
					t.Errorf("finding %s present; got %v", c, codes(v))
				}
			}
			if v.EventCount != v.Events.Len() {
				t.Errorf("event_count %d != %d events", v.EventCount, v.Events.Len())
			}
		})
	}
	if seen != len(cases) {
		t.Errorf("saw %d of the %d expected samples", seen, len(cases))
	}
}
