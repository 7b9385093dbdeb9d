package inspect

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// anthropicStatus is domain.md appendix A1: the HTTP status each documented
// Anthropic error.type stands for. A type that is not listed maps to 0
// ("unknown, not in the docs"): the docs say the list grows.
var anthropicStatus = map[string]int{
	"invalid_request_error": 400,
	"authentication_error":  401,
	"billing_error":         402,
	"permission_error":      403,
	"not_found_error":       404,
	"conflict_error":        409,
	"request_too_large":     413,
	"rate_limit_error":      429,
	"api_error":             500,
	"timeout_error":         504,
	"overloaded_error":      529,
}

// AnthropicStatus returns the HTTP status an Anthropic error type stands
// for (appendix A1), or 0 for a type the docs do not list.
func AnthropicStatus(errType string) int { return anthropicStatus[errType] }

// bedrockStatus is appendix A3: Bedrock event-stream exception → status.
var bedrockStatus = map[string]int{
	"internalServerException":     500,
	"modelStreamErrorException":   424,
	"modelTimeoutException":       408,
	"serviceUnavailableException": 503,
	"throttlingException":         429,
	"validationException":         400,
}

// BedrockStatus returns the documented HTTP status of a Bedrock exception
// (appendix A3); the first letter's case is ignored because the
// x-amzn-ErrorType header capitalises it. originalStatus, when non-zero,
// wins for modelStreamErrorException, whose payload carries the upstream
// model's status. 0 means unknown.
func BedrockStatus(exception string, originalStatus int) int {
	name := exception
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[:i] // x-amzn-ErrorType: ThrottlingException:http://…
	}
	if name != "" {
		name = strings.ToLower(name[:1]) + name[1:]
	}
	if name == "modelStreamErrorException" && originalStatus > 0 {
		return originalStatus
	}
	return bedrockStatus[name]
}

// openAIHeuristic is appendix A4, from vercel/ai openai-stream-error.ts:
// substrings of the error code or type, checked in this order.
var openAIHeuristic = []struct {
	sub    string
	status int
}{
	{"insufficient_quota", 429},
	{"rate_limit", 429},
	{"authentication", 401},
	{"permission", 403},
	{"not_found", 404},
	{"invalid", 400},
	{"bad_request", 400},
	{"context_length", 400},
	{"overload", 503},
	{"timeout", 504},
}

// OpenAIStatus maps an OpenAI-style in-stream error to a status (appendix
// A4): a numeric code, or a code of exactly three digits, is used as-is
// (this is how OpenRouter's numeric error.code equals the HTTP status);
// otherwise the first matching substring of code or type decides; anything
// else is 500.
func OpenAIStatus(code, errType string) int {
	if n, err := strconv.Atoi(code); err == nil && len(code) == 3 && n >= 100 {
		return n
	}
	for _, h := range openAIHeuristic {
		if strings.Contains(code, h.sub) || strings.Contains(errType, h.sub) {
			return h.status
		}
	}
	return 500
}

// quotaExhausted reports OpenAI-style error codes that, like Anthropic's
// spend cap, keep failing until billing changes: they map to 429 by A4 but
// retrying cannot help (the OpenAI docs advise reading error.code to tell
// them from rate limits).
func quotaExhausted(code string) bool {
	switch code {
	case "insufficient_quota", "credit_balance_exhausted", "billing_hard_limit_reached":
		return true
	}
	return false
}

// bodySaysRetry reports an error message that calls the failure passing
// and asks for a retry, as OpenRouter's "temporarily rate-limited
// upstream. Please retry shortly" does.
func bodySaysRetry(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "temporarily") || strings.Contains(m, "retry shortly") ||
		strings.Contains(m, "try again") || strings.Contains(m, "please retry")
}

// retryPolicy is what A2 needs to know beyond the status.
type retryPolicy struct {
	status     int
	spendCap   bool   // error.details.error_code == enforced_spend_limit_reached
	inStream   bool   // the error came after HTTP 200 (no HTTP retry headers apply)
	retryAfter bool   // a retry-after or retry-after-ms header is present
	shouldRtry string // x-should-retry header value, "" when absent
	// transient429 marks a 429 that is a passing rate limit by its body
	// ("temporarily rate-limited … retry shortly") or by the provider's
	// docs (OpenRouter's 429 is "rate limited"; its out-of-credits is a
	// 402): retryable without retry-after.
	transient429 bool
}

// retryable is appendix A2. x-should-retry, present on an HTTP response,
// wins over everything (the SDKs check it first). The spend-cap 429 is
// never retryable: it keeps failing until the cap resets. A 429 on an
// HTTP response is retryable only with retry-after (the spend cap comes
// without one); an in-stream rate_limit_error can carry no header at all,
// so there it is retryable with backoff. 408, 409 and every 5xx (529
// included) are retryable; 400–404, 413 and unknown statuses are not.
func retryable(p retryPolicy) bool {
	if !p.inStream {
		switch strings.ToLower(strings.TrimSpace(p.shouldRtry)) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	switch {
	case p.spendCap:
		return false
	case p.status == 429:
		return p.inStream || p.retryAfter || p.transient429
	case p.status == 408, p.status == 409:
		return true
	case p.status >= 500 && p.status <= 599:
		return true
	}
	return false
}

// retryAfter parses a retry-after-ms or retry-after header (seconds or an
// HTTP date relative to the response's Date header); ok is false when
// neither header is present or parseable.
func retryAfter(h http.Header) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 {
			return time.Duration(f * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		return time.Duration(f * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			return max(t.Sub(d), 0), true
		}
		return 0, true
	}
	return 0, false
}

// knownStopReasons are the Anthropic StopReason values of domain.md §2.3.
var knownStopReasons = map[string]bool{
	"end_turn": true, "max_tokens": true, "stop_sequence": true, "tool_use": true,
	"pause_turn": true, "refusal": true, "model_context_window_exceeded": true,
	"compaction": true,
}

// knownFinishReasons are the OpenAI Chat Completions finish_reason values.
var knownFinishReasons = map[string]bool{
	"stop": true, "length": true, "tool_calls": true, "content_filter": true, "function_call": true,
}
