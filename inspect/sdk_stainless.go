package inspect

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
