package inspect

import (
	"encoding/json"
	"fmt"
	"strings"
)

// This file encodes what each SDK does with an exchange, by version. The
// facts come from domain.md §3.1–3.5 and §4.2 (read in the SDKs' git
// history) and from sdk-matrix.md (the SDKs run against replayed streams);
// each boundary below names its source release.

// sitKind is the part of a verdict an SDK reacts to.
type sitKind int

const (
	sitNone       sitKind = iota // complete: nothing surfaces
	sitStreamErr                 // an error event inside a 2xx stream
	sitHTTPErr                   // an HTTP error status before any stream
	sitTruncated                 // the body ended cleanly without a terminator (or was empty)
	sitDropped                   // the connection broke mid-body
	sitNoResponse                // no HTTP response at all (refused, DNS, TLS, timeout)
	sitCanceled                  // the user cancelled the exchange
	sitInFlight                  // the body is still arriving
)

// situation is what the SDK tables need to know about an exchange.
type situation struct {
	kind        sitKind
	provider    Provider
	errType     string
	status      int  // HTTP status
	first       bool // the error is the first event of the stream
	output      bool // content was delivered before the error
	errKey      bool // the error event's data has an "error" object (OpenAI SDKs raise only then)
	shouldRetry string
}

func situationOf(v *Verdict) situation {
	s := situation{provider: v.Provider, status: v.HTTPStatus, errKey: true}
	if v.Error != nil {
		s.errType = v.Error.Type
		s.output = v.Error.OutputBeforeError
		s.first = v.Error.EventIndex == 0
	}
	if v.Exchange != nil && v.Exchange.Response != nil {
		s.shouldRetry = strings.ToLower(strings.TrimSpace(v.Exchange.Response.Header.Get("X-Should-Retry")))
	}
	switch v.Outcome {
	case OutcomeErrorEvent:
		s.kind = sitStreamErr
		if v.Error != nil && v.Exchange != nil && v.Error.EventIndex >= 0 && v.Error.EventIndex < v.Events.Len() {
			s.errKey = eventHasErrorObject(v, v.Error.EventIndex)
		}
	case OutcomeHTTPError:
		s.kind = sitHTTPErr
	case OutcomeTruncated, OutcomeEmpty:
		s.kind = sitTruncated
	case OutcomeTransportError:
		s.kind = sitDropped
	case OutcomeNoResponse:
		s.kind = sitNoResponse
	case OutcomeCanceled:
		s.kind = sitCanceled
	case OutcomeInFlight:
		s.kind = sitInFlight
	}
	return s
}

