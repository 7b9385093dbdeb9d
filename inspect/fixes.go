package inspect

import "fmt"

// The fixes knowledge base: what to do about each finding, with the source
// of the advice. Facts and versions come from docs/domain.md (the research
// notes); nothing here is invented.
//
// Finding codes (stable; reports, tests and users key on them):
//
//	code                             sev      check
//	H-http-error                     error    W1: non-2xx before the stream (status shown as is)
//	H-json-error-body                error    a 2xx body that is a JSON error, not SSE
//	H-spend-cap                      error    429 enforced_spend_limit_reached: never retry
//	H-no-retry-after                 warning  429 without retry-after
//	H-retry-after                    info     retry-after present
//	H-should-retry                   info     x-should-retry present
//	H-body-missing                   warning  capture kept no body
//	T-content-type-missing           warning  2xx stream without Content-Type
//	T-content-type-wrong             warning  2xx stream not labelled text/event-stream
//	T-compressed                     warning  Content-Encoding on SSE, with timing evidence (one burst)
//	T-transport-reset|timeout|error  error    the body ended by a transport failure
//	T-transport-canceled|incomplete  warning  cancelled by the client / capture cut
//	T-end-after-complete             info     unclean close after the terminator
//	T-stall                          warning  gap above the threshold, nothing in between
//	T-stall-keepalive                warning  gap above the threshold, only keepalives
//	T-buffered                       warning  all events in one burst at the end
//	S-unterminated-event             warning  last frame cut before its blank line
//	S-unterminated-error             error    an error frame cut before its blank line (outcome truncated)
//	S-raw-json-error                 error    a raw JSON error after the last event (outcome truncated)
//	S-raw-json-after-end             warning  the same after the stream's terminator (outcome stays complete)
//	S-array-unclosed                 warning  streamed JSON array ended without its ]
//	S-no-events                      warning  2xx body with no events
//	S-decode-error                   error    the body could not be read
//	A-data-not-json                  error    Anthropic event data is not JSON
//	A-W2-first-event                 error    first non-ping event not message_start/error
//	A-W3-second-message-start        error    second message_start (spliced stream)
//	A-W4-name-mismatch               warning  event name differs from data.type
//	A-W5-block-order                 error    block indices/closure out of order
//	A-W6-delta-block                 error    delta for a closed block or of the wrong type
//	A-W7-tool-json                   error    tool input does not parse (warning if max_tokens/fine-grained)
//	A-W8-delta-open-block            warning  message_delta while a block is open
//	A-W8-no-stop-reason              warning  stop_reason null or no message_delta
//	A-W8-unknown-stop-reason         warning  stop_reason not in the docs' enum
//	A-W8-usage-decreased             warning  output_tokens decreased
//	A-W9-after-message-stop          error    events after message_stop
//	A-W10-error-event                error    in-stream error event (status it stands for)
//	A-W10-after-error                warning  events after the error event
//	A-W11-truncated-mid-block        error    EOF inside a content block
//	A-W11-truncated-between-blocks   error    EOF between blocks, no stop_reason
//	A-W11-truncated-after-delta      warning  EOF after message_delta, message_stop missing
//	A-W12-unknown-event|block|delta  info     types the docs do not list
//	O-error-object                   error    chat chunk with a top-level error object
//	O-finish-reason-error            error    OpenRouter finish_reason "error" without an error object
//	O-finish-reason-error-type       error    finish_reason is an Anthropic error type (Portkey)
//	O-after-done                     error    data after [DONE]
//	O-data-not-json                  error    chunk is not JSON
//	O-no-finish-reason               warning  [DONE] but no finish_reason
//	O-truncated                      error    EOF without finish_reason or [DONE]
//	O-truncated-after-finish         warning  EOF after finish_reason, [DONE] missing
//	O-unknown-finish-reason          info     finish_reason the docs do not list
//	R-error-event                    error    Responses error event / response.failed
//	R-after-terminal                 error    events after response.completed/failed/incomplete
//	R-data-not-json                  error    event data is not JSON
//	R-sequence-gap                   warning  sequence_number not consecutive
//	R-incomplete                     warning  response.incomplete
//	R-truncated                      error    EOF without a terminal event
//	G-error-event                    error    generic SSE error event
//	GM-error-chunk                   error    Gemini {"error":{code,status}} chunk (status by code, else google.rpc name)
//	GM-data-not-json                 error    Gemini chunk is not JSON
//	GM-truncated                     error    Gemini stream without a final finishReason
//	GM-prompt-blocked                warning  promptFeedback.blockReason: the prompt was refused
//	GM-finish-max-tokens             warning  finishReason MAX_TOKENS
//	GM-finish-blocked                warning  finishReason SAFETY, RECITATION, LANGUAGE, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY
//	GM-finish-tool-call              warning  finishReason MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL
//	GM-finish-other                  info     finishReason OTHER or one the reference does not list
//	E-overloaded-message             info     error message says "overloaded" under another type
//	B-exception-frame                error    Bedrock exception frame (status by appendix A3)
//	B-frame                          error    Bedrock frame corrupt (warning when cut at the end)
//	C-exception-frame                error    ConverseStream exception frame (status by AWS's ConverseStream table)
//	C-truncated                      error    ConverseStream EOF without messageStop
//	C-truncated-after-stop           warning  messageStop arrived, metadata missing
//	C-data-not-json|first-event|second-message-start|block-order|after-metadata  error  Converse grammar
//	C-stop-max-tokens|stop-filtered|stop-malformed|no-stop-reason  warning  messageStop's stopReason
//	C-unknown-stop-reason|unknown-event  info  values the docs do not list
//	X-*                              varies   OpenAI-compatible host findings (hosts.go)

