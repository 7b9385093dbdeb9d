package inspect

import "regexp"

// The Anthropic SDKs of each language (Python, TypeScript, Go, Java), all
// Stainless-generated: what each raises for each kind of stream, by
// version. Sources: domain.md §3.1–3.4 (read in the SDKs' git history),
// sdk-matrix.md (the SDKs run against replayed streams), and the SDK
// source named beside each boundary.

// The Anthropic SDK names --sdk accepts.
const (
	SDKAnthropicPython     = "anthropic-python"
	SDKAnthropicTypeScript = "anthropic-typescript"
	SDKAnthropicGo         = "anthropic-go"
	SDKAnthropicJava       = "anthropic-java"
)

// uaVersion is the version part of a User-Agent product token.
const uaVersion = `v?([0-9][0-9A-Za-z.\-+]*)`

var anthropicSDKs = []sdkSpec{
	{name: SDKAnthropicPython, current: "0.121.0", speaks: ProviderAnthropic,
		answer: func(a *SDKAnswer, v version, s situation, d detected) { anthropicPython(a, v, s, d.async) },
		// The Python clients put their class name first ("AsyncAnthropic/Python 0.121.0").
		ua: []*regexp.Regexp{regexp.MustCompile(`(?i)\b(Async)?Anthropic/Python\s+` + uaVersion)}},
	{name: SDKAnthropicTypeScript, current: "1.14.0", speaks: ProviderAnthropic,
		answer: func(a *SDKAnswer, v version, s situation, d detected) { anthropicTS(a, v, s, d.helper == "stream") },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\bAnthropic/(?:JS|TypeScript|Node)\s+` + uaVersion)}},
	{name: SDKAnthropicGo, current: "2.15.0", speaks: ProviderAnthropic,
		answer: func(a *SDKAnswer, v version, s situation, _ detected) { anthropicGo(a, v, s) },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\bAnthropic/Go\s+` + uaVersion)}},
	{name: SDKAnthropicJava, current: "2.57.0", speaks: ProviderAnthropic,
		answer: func(a *SDKAnswer, v version, s situation, _ detected) { anthropicJava(a, v, s) },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\bAnthropic/(?:Java|Kotlin)\s+` + uaVersion)}},
}

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

// anthropicTS: domain.md §3.2; sdk-matrix ts-0.32.1 / ts-0.137.0 /
// ts-1.14.0, create and helper columns. helper is true when the request
// came from messages.stream(), which sends X-Stainless-Helper-Method:
// stream (lib/MessageStream.ts, @anthropic-ai/sdk 1.17.0).
func anthropicTS(a *SDKAnswer, v version, s situation, helper bool) {
	if helper && (s.kind == sitTruncated || s.kind == sitDropped) {
		anthropicTSHelper(a, v, s)
		return
	}
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
		a.Raises, a.StatusReported = tsStatusClass("Anthropic", s.status, v), intp(s.status)
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

// anthropicGo: domain.md §3.3; sdk-matrix go-v1.2.0 / go-v1.84.0 /
// go-v2.15.0; checked in anthropic-sdk-go/v2@v2.15.0
// packages/ssestream (richErrorDecoder.newAPIError) and internal/apierror.
func anthropicGo(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		if !v.atLeast("1.38.0") {
			a.Raises, a.ErrorTypeAt = "*errors.errorString", `JSON after "received error while streaming: " in err.Error()`
			a.Advice = "stream.Err() is a plain fmt error; errors.As into *anthropic.Error fails. Upgrade to anthropic-sdk-go v1.38.0 or later (or v2), where it is *anthropic.Error with Type(). " + retryAdvice(s)
			return
		}
		a.Raises, a.StatusReported, a.ErrorTypeAt = "*anthropic.Error", intp(200), "err.Type()"
		a.Advice = "stream.Err() is *anthropic.Error with StatusCode 200 (the stream's status), so code keyed on 529 or >= 500 misses it and MaxRetries does not apply; branch on Type(). " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported = "*anthropic.Error", intp(s.status)
		a.ErrorTypeAt = `error.type in err.RawJSON()`
		if v.atLeast("1.38.0") {
			a.ErrorTypeAt = "err.Type()"
		}
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "option.WithMaxRetries")
	case sitTruncated:
		a.Advice = "Nothing is returned: stream.Next() ends, stream.Err() is nil and the accumulated StopReason is \"\"." + truncatedAdvice
	case sitDropped:
		a.Raises = "*errors.errorString (unexpected EOF)"
		a.Advice = "stream.Err() is io.ErrUnexpectedEOF, not an *anthropic.Error, and is not retried; retry only if nothing was delivered."
	}
}

// anthropicJava: domain.md §3.4 (not in sdk-matrix: Java was not run).
func anthropicJava(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case !v.atLeast("0.9.0"):
			a.Raises, a.ErrorTypeAt = "AnthropicException", `JSON after "Error while streaming: " in e.getMessage()`
			a.Advice = "Thrown from the stream as a plain AnthropicException, not a service exception, with no status. Upgrade to anthropic-java 2.19.0 or later for SseException.errorType(). "
		case !v.atLeast("2.19.0"):
			a.Raises, a.StatusReported, a.ErrorTypeAt = "SseException", intp(200), `error.type in e.body() (message is "200: {json}")`
			a.Advice = "Thrown as SseException with statusCode() 200, so handlers for InternalServerException or RateLimitException miss it. Upgrade to anthropic-java 2.19.0 or later to read e.errorType(). "
		default:
			a.Raises, a.StatusReported, a.ErrorTypeAt = "SseException", intp(200), "e.errorType()"
			a.Advice = "Thrown as SseException with statusCode() 200, so handlers for InternalServerException or RateLimitException miss it and the retry policy does not apply; branch on errorType(). "
		}
		a.Advice += retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = javaStatusClass(s.status), intp(s.status), "error.type in e.body()"
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "maxRetries")
		if s.status == 529 {
			a.Advice += " Java has no 529 class: it is an InternalServerException."
		}
	case sitTruncated, sitDropped:
		a.Raises = "not measured"
		a.Advice = "The Java SDK was not part of the SDK matrix run, so what it surfaces here is unverified." + truncatedAdvice
	}
}

func javaStatusClass(status int) string {
	switch {
	case status == 400:
		return "BadRequestException"
	case status == 401:
		return "UnauthorizedException"
	case status == 403:
		return "PermissionDeniedException"
	case status == 404:
		return "NotFoundException"
	case status == 422:
		return "UnprocessableEntityException"
	case status == 429:
		return "RateLimitException"
	case status >= 500 && status <= 599:
		return "InternalServerException"
	}
	return "UnexpectedStatusCodeException"
}

// anthropicTSHelper answers for messages.stream() when the stream ends
// badly. In @anthropic-ai/sdk 1.17.0 lib/MessageStream.ts, a Message is
// kept only at message_stop, so finalMessage() / finalText() throw
// AnthropicError "stream ended without producing a Message with
// role=assistant" when it never came ("request ended without sending any
// chunks" when no event came at all); #handleError re-emits any other
// Error as an AnthropicError with the original as .cause. sdk-matrix
// measured both as "AnthropicError, null" in every helper column
// (ts-0.32.1, ts-0.137.0, ts-1.14.0).
func anthropicTSHelper(a *SDKAnswer, v version, s situation) {
	const src = " (this request carries X-Stainless-Helper-Method: stream, so it came from messages.stream(); @anthropic-ai/sdk lib/MessageStream.ts, measured in sdk-matrix)"
	if s.kind == sitTruncated {
		a.Raises = "AnthropicError (stream ended without producing a Message with role=assistant)"
		a.Advice = "finalMessage(), finalText() and done() reject with the base AnthropicError \"stream ended without producing a Message with role=assistant\" (\"request ended without sending any chunks\" if no event arrived): not an APIError, no status, not retried" + src + "." + truncatedAdvice
		return
	}
	cause := "TypeError: terminated"
	if !v.atLeast("0.32.2") {
		cause = "Error: Premature close"
	} else if !v.atLeast("0.137.0") {
		cause = "the fetch error"
	}
	a.Raises = "AnthropicError (wrapping " + cause + " as .cause)"
	a.Advice = "The transport error is wrapped in the base AnthropicError with the original as e.cause, and finalMessage() rejects with it" + src + ". Not an APIError and not retried; retry only if nothing was delivered."
}