// eventHasErrorObject reports whether the event's JSON data has a
// top-level "error" object: the OpenAI SDKs raise only on that key. A
// frame that cannot be read back counts as having one.
func eventHasErrorObject(v *Verdict, i int) bool {
	data := eventData(v, i)
	if data == nil {
		return true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	raw, ok := m["error"]
	return ok && len(raw) > 0 && raw[0] == '{'
}

func intp(n int) *int { return &n }

// stainlessRetries is the retry rule of the official (Stainless-generated)
// SDKs for an HTTP error: x-should-retry decides when present, else 408,
// 409, 429 and every 5xx are retried (domain.md §1.3, A2).
func stainlessRetries(status int, shouldRetry string) bool {
	switch shouldRetry {
	case "true":
		return true
	case "false":
		return false
	}
	return status == 408 || status == 409 || status == 429 || status >= 500
}

// retryAdvice is the shared advice about retrying an in-stream error.
func retryAdvice(s situation) string {
	if s.output {
		return "Content was already delivered before the error, so do not blindly re-send: discard or resume the partial answer first."
	}
	return "No content was delivered before the error, so re-sending the request is safe; back off (overload windows can last minutes; in-stream errors carry no retry-after)."
}

// answerFor fills the answer of SDK d for verdict v, whose situation
// (situationOf(v)) is s.
func answerFor(v *Verdict, s situation, d detected, from string) *SDKAnswer {
	ver, err := parseVersion(d.version)
	if err != nil {
		return nil
	}
	a := &SDKAnswer{Name: d.name, Version: d.version, DetectedFrom: from}
	native := ProviderAnthropic
	if !isAnthropicSDK(d.name) {
		native = ProviderOpenAIChat
	}
	if s.provider == ProviderGeneric {
		s.provider = native
	}
	if isAnthropicSDK(d.name) != (s.provider == ProviderAnthropic) {
		a.Advice = fmt.Sprintf("%s does not speak this %s stream; run diagnose with the SDK your code uses for it.", d.name, v.Provider)
		return a
	}
	if answerNoStream(a, s) {
		return a
	}
	if s.kind == sitHTTPErr && s.status >= 200 && s.status < 300 {
		// A JSON error document under a 2xx status: no SDK maps a 2xx to
		// an error class, and none was run against such a body.
		a.Raises = "not measured"
		a.Advice = "The response is 2xx but its body is a JSON error, not an event stream: the SDK's status-based error classes and retry do not apply, and its stream parser finds no events. What it surfaces was not measured. Check the Content-Type (text/event-stream) before iterating and treat any other body as the error it holds."
		a.Language, a.Snippet = snippetFor(d.name, ver, situation{kind: sitStreamErr, provider: s.provider})
		return a
	}
	switch d.name {
	case SDKAnthropicPython:
		anthropicPython(a, ver, s, d.async)
	case SDKAnthropicTypeScript:
		anthropicTS(a, ver, s)
	case SDKAnthropicGo:
		anthropicGo(a, ver, s)
	case SDKAnthropicJava:
		anthropicJava(a, ver, s)
	case SDKVercelAI:
		vercelAI(a, ver, s)
	case SDKOpenAIPython:
		openaiPython(a, ver, s)
	case SDKOpenAINode:
		openaiNode(a, ver, s)
	case SDKOpenAIGo:
		openaiGo(a, ver, s)
	default:
		return nil
	}
	a.TypeField = a.ErrorTypeAt != "" && !strings.Contains(a.ErrorTypeAt, "JSON") &&
		!strings.Contains(a.ErrorTypeAt, "not exposed") && !strings.Contains(a.ErrorTypeAt, "Event.Data")
	if s.kind == sitNone {
		// A complete stream with no error: no retry is needed, so no
		// retry snippet is offered.
		a.NothingToRetry = true
		return a
	}
	a.Language, a.Snippet = snippetFor(d.name, ver, s)
	return a
}

const completeAdvice = "The stream completed; nothing is raised."

// truncatedAdvice is the common part of the advice for a body that ended
// without its terminator (domain.md §2.4 W11, sdk-matrix truncated_clean).
const truncatedAdvice = " Require the terminating event (message_stop, or [DONE]/finish_reason for OpenAI) and treat its absence as a failure; retry only if nothing was delivered."

// anthropicPython: domain.md §3.1; sdk-matrix py-0.40.0 / py-0.121.0.
func anthropicPython(a *SDKAnswer, v version, s situation, async bool) {
	typeAt := `e.body["error"]["type"]`
	if v.atLeast("0.87.0") {
		typeAt = "e.type"
	}
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "anthropic.APIStatusError", intp(200), typeAt
		a.Advice = "Raised while iterating, as the base APIStatusError with status_code 200 (never OverloadedError or RateLimitError), so except-by-class and max_retries do not help; branch on the error type instead. " + retryAdvice(s)
		if !v.atLeast("0.87.0") {
			a.Advice += ` Upgrade to anthropic 0.87.0 or later to read it as e.type; until then read e.body["error"]["type"].`
		}
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = pythonStatusClass("anthropic", s.status, v, async), intp(s.status), typeAt
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "max_retries")
		if s.status == 529 && !v.atLeast("0.47.0") {
			a.Advice += " OverloadedError exists from anthropic 0.47.0; upgrade to catch it by class."
		} else if s.status == 529 && async && !v.atLeast("0.85.0") {
			a.Advice += " AsyncAnthropic maps 529 to OverloadedError only from 0.85.0; upgrade to catch it by class."
		}
	case sitTruncated:
		a.Advice = "Nothing is raised: raw iteration ends normally and the final message's stop_reason is None (messages.stream() does not raise either; get_final_message().stop_reason is None)." + truncatedAdvice
	case sitDropped:
		a.Raises = "httpx.RemoteProtocolError"
		a.Advice = "Raised while iterating and not wrapped in anthropic.APIConnectionError, so handlers for anthropic errors miss it; the SDK does not retry it. Catch httpx.TransportError too; retry only if nothing was delivered."
	}
}

// stainlessStatusClass is the status error class shared by the
// Stainless-generated Python and TypeScript SDKs (anthropic and openai
// alike), without its package prefix; "" for a status with no class of
// its own.
func stainlessStatusClass(status int) string {
	switch {
	case status == 400:
		return "BadRequestError"
	case status == 401:
		return "AuthenticationError"
	case status == 403:
		return "PermissionDeniedError"
	case status == 404:
		return "NotFoundError"
	case status == 409:
		return "ConflictError"
	case status == 422:
		return "UnprocessableEntityError"
	case status == 429:
		return "RateLimitError"
	case status >= 500:
		return "InternalServerError"
	}
	return ""
}