// Advice shared by several codes.
const (
	fixRequireStop = "Treat a stream as successful only when it ends with message_stop (or an error event); the SDKs' raw iteration accepts a cut stream silently (term-llm #955, openclaw #120030, LiteLLM #32159 added exactly this check)."
	fixRecovery    = "To continue a cut answer: for Claude ≤4.5 resend the partial text as an assistant prefill; for Claude 4.6+ (prefill is rejected with 400) add a user message saying the previous response was interrupted. tool_use and thinking blocks cannot be resumed; restart from the last text block (docs, streaming \"Error recovery\")."
	fixBuffering   = "Disable response buffering on every proxy in the path: nginx `proxy_buffering off;` (or have the upstream send `X-Accel-Buffering: no`), no response compression for text/event-stream, and a read timeout longer than the longest expected gap."
	fixRequestID   = "Log the request id header of the 200 response (request-id on Anthropic, x-request-id on OpenAI, x-generation-id on OpenRouter): the in-stream error belongs to that request, and support needs it (Anthropic's Go SDK prints it as Request-ID; Python exposes e.request_id)."
	fixTypeNotCode = "Branch on the error type, not the status: Python ≥0.87.0 `e.type`, TypeScript ≥0.81.0 `e.type`, Go ≥1.38.0 `err.Type()`, Java ≥2.19.0 `errorType()`; on older versions parse body.error.type (upgrade to get the field)."
	fixRetryAfter  = "Honour retry-after (seconds or an HTTP date; retry-after-ms first where present) before retrying."
	fixSpendCap    = "Do not retry: the spend cap (enforced_spend_limit_reached) fails until it resets. Raise the cap or wait; alert a human instead of looping (docs, rate limits)."
)

// terminatorOf names what ends a successful stream in v's dialect:
// message_stop, data: [DONE], response.completed, a final finishReason…
func terminatorOf(v *Verdict) string {
	return grammarOf(dialectNamed(v.Dialect, v.Provider)).terminator()
}

// requireStop is fixRequireStop in the words of the terminator of v's
// dialect.
func requireStop(v *Verdict) string {
	switch dialectNamed(v.Dialect, v.Provider) {
	case dialectAnthropic:
		return fixRequireStop
	case dialectGeneric:
		return "Treat a stream as successful only when it ended cleanly, with its last event whole; the SDKs' raw iteration accepts a cut stream silently."
	}
	return "Treat a stream as successful only when it ends with " + terminatorOf(v) + " (or an error); the SDKs' raw iteration accepts a cut stream silently."
}

