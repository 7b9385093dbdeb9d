package inspect

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

// vercelFirstChunkThrows reports whether this @ai-sdk/anthropic version
// turns an error in the first chunk into an APICallError (2.0.50+ on the
// v5 line, PR #10655; 3.0.0-beta.64+ and 3.x+, PR #10653).
func vercelFirstChunkThrows(v version) bool {
	if v.major == 2 {
		return v.atLeast("2.0.50")
	}
	return v.atLeast("3.0.0-beta.64")
}

// vercelAI: domain.md §3.5; sdk-matrix vercel-ai5 (@ai-sdk/anthropic
// 2.0.112) and vercel-ai7 (4.0.105). The version is @ai-sdk/anthropic's.
func vercelAI(a *SDKAnswer, v version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case !v.atLeast("0.0.34"):
			a.Raises, a.ErrorTypeAt = "TypeValidationError", "e.value?.error?.type"
			a.Advice = "The provider's schema rejects the error chunk, so it surfaces as a TypeValidationError. Upgrade @ai-sdk/anthropic to 0.0.34 or later (2.0.50+ retries an overload in the first chunk). " + retryAdvice(s)
		case s.first && vercelFirstChunkThrows(v):
			a.Raises = "APICallError"
			if s.errType == "overloaded_error" {
				a.StatusReported, a.BuiltinRetry = intp(529), true
				a.Advice = "An error in the first chunk becomes an APICallError with statusCode 529 and isRetryable true, so maxRetries (default 2) re-sends the request, ending in RetryError when every attempt fails."
			} else {
				a.StatusReported = intp(500)
				a.Advice = "An error in the first chunk becomes an APICallError with statusCode 500 and isRetryable false (only overloaded_error is retryable), so maxRetries does not re-send it. " + retryAdvice(s)
			}
			a.ErrorTypeAt = "JSON.parse(e.responseBody).type"
		case v.major >= 4:
			a.Raises, a.StatusReported, a.ErrorTypeAt = "StreamProviderError (error stream part)", intp(vercelMappedStatus(s.errType)), "e.type"
			a.Advice = "Delivered as an error part in fullStream (and to onError), not thrown; statusCode is mapped from the type. Not re-sent unless you opt into ai@7's streamRetries, which re-sends on every error part and keeps each attempt's partial text. " + retryAdvice(s)
		default:
			a.Raises, a.ErrorTypeAt = "error stream part (plain {type, message} object)", "part.error.type"
			a.Advice = "Delivered as an error part in fullStream (and to onError) holding a plain object with no status; the stream then finishes with finishReason \"error\" and result.text resolves with the partial text. Not retried. " + retryAdvice(s)
		}
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "APICallError", intp(s.status), "e.data?.error?.type"
		a.BuiltinRetry = s.status == 408 || s.status == 409 || s.status == 429 || s.status >= 500
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "maxRetries")
		if a.BuiltinRetry {
			a.Advice += " When every attempt fails the call ends in RetryError."
		}
	case sitTruncated:
		a.Advice = "Nothing is raised: the stream finishes normally with finishReason \"unknown\" (ai@5) or \"interrupted\" (ai@7) and no error part." + truncatedAdvice
	case sitDropped:
		a.Raises, a.StatusReported = "APICallError (Failed to process successful response)", intp(200)
		a.Advice = "Thrown from the fullStream iteration (no error part) with statusCode 200 and isRetryable true, yet not re-sent; with ai@5 result.text never settles. Retry only if nothing was delivered."
	}
}

// vercelMappedStatus is the statusCode ai@7's StreamProviderError carries
// (sdk-matrix: overloaded 529, rate_limit 429, api_error 500): the
// appendix A1 status, with 500 for a type the docs do not list.
func vercelMappedStatus(t string) int {
	if st := AnthropicStatus(t); st != 0 {
		return st
	}
	return 500
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
		a.Raises, a.StatusReported, a.ErrorTypeAt = openaiNodeStatusClass(s.status), intp(s.status), "e.type (also e.code)"
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

func openaiNodeStatusClass(status int) string {
	if c := stainlessStatusClass(status); c != "" {
		return "OpenAI." + c
	}
	return "OpenAI.APIError"
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
