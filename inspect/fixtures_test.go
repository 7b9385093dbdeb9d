package inspect

import (
	"path/filepath"
	"testing"
)

// TestFixtures runs Diagnose over the fixtures in testdata (written for
// this package, modelled on documented shapes) and checks the verdict a
// user reads: outcome, both statuses, mismatch, the error and key findings.
func TestFixtures(t *testing.T) {
	cases := []struct {
		file      string
		url       string // request URL to attach, "" for none
		provider  Provider
		gateway   string
		outcome   Outcome
		http      int
		mapped    int
		mismatch  bool
		errType   string
		retryable bool
		output    bool
		requestID string
		model     string
		want      []string
		not       []string
	}{
		{file: "anthropic-thinking-tool-crlf.sse", provider: ProviderAnthropic, outcome: OutcomeComplete, http: 200,
			model: "claude-sonnet-4-5", not: []string{"A-W7-tool-json", "A-W6-delta-block", "A-W4-name-mismatch"}},
		{file: "anthropic-rate-limit-request-id.sse", provider: ProviderAnthropic, outcome: OutcomeErrorEvent, http: 200, mapped: 429, mismatch: true,
			errType: "rate_limit_error", retryable: true, requestID: "req_fixture0123456789", model: "claude-opus-4-1", want: []string{"A-W10-error-event"}},
		{file: "anthropic-after-delta-no-stop.sse", provider: ProviderAnthropic, outcome: OutcomeTruncated, http: 200, mismatch: true,
			model: "deepseek-chat", want: []string{"A-W11-truncated-after-delta"}, not: []string{"A-W11-truncated-between-blocks"}},
		{file: "vertex-429-envelope.http", url: "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4:streamRawPredict",
			provider: ProviderAnthropic, gateway: GatewayVertex, outcome: OutcomeHTTPError, http: 429, mapped: 429, errType: "RESOURCE_EXHAUSTED",
			want: []string{"H-http-error", "H-no-retry-after"}},
		{file: "anthropic-429-spend-cap.http", provider: ProviderAnthropic, outcome: OutcomeHTTPError, http: 429, mapped: 429, errType: "rate_limit_error",
			requestID: "req_fixturespendcap", want: []string{"H-http-error", "H-spend-cap"}, not: []string{"H-no-retry-after"}},
		{file: "anthropic-429-retry-after.http", provider: ProviderAnthropic, outcome: OutcomeHTTPError, http: 429, mapped: 429, errType: "rate_limit_error",
			retryable: true, requestID: "req_fixtureratelimit", want: []string{"H-retry-after"}, not: []string{"H-spend-cap", "H-no-retry-after"}},
		{file: "bedrock-429-throttling.http", url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet/invoke-with-response-stream",
			provider: ProviderAnthropic, gateway: GatewayBedrock, outcome: OutcomeHTTPError, http: 429, mapped: 429, errType: "ThrottlingException",
			requestID: "5d3c0b0e-fixture", want: []string{"H-http-error"}},
		{file: "portkey-overloaded-finish-reason.sse", provider: ProviderOpenAIChat, gateway: GatewayPortkey, outcome: OutcomeErrorEvent, http: 200, mapped: 529, mismatch: true,
			errType: "overloaded_error", retryable: true, model: "claude-3-5-sonnet-20241022", want: []string{"O-finish-reason-error-type"}},
		{file: "openrouter-numeric-502.sse", provider: ProviderOpenRouter, outcome: OutcomeErrorEvent, http: 200, mapped: 502, mismatch: true,
			errType: "502", retryable: true, model: "anthropic/claude-sonnet-4", want: []string{"O-error-object"}},
		{file: "openai-responses-failed-quota.sse", provider: ProviderOpenAIResponses, outcome: OutcomeErrorEvent, http: 200, mapped: 429, mismatch: true,
			errType: "insufficient_quota", retryable: false, model: "gpt-4.1-mini", want: []string{"R-error-event"}, not: []string{"R-after-terminal", "R-sequence-gap"}},
		{file: "openai-chat-tool-call.sse", provider: ProviderOpenAIChat, outcome: OutcomeComplete, http: 200, model: "gpt-4o-mini",
			not: []string{"O-no-finish-reason", "O-truncated"}},
		{file: "keepalives-only.sse", provider: ProviderGeneric, outcome: OutcomeEmpty, http: 200, want: []string{"S-no-events"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			x := loadExchange(t, filepath.Join("testdata", c.file))
			if c.url != "" {
				withRequest(x, "POST", c.url, `{"model":"from-request"}`)
			}
			v := Diagnose(x, Options{})
			if v.Provider != c.provider || v.Gateway != c.gateway {
				t.Errorf("provider = %s/%q, want %s/%q", v.Provider, v.Gateway, c.provider, c.gateway)
			}
			if v.Outcome != c.outcome || v.HTTPStatus != c.http || v.MappedStatus != c.mapped || v.Mismatch != c.mismatch {
				t.Errorf("outcome/http/mapped/mismatch = %s/%d/%d/%v, want %s/%d/%d/%v (findings %v)",
					v.Outcome, v.HTTPStatus, v.MappedStatus, v.Mismatch, c.outcome, c.http, c.mapped, c.mismatch, codes(v))
			}
			switch {
			case c.errType == "" && v.Error != nil:
				t.Errorf("error = %+v, want none", *v.Error)
			case c.errType != "" && v.Error == nil:
				t.Errorf("no error, want %s", c.errType)
			case c.errType != "" && (v.Error.Type != c.errType || v.Error.Retryable != c.retryable || v.Error.OutputBeforeError != c.output):
				t.Errorf("error = %+v, want type %s retryable %v output %v", *v.Error, c.errType, c.retryable, c.output)
			}
			if v.RequestID != c.requestID {
				t.Errorf("request id = %q, want %q", v.RequestID, c.requestID)
			}
			wantModel := c.model
			if c.url != "" {
				wantModel = "from-request"
			}
			if v.Model != wantModel {
				t.Errorf("model = %q, want %q", v.Model, wantModel)
			}
			for _, code := range c.want {
				if !hasCode(v, code) {
					t.Errorf("missing finding %s; got %v", code, codes(v))
				}
			}
			for _, code := range c.not {
				if hasCode(v, code) {
					t.Errorf("unexpected finding %s; got %v", code, codes(v))
				}
			}
			for _, f := range v.Findings {
				if f.Title == "" || f.Detail == "" || len(f.Fixes) == 0 {
					t.Errorf("finding %s lacks title, detail or fixes: %+v", f.Code, f)
				}
			}
		})
	}
}
