package inspect

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// faultDialect is the wire format a fault is rendered in.
type faultDialect int

const (
	fdOpenAIChat faultDialect = iota // also generic OpenAI-compatible streams
	fdAnthropic
	fdResponses
	fdGemini
	fdOpenRouter
)

func faultDialectOf(p Provider) faultDialect {
	switch p {
	case ProviderAnthropic:
		return fdAnthropic
	case ProviderOpenAIResponses:
		return fdResponses
	case ProviderOpenRouter:
		return fdOpenRouter
	case ProviderGemini:
		return fdGemini
	}
	return fdOpenAIChat
}

// errorKind is one error an injected fault reports, in every dialect's
// own words. Sources, per field:
//   - Anthropic types, statuses and descriptions: https://docs.claude.com/en/api/errors;
//     "Overloaded" and "Internal server error" are the messages of real
//     in-stream events (Helicone PR #4678, LiteLLM handler docstring).
//   - OpenAI: server_error's message is the real in-stream text (vercel/ai
//     OpenAI provider test fixture); "The server is overloaded or not ready
//     yet." is OpenAI's 503 text as the openai-python 0.x SDK raised it;
//     "Rate limit reached" the vercel/ai Responses fixture's; the others
//     are https://platform.openai.com/docs/guides/error-codes wording (not measured).
//   - Gemini: status strings follow google.rpc.Code
//     (https://cloud.google.com/apis/design/errors). Messages, each as real
//     Gemini API error bodies quote it:
//     503 "The model is overloaded. Please try again later." — google-gemini/gemini-cli
//     #5191 and #4360, lobehub/lobehub #9728;
//     500 "An internal error has occurred. Please retry or report in …" —
//     PublicAffairs/openai-gemini #15, googleapis/js-genai #650 (a stream);
//     429 "Resource has been exhausted (e.g. check quota)." — continuedev/continue
//     #10560 and #10479, google-gemini/gemini-cli #19976 and #14811;
//     429 quota (billing_error) "You exceeded your current quota, please check
//     your plan and billing details. For more information …" — the free-tier
//     body quoted in google-gemini/gemini-cli issues and LiteLLM logs (its
//     per-metric tail left out);
//     403 "The caller does not have permission" (no final period) —
//     google-gemini/gemini-cli #14519, iBUHub/AIStudioToAPI #109;
//     400 "Request contains an invalid argument." and 404 "Requested entity
//     was not found." — google-gemini/gemini-cli #15762;
//     400 "Request payload size exceeds the limit: 20971520 bytes." — the
//     body Gemini clients test against (not measured here);
//     504 "Deadline expired before operation could complete." and 409 "The
//     operation was aborted." are google.rpc.Code's own descriptions
//     (googleapis google/rpc/code.proto), not a captured Gemini body;
//     401 "Request had invalid authentication credentials." is the first
//     sentence of Google's UNAUTHENTICATED answer (not measured for Gemini).
type errorKind struct {
	name    string   // Anthropic's type name, the canonical spelling
	aliases []string // other dialects' names for it
	status  int      // the HTTP status it stands for (Anthropic's)
	msg     string   // Anthropic's message

	oaStatus      int
	oaType, oaMsg string
	oaCode        string // "" for null

	gStatus string // google.rpc status name
	gCode   int
	gMsg    string
}