// pythonStatusClass is the class a Python SDK (pkg "anthropic" or
// "openai") raises for an HTTP error status.
func pythonStatusClass(pkg string, status int, v version, async bool) string {
	// anthropic 0.47.0 added RequestTooLargeError and OverloadedError;
	// AsyncAnthropic mapped them only from 0.85.0.
	own413And529 := pkg == "anthropic" && v.atLeast("0.47.0") && (!async || v.atLeast("0.85.0"))
	c := stainlessStatusClass(status)
	switch {
	case status == 413 && own413And529:
		c = "RequestTooLargeError"
	case status == 529 && own413And529:
		c = "OverloadedError"
	case c == "":
		c = "APIStatusError"
	}
	return pkg + "." + c
}

func httpRetryAdvice(retries bool, knob string) string {
	if retries {
		return "An HTTP error before the stream: the built-in retry fires (" + knob + ", default 2) with exponential backoff, honouring retry-after. Raise " + knob + " for long overload windows."
	}
	return "An HTTP error before the stream that the built-in retry does not repeat: fix the request or credentials; re-sending will fail the same way."
}

// anthropicTS: domain.md §3.2; sdk-matrix ts-0.32.1 / ts-0.137.0 / ts-1.14.0.
func anthropicTS(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case !v.atLeast("0.27.3"):
			a.Raises, a.ErrorTypeAt = "Anthropic.APIConnectionError", "not exposed (message is \"Connection error.\")"
			a.Advice = "Thrown while iterating as an APIConnectionError with the detail lost, indistinguishable from a network failure. Upgrade to @anthropic-ai/sdk 0.81.0 or later, where it is an APIError with e.type set."
		case !v.atLeast("0.50.0"):
			a.Raises, a.ErrorTypeAt = "Anthropic.APIConnectionError", "JSON.parse(e.message).error.type"
			a.Advice = "Thrown while iterating as an APIConnectionError whose message is the raw event data, so connection-error retry wrappers treat it as a network failure. Upgrade to @anthropic-ai/sdk 0.81.0 or later, where it is an APIError with e.type set."
		case !v.atLeast("0.81.0"):
			a.Raises, a.ErrorTypeAt = "Anthropic.APIError", "e.error?.error?.type"
			a.Advice = "Thrown while iterating as the base APIError with status undefined (not InternalServerError or RateLimitError). Upgrade to @anthropic-ai/sdk 0.81.0 or later to read the type as e.type."
		default:
			a.Raises, a.ErrorTypeAt = "Anthropic.APIError", "e.type"
			a.Advice = "Thrown while iterating as the base APIError with status undefined; instanceof OverloadedError/InternalServerError/RateLimitError is false and maxRetries does not apply. Branch on e.type."
		}
		a.Advice += " " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported = tsStatusClass(s.status, v), intp(s.status)
		a.ErrorTypeAt = "e.error?.error?.type"
		if v.atLeast("0.81.0") {
			a.ErrorTypeAt = "e.type"
		}
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "maxRetries")
	case sitTruncated:
		a.Advice = "Nothing is thrown by raw iteration of messages.create({stream: true}) (stop_reason stays null); messages.stream() throws AnthropicError \"stream ended without producing a Message with role=assistant\" from finalMessage()." + truncatedAdvice
	case sitDropped:
		switch {
		case !v.atLeast("0.32.2"):
			a.Raises = "Error (Premature close)"
			a.Advice = "node-fetch's \"Premature close\" (seen with 0.32.1, where the last delta before the drop was also lost);"
		case v.atLeast("0.137.0"):
			a.Raises = "TypeError (terminated)"
			a.Advice = "The fetch \"terminated\" TypeError (seen with 0.137.0 and 1.14.0);"
		default:
			a.Raises = "Error (Premature close) or TypeError (terminated)"
			a.Advice = "A fetch error: \"Premature close\" with node-fetch (0.32.1), \"terminated\" with the built-in fetch (0.137.0+); not measured for this version;"
		}
		a.Advice += " messages.stream() wraps it in AnthropicError. Not an APIError and not retried; retry only if nothing was delivered."
	}
}

func tsStatusClass(status int, v version) string {
	switch {
	case status == 529 && v.atLeast("1.14.0"):
		return "Anthropic.OverloadedError"
	case status == 529 && v.atLeast("0.137.1"):
		// sdk-matrix: InternalServerError in 0.137.0, OverloadedError in 1.14.0.
		return "Anthropic.InternalServerError or Anthropic.OverloadedError (changed between 0.137.0 and 1.14.0)"
	}
	if c := stainlessStatusClass(status); c != "" {
		return "Anthropic." + c
	}
	return "Anthropic.APIError"
}