// fixesFor returns the advice for a finding code in the context of v.
func fixesFor(code string, v *Verdict) []string {
	if out, ok := converseFixes(code, v); ok {
		return out
	}
	if out, ok := hostFixes(code, v); ok {
		return out
	}
	switch code {
	case "A-W10-error-event", "B-exception-frame", "O-error-object", "O-finish-reason-error", "O-finish-reason-error-type", "R-error-event", "G-error-event", "GM-error-chunk":
		return errorFixes(code, v)
	case "S-raw-json-error":
		return append([]string{"An SSE decoder never surfaces this error: the JSON after the last event is no SSE frame, so it is dropped (the Gen AI SDKs read it: see the SDK section). Check that the stream ended with " + terminatorOf(v) + ", treat a stream without it as failed, and read any bytes left after the last event as JSON to recover the error (llmgateway #3616 does exactly this)."}, errorFixes(code, v)...)
	case "S-unterminated-error":
		return append([]string{"Your SDK never raises this error: its frame was cut before the blank line, so check that the stream ended with " + terminatorOf(v) + " and treat a stream without it as failed."}, errorFixes(code, v)...)
	case "H-http-error":
		out := []string{}
		if v.Error != nil && v.Error.Retryable {
			out = append(out, "This error happened before the stream, so the SDKs' built-in retry (2 retries by default, exponential backoff) already applies; raise max_retries if overloads persist.", fixRetryAfter)
		} else {
			out = append(out, "Not retryable: fix the request, key, permissions or billing named in the message first.")
		}
		if v.RequestID != "" {
			out = append(out, fmt.Sprintf("Quote request-id %s when contacting support.", v.RequestID))
		}
		return out
	case "T-transport-reset", "T-transport-timeout", "T-transport-error":
		if dialectNamed(dialectName(v), v.Provider) != dialectAnthropic {
			return []string{"Retry the request if no content was delivered; otherwise discard the partial output or continue from it.", requireStop(v)}
		}
		return []string{"Retry the request if no content was delivered; otherwise discard the partial output or continue from it.", fixRecovery, fixRequireStop}
	case "S-unterminated-event":
		return []string{"The last event was cut mid-frame (proxy or connection cut); treat the stream as truncated.", requireStop(v)}
	}
	return staticFixes(code)
}