var errorKinds = []errorKind{
	{name: "overloaded_error", aliases: []string{"overloaded", "server_is_overloaded", "unavailable"}, status: 529, msg: "Overloaded",
		oaStatus: 503, oaType: "server_error", oaCode: "server_is_overloaded", oaMsg: "The server is overloaded or not ready yet.",
		gStatus: "UNAVAILABLE", gCode: 503, gMsg: "The model is overloaded. Please try again later."},
	{name: "api_error", aliases: []string{"server_error", "internal"}, status: 500, msg: "Internal server error",
		oaStatus: 500, oaType: "server_error", oaMsg: "The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error.",
		gStatus: "INTERNAL", gCode: 500, gMsg: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"},
	{name: "rate_limit_error", aliases: []string{"rate_limit_exceeded", "resource_exhausted"}, status: 429, msg: "Your account has hit a rate limit.",
		oaStatus: 429, oaType: "requests", oaCode: "rate_limit_exceeded", oaMsg: "Rate limit reached",
		gStatus: "RESOURCE_EXHAUSTED", gCode: 429, gMsg: "Resource has been exhausted (e.g. check quota)."},
	{name: "timeout_error", aliases: []string{"timeout", "deadline_exceeded"}, status: 504, msg: "Request timed out",
		oaStatus: 504, oaType: "server_error", oaCode: "timeout", oaMsg: "Request timed out.",
		gStatus: "DEADLINE_EXCEEDED", gCode: 504, gMsg: "Deadline expired before operation could complete."},
	{name: "invalid_request_error", aliases: []string{"invalid_argument"}, status: 400, msg: "There was an issue with the format or content of your request.",
		oaStatus: 400, oaType: "invalid_request_error", oaMsg: "Invalid request.",
		gStatus: "INVALID_ARGUMENT", gCode: 400, gMsg: "Request contains an invalid argument."},
	{name: "authentication_error", aliases: []string{"invalid_api_key", "unauthenticated"}, status: 401, msg: "invalid x-api-key",
		oaStatus: 401, oaType: "invalid_request_error", oaCode: "invalid_api_key", oaMsg: "Incorrect API key provided.",
		gStatus: "UNAUTHENTICATED", gCode: 401, gMsg: "Request had invalid authentication credentials."},
	{name: "billing_error", aliases: []string{"insufficient_quota"}, status: 402, msg: "There is an issue with your billing.",
		oaStatus: 429, oaType: "insufficient_quota", oaCode: "insufficient_quota", oaMsg: "You exceeded your current quota, please check your plan and billing details.",
		gStatus: "RESOURCE_EXHAUSTED", gCode: 429, gMsg: "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."},
	{name: "permission_error", aliases: []string{"permission_denied"}, status: 403, msg: "Your API key does not have permission to use the specified resource.",
		oaStatus: 403, oaType: "invalid_request_error", oaMsg: "You are not allowed to access this resource.",
		gStatus: "PERMISSION_DENIED", gCode: 403, gMsg: "The caller does not have permission"},
	{name: "not_found_error", aliases: []string{"model_not_found", "not_found"}, status: 404, msg: "The requested resource could not be found.",
		oaStatus: 404, oaType: "invalid_request_error", oaCode: "model_not_found", oaMsg: "The model does not exist or you do not have access to it.",
		gStatus: "NOT_FOUND", gCode: 404, gMsg: "Requested entity was not found."},
	{name: "conflict_error", status: 409, msg: "Conflict with the current state of the resource.",
		oaStatus: 409, oaType: "invalid_request_error", oaMsg: "Conflict.",
		gStatus: "ABORTED", gCode: 409, gMsg: "The operation was aborted."},
	{name: "request_too_large", status: 413, msg: "Request exceeds the maximum allowed number of bytes.",
		oaStatus: 413, oaType: "invalid_request_error", oaMsg: "Request too large.",
		gStatus: "INVALID_ARGUMENT", gCode: 400, gMsg: "Request payload size exceeds the limit: 20971520 bytes."},
}

// lookupErrorKind finds an error type by its name or an alias,
// case-insensitively.
func lookupErrorKind(name string) (errorKind, bool) {
	for _, k := range errorKinds {
		if strings.EqualFold(k.name, name) {
			return k, true
		}
		for _, a := range k.aliases {
			if strings.EqualFold(a, name) {
				return k, true
			}
		}
	}
	return errorKind{}, false
}

// kindForStatus picks the error a status: or tail: fault reports.
func kindForStatus(st int) errorKind {
	for _, k := range errorKinds {
		if k.status == st || k.oaStatus == st || k.gCode == st {
			return k
		}
	}
	if st == 503 || st == 502 {
		return errorKinds[0]
	}
	if st >= 500 {
		return errorKinds[1]
	}
	return errorKinds[4]
}

// errorTypeNames lists the accepted error type names, sorted.
func errorTypeNames() []string {
	var names []string
	for _, k := range errorKinds {
		names = append(names, k.name)
		names = append(names, k.aliases...)
	}
	sort.Strings(names)
	return names
}

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// openAIErrorObject is OpenAI's error object for k.
func openAIErrorObject(k errorKind) string {
	code := "null"
	if k.oaCode != "" {
		code = jsonQuote(k.oaCode)
	}
	return fmt.Sprintf(`{"message":%s,"type":%s,"param":null,"code":%s}`, jsonQuote(k.oaMsg), jsonQuote(k.oaType), code)
}

// googleErrorCompact is Google's error envelope on one line (in-stream chunk).
func googleErrorCompact(k errorKind, code int) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%s,"status":%s}}`, code, jsonQuote(k.gMsg), jsonQuote(k.gStatus))
}

// googleErrorBody is Google's error envelope as its REST API prints it:
// two-space indented, ending in a newline.
func googleErrorBody(k errorKind, code int) string {
	return fmt.Sprintf("{\n  \"error\": {\n    \"code\": %d,\n    \"message\": %s,\n    \"status\": %s\n  }\n}\n",
		code, jsonQuote(k.gMsg), jsonQuote(k.gStatus))
}

// anthropicErrorJSON is Anthropic's error envelope, with the request id
// when known (the form 2026 bodies and events carry).
func anthropicErrorJSON(k errorKind, requestID string) string {
	s := fmt.Sprintf(`{"type":"error","error":{"type":%s,"message":%s}`, jsonQuote(k.name), jsonQuote(k.msg))
	if requestID != "" {
		s += `,"request_id":` + jsonQuote(requestID)
	}
	return s + "}"
}

// statusAnswer renders status:CODE[,retry-after=S] in dialect d: the
// provider's error body and headers, as its API answers before a stream.
func statusAnswer(d faultDialect, f Fault, requestID string) (http.Header, []byte) {
	k := kindForStatus(f.Status)
	h := http.Header{}
	var body string
	switch d {
	case fdAnthropic:
		h.Set("Content-Type", "application/json")
		if requestID != "" {
			h.Set("Request-Id", requestID)
		}
		if f.Status == 429 || f.Status >= 500 {
			h.Set("X-Should-Retry", "true")
		}
		body = anthropicErrorJSON(k, requestID)
	case fdGemini:
		h.Set("Content-Type", "application/json; charset=UTF-8")
		body = googleErrorBody(k, f.Status)
	case fdOpenRouter:
		h.Set("Content-Type", "application/json")
		body = fmt.Sprintf(`{"error":{"code":%d,"message":%s}}`, f.Status, jsonQuote(k.oaMsg))
	default:
		h.Set("Content-Type", "application/json")
		if requestID != "" {
			h.Set("X-Request-Id", requestID)
		}
		body = `{"error":` + openAIErrorObject(k) + "}\n"
	}
	if f.RetryAfter >= 0 {
		h.Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	return h, []byte(body)
}

// tailBytes renders tail:STATUS: the raw JSON error Gemini appends after
// its last event (llmgateway PR #3616), or the dialect's own error body.
func tailBytes(d faultDialect, f Fault, requestID string) []byte {
	if d == fdGemini {
		return []byte(googleErrorBody(kindForStatus(f.Status), f.Status))
	}
	_, b := statusAnswer(d, f, requestID)
	return b
}
