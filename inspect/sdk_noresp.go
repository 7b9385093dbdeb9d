package inspect

// What each SDK does when a request gets no HTTP response at all
// (refused, DNS, TLS, timeout or reset before the headers), or when the
// user cancels it. The Stainless-generated SDKs document one class for
// every failure to connect:
//
//   - anthropic-sdk-python and openai-python README, "Handling errors":
//     "When the library is unable to connect to the API (for example, due
//     to network connection problems or a timeout), a subclass of
//     anthropic.APIConnectionError [openai.APIConnectionError] is raised"
//     (APITimeoutError for a timeout); "Retries": connection errors are
//     retried 2 times by default (domain.md §1.3 says the same of the API
//     docs).
//   - anthropic-sdk-typescript and openai-node README, "Handling errors":
//     the status table's last row, "N/A | APIConnectionError"
//     (APIConnectionTimeoutError for a timeout); "Retries": connection
//     errors are retried 2 times by default.
//   - anthropic-sdk-go and openai-go internal/requestconfig/requestconfig.go
//     (Execute): "If there was a connection error in the final request or
//     any other transport error, return that early without trying to
//     coerce into an APIError": the error is the net/http one (*url.Error
//     wrapping the net error), not *anthropic.Error / *openai.Error.
//
// None of this was run in sdk-matrix.md; Java, the Vercel AI SDK and the
// Google Gen AI SDKs are "not measured".

// connErrors maps an SDK to the class it raises for no response, the
// retry it applies, and the source the answer rests on.
var connErrors = map[string]struct {
	raises string
	retry  bool
	source string
}{
	SDKAnthropicPython:     {"anthropic.APIConnectionError (APITimeoutError for a timeout)", true, "anthropic-sdk-python README, Handling errors"},
	SDKOpenAIPython:        {"openai.APIConnectionError (APITimeoutError for a timeout)", true, "openai-python README, Handling errors"},
	SDKAnthropicTypeScript: {"Anthropic.APIConnectionError (APIConnectionTimeoutError for a timeout)", true, "anthropic-sdk-typescript README, Handling errors"},
	SDKOpenAINode:          {"OpenAI.APIConnectionError (APIConnectionTimeoutError for a timeout)", true, "openai-node README, Handling errors"},
	SDKAnthropicGo:         {"the net/http error (*url.Error), not *anthropic.Error", true, "anthropic-sdk-go internal/requestconfig Execute"},
	SDKOpenAIGo:            {"the net/http error (*url.Error), not *openai.Error", true, "openai-go internal/requestconfig Execute"},
}

// answerNoStream fills a for the situations with no stream to judge:
// no response at all, cancelled by the user, or still in flight. It
// reports whether s was one of them.
func answerNoStream(a *SDKAnswer, s situation) bool {
	switch s.kind {
	case sitInFlight:
		a.Advice = "The stream is still arriving: what the SDK raises depends on how it ends."
	case sitCanceled:
		a.Advice = "You cancelled the request yourself; the SDK's own cancellation error (if any) is not an API failure. Not measured per SDK."
	case sitNoResponse:
		c, ok := connErrors[a.Name]
		if !ok {
			a.Raises = "not measured"
			a.Advice = "No HTTP response arrived. What this SDK raises for a connection failure was not measured."
			return true
		}
		a.Raises, a.BuiltinRetry = c.raises, c.retry
		a.Advice = "No HTTP response arrived, so there is no status and no stream: the SDK raises its connection error (source: " + c.source +
			") and its built-in retry repeats the request (2 retries by default) before giving up. Fix the endpoint, network, proxy or TLS set-up; a retry only helps a transient fault."
	default:
		return false
	}
	return true
}