// staticFixes is the advice that does not depend on the verdict: a
// table, one case per finding code (nil for a code without advice).
func staticFixes(code string) []string {
	switch code {
	case "E-overloaded-message":
		return []string{"Treat it as an overload: back off for minutes and retry if nothing was delivered (inspect_ai matches \"overloaded\" in the body case-insensitively since 0.3.123, PR #2280)."}
	case "B-frame":
		return []string{"The Bedrock event stream is cut or corrupt: treat the response as incomplete and retry if nothing was delivered.", fixRequireStop}
	case "H-json-error-body":
		return []string{"Check the error before reading the body as a stream: a JSON error document under a 2xx status means a gateway rewrote the status."}
	case "H-spend-cap":
		return []string{fixSpendCap}
	case "H-no-retry-after":
		return []string{"A 429 without retry-after may be the spend cap (check error.details.error_code); otherwise back off exponentially for longer than the SDK default (0.5 s × 2^n capped at 8 s)."}
	case "H-retry-after":
		return []string{fixRetryAfter}
	case "H-should-retry":
		return []string{"Let the SDK's retry decide: it reads x-should-retry before the status. Custom retry loops should do the same."}
	case "H-body-missing":
		return []string{"Capture again with `midstream proxy`, or save the raw SSE body; mitmproxy's HAR export drops streamed bodies."}
	case "T-content-type-missing", "T-content-type-wrong":
		return []string{"Serve the stream as `Content-Type: text/event-stream` (Anthropic sends `text/event-stream; charset=utf-8`); if a gateway rewrites it, fix the gateway."}
	case "T-compressed":
		return []string{"Turn off compression for text/event-stream responses (nginx `gzip off` for that location, or exclude the type from `gzip_types`/Brotli), or flush after each event.", fixBuffering}
	case "T-buffered":
		return []string{fixBuffering}
	case "T-stall":
		return []string{"Look for a proxy or load balancer idle timeout shorter than the gap; raise it above the longest expected pause.", "Set a client read timeout that fails the stream after a stall and retry it (only if nothing was delivered yet)."}
	case "T-stall-keepalive":
		return []string{"Keepalives kept the connection open while nothing was generated: use a progress timeout (time since the last content event), not an idle-socket timeout, to detect it."}
	case "T-end-after-complete":
		return []string{"Nothing to retry: the response is whole. If this repeats, check the proxy or server closing keep-alive connections abruptly."}
	case "T-transport-canceled":
		return []string{"The client cancelled the stream; check its timeout settings if nobody cancelled on purpose."}
	case "T-transport-incomplete":
		return []string{"The recorder stopped before the stream ended; capture again for a complete verdict."}
	case "S-raw-json-after-end":
		return []string{"The response is whole: accept it. Fix whatever appends the error after the terminator (a gateway or proxy writing its own failure into a finished body), or stop reading at the terminator."}
	case "S-array-unclosed":
		return []string{"Read a streamed JSON array element by element and require the element with the final finishReason; the missing ] means the connection was cut, so treat the answer as incomplete if that element never came."}
	case "S-no-events":
		return []string{"Check that the request asked for streaming (\"stream\": true) and that nothing in the path consumed the body."}
	case "A-W11-truncated-mid-block", "A-W11-truncated-between-blocks":
		return []string{fixRequireStop, fixRecovery}
	case "A-W11-truncated-after-delta":
		return []string{"Accept the content only if your code does not depend on message_stop; otherwise require it. Gateways that drop message_stop (DeepSeek-Reasonix #8756) should be fixed upstream.", fixRequireStop}
	case "A-W7-tool-json":
		return []string{"Do not execute a tool call whose input does not parse; retry the turn, raise max_tokens if stop_reason was max_tokens, or handle partial input if fine-grained tool streaming is on."}
	case "A-W3-second-message-start":
		return []string{"Two streams were concatenated (vercel/ai fixed such a splice in #18402): check retry/reconnect code that appends a new response to the old one."}
	case "A-W2-first-event", "A-W5-block-order", "A-W6-delta-block", "A-W9-after-message-stop", "A-data-not-json":
		return []string{"The stream does not follow the Messages grammar: if a gateway or proxy sits in between, capture upstream of it to see which side breaks it, and report it with `midstream diagnose --format markdown`."}
	case "A-W4-name-mismatch":
		return []string{"Make the gateway send `event:` equal to data.type: the Python SDK dispatches on the event name and ignores events it does not recognise."}
	case "A-W8-no-stop-reason", "A-W8-delta-open-block", "A-W8-usage-decreased":
		return []string{"A gateway likely rebuilt the stream; compare with a capture taken directly from the API."}
	case "A-W8-unknown-stop-reason", "O-unknown-finish-reason":
		return []string{"Handle unknown values as a normal end; the enums grow (e.g. pause_turn and refusal arrived in Python SDK v0.51.0)."}
	case "A-W10-after-error":
		return []string{"Stop reading at the error event: SDKs do, so nothing after it reaches the caller."}
	case "A-W12-unknown-event", "A-W12-unknown-block", "A-W12-unknown-delta":
		return []string{"Ignore unknown types (the docs' versioning policy); upgrade the SDK to get typed support for them."}
	case "O-after-done", "R-after-terminal", "O-data-not-json", "R-data-not-json", "R-sequence-gap":
		return []string{"The stream breaks the API's framing; capture upstream of any gateway to find which side breaks it."}
	case "O-no-finish-reason":
		return []string{"Treat a missing finish_reason as suspicious: the output may be cut."}
	case "O-truncated", "R-truncated":
		return []string{"Require `data: [DONE]` (Chat Completions) or response.completed (Responses) before accepting the output; retry if nothing was delivered."}
	case "O-truncated-after-finish":
		return []string{"finish_reason arrived, so the content is likely whole; still, require [DONE] and fix the gateway that drops it."}
	case "GM-truncated":
		return []string{"Require a chunk with candidates[].finishReason before accepting the output (Gemini sets it on its last chunk; the API reference, GenerateContentResponse), and never default a missing one to STOP as gateways did (OmniRoute #4177); retry if nothing was delivered."}
	case "GM-data-not-json":
		return []string{"The stream breaks the API's framing; capture upstream of any gateway to find which side breaks it."}
	case "GM-finish-max-tokens":
		return []string{"Raise generationConfig.maxOutputTokens (thinking models spend part of it on thoughts: lower thinkingConfig.thinkingBudget), or continue the answer in a new turn (API reference, FinishReason MAX_TOKENS)."}
	case "GM-finish-blocked", "GM-prompt-blocked":
		return []string{"The output was withheld by Gemini's filters: read candidates[].safetyRatings / promptFeedback.safetyRatings for the category, rephrase the prompt or adjust safetySettings where the category allows it (Gemini API docs, \"Safety settings\"); do not retry unchanged, it is not transient."}
	case "GM-finish-tool-call":
		return []string{"Do not execute the call: check the function declarations' schema (MALFORMED_FUNCTION_CALL) or pass the tools the model expects (UNEXPECTED_TOOL_CALL), then retry the turn (API reference, FinishReason)."}
	case "GM-finish-other":
		return []string{"Handle unknown finish reasons as a possibly incomplete answer; the enum grows (API reference, FinishReason)."}
	case "R-incomplete":
		return []string{"Raise max_output_tokens or shorten the input if the reason is max_output_tokens; content_filter means the output was blocked."}
	}
	return nil
}

