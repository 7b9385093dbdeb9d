package inspect

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
