package inspect

import "regexp"

// The OpenAI SDKs (Python, Node, Go), Stainless-generated like the
// Anthropic ones: what each raises for an OpenAI-shaped stream (Chat,
// Responses, OpenRouter and other OpenAI-compatible hosts), by version.
// Sources: domain.md §4.2 and sdk-matrix.md's openai runs.

// The OpenAI SDK names --sdk accepts.
const (
	SDKOpenAIPython = "openai-python"
	SDKOpenAINode   = "openai-node"
	SDKOpenAIGo     = "openai-go"
)

var openaiSDKs = []sdkSpec{
	{name: SDKOpenAIPython, current: "3.3.1", speaks: ProviderOpenAIChat,
		answer: func(a *SDKAnswer, v version, s situation, _ detected) { openaiPython(a, v, s) },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\b(Async)?(?:Azure)?OpenAI/Python\s+` + uaVersion)}},
	{name: SDKOpenAINode, current: "7.57.0", speaks: ProviderOpenAIChat,
		answer: func(a *SDKAnswer, v version, s situation, _ detected) { openaiNode(a, v, s) },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\bOpenAI/(?:JS|TypeScript|Node)\s+` + uaVersion)}},
	{name: SDKOpenAIGo, current: "3.98.0", speaks: ProviderOpenAIChat,
		answer: func(a *SDKAnswer, v version, s situation, _ detected) { openaiGo(a, v, s) },
		ua:     []*regexp.Regexp{regexp.MustCompile(`(?i)\bOpenAI/Go\s+` + uaVersion)}},
}

// openaiPython: domain.md §4.2 (not run in sdk-matrix).
func openaiPython(a *SDKAnswer, v version, s situation) {
	if !v.atLeast("1.0.0") {
		a.Advice = "openai-python before 1.0.0 is not covered by midstream's tables; upgrade to 1.x or later."
		return
	}
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		if !s.errKey {
			a.Advice = "Nothing is raised: the error event has no \"error\" object, so it is yielded as an ordinary event (a Responses ResponseErrorEvent, or a chunk whose finish_reason carries the error). Check each event yourself. " + retryAdvice(s)
			return
		}
		a.Raises, a.ErrorTypeAt = "openai.APIError", "e.type (also e.code)"
		a.Advice = "Raised while iterating as the base APIError with no status_code attribute; max_retries does not apply. Branch on e.code / e.type. " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = pythonStatusClass("openai", s.status, v, false), intp(s.status), "e.type (also e.code)"
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "max_retries")
	case sitTruncated, sitDropped:
		a.Raises = "not measured"
		a.Advice = "openai-python was not part of the SDK matrix run, so what it surfaces here is unverified." + truncatedAdvice
	}
}

// openaiNode: domain.md §4.2; sdk-matrix openai-node-4.104.0 / 7.57.0.
func openaiNode(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case s.errKey && !v.atLeast("4.12.2"):
			a.ErrorTypeAt = "chunk.error.type"
			a.Advice = "Nothing is thrown: the data.error check arrived in openai 4.12.2, so the error is yielded as a chunk without choices. Upgrade to 4.12.2 or later. " + retryAdvice(s)
		case s.errKey:
			a.Raises, a.ErrorTypeAt = "OpenAI.APIError", "e.type (also e.code)"
			a.Advice = "Thrown while iterating as the base APIError with status undefined; maxRetries does not apply. Branch on e.code / e.type. " + retryAdvice(s)
		case s.provider == ProviderOpenAIResponses && !v.atLeast("7.5.1"):
			a.ErrorTypeAt = "event.code"
			a.Advice = "Nothing is thrown up to 7.5.0: a top-level Responses error event is yielded as an event. Check event.type === 'error' yourself. " + retryAdvice(s)
		case s.provider == ProviderOpenAIResponses:
			a.Raises, a.ErrorTypeAt = "OpenAI.APIError", "e.error?.code"
			a.Advice = "After 7.5.0 any event: error throws APIError(undefined, data.error ?? data), status undefined. " + retryAdvice(s)
		default:
			a.Advice = "Nothing is thrown: the error event has no \"error\" object, so it arrives as an ordinary chunk (e.g. a finish_reason carrying the error type). Check chunks yourself. " + retryAdvice(s)
		}
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = tsStatusClass("OpenAI", s.status, v), intp(s.status), "e.type (also e.code)"
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "maxRetries")
	case sitTruncated:
		a.Raises = "not measured"
		a.Advice = "A clean end without [DONE] was not part of the SDK matrix run for openai-node." + truncatedAdvice
	case sitDropped:
		if v.major < 5 {
			a.Raises = "Error (Premature close)"
			a.Advice = "node-fetch's \"Premature close\" (seen with 4.104.0);"
		} else {
			a.Raises = "TypeError (terminated)"
			a.Advice = "The fetch \"terminated\" TypeError (seen with 7.57.0);"
		}
		a.Advice += " not an APIError and not retried; retry only if nothing was delivered."
	}
}

// openaiGo: domain.md §4.2; sdk-matrix openai-go-v3.98.0; checked in
// openai-go/v3@v3.98.0 packages/ssestream.
func openaiGo(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case !s.errKey:
			a.Advice = "Nothing is returned: the SDK stops only on an event whose data has an \"error\" key, and this one has none, so it is decoded as an ordinary event. Check events yourself. " + retryAdvice(s)
		case !v.atLeast("3.17.0"):
			a.Raises, a.ErrorTypeAt = "*errors.errorString", `JSON after "received error while streaming: " in err.Error()`
			a.Advice = "stream.Err() is a plain fmt error with no status. Upgrade to openai-go v3.17.0 or later, where it is *ssestream.StreamError carrying the raw event. " + retryAdvice(s)
		default:
			a.Raises, a.ErrorTypeAt = "*ssestream.StreamError", "error.type in se.Event.Data"
			a.Advice = "stream.Err() is *ssestream.StreamError: not *openai.Error, no status, no type field; parse se.Event.Data. " + retryAdvice(s)
		}
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "*openai.Error", intp(s.status), "err.Type (also err.Code)"
		a.BuiltinRetry = stainlessRetries(s.status, s.shouldRetry)
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "option.WithMaxRetries")
	case sitTruncated:
		a.Raises = "not measured"
		a.Advice = "A clean end without [DONE] was not part of the SDK matrix run for openai-go." + truncatedAdvice
	case sitDropped:
		a.Raises = "*errors.errorString (unexpected EOF)"
		a.Advice = "stream.Err() is io.ErrUnexpectedEOF, not *openai.Error, and is not retried; retry only if nothing was delivered."
	}
}