// errorFixes is the advice for an in-stream error, fitted to its type,
// whether it is retryable and whether output was already delivered.
func errorFixes(code string, v *Verdict) []string {
	e := v.Error
	if e == nil {
		return nil
	}
	if dialectName(v) == "gemini" {
		return geminiErrorFixes(v)
	}
	var out []string
	switch {
	case e.Retryable && !e.OutputBeforeError:
		out = append(out, "Retry the whole request yourself: no content was delivered, so it is safe. The SDK's built-in retry wraps only the initial HTTP response and never fires for an error after HTTP 200 (no SDK retries mid-stream).")
	case e.Retryable && e.OutputBeforeError:
		out = append(out, "Content was already delivered: discard it before retrying the whole request, or continue from it. Never re-send silently after partial output (tau #556 retries only before any text, thinking or tool payload).")
		if v.Provider == ProviderAnthropic {
			out = append(out, fixRecovery)
		}
	default:
		out = append(out, "Not retryable: this type means the request, key, permissions or billing need fixing.")
	}
	switch e.Type {
	case "overloaded_error", "server_is_overloaded":
		out = append(out, "Back off for minutes, not seconds: overload windows lasted ~2 minutes with 43 consecutive failures (hermes-agent #101875), so ~25 s of retry budget was too short. Use exponential backoff with jitter up to a minute or more, or fail over to another model.")
	case "rate_limit_error", "rate_limit_exceeded":
		out = append(out, "An in-stream rate limit carries no retry-after: back off exponentially, and check the anthropic-ratelimit-* headers of the 200 response for the reset time.")
	}
	if code == "A-W10-error-event" || code == "O-finish-reason-error-type" {
		out = append(out, fixTypeNotCode)
	}
	if code == "B-exception-frame" {
		out = append(out, "Catch what your SDK raises for exception frames: anthropic-sdk-python (≤0.121.0, issue #1477 open) raises ValueError(\"Bad response code, expected 200: …\") — read the exception type from it; anthropic-sdk-go returns a plain error \"received exception <type>: …\"; the TypeScript bedrock-sdk 0.30.2+ turns it into an api_error event, losing 429 vs 500. Don't trust botocore's status_code 400 label: it is hard-coded for every exception frame.")
	}
	if code == "O-finish-reason-error-type" {
		out = append(out, "Portkey rewrote the Anthropic error into finish_reason with HTTP 200 and no error object, so OpenAI SDKs raise nothing: check finish_reason for *_error values, or use Portkey's output guardrail + fallback on status 446 (Portkey docs, \"Handling Anthropic's silent Overloaded errors\").")
	}
	if v.RequestID != "" {
		out = append(out, fmt.Sprintf("Log request-id %s (the 200 response's header): the in-stream error belongs to that request.", v.RequestID))
	} else {
		out = append(out, fixRequestID)
	}
	return out
}
