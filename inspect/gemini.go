package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// Gemini API and Vertex AI Gemini streams (domain.md §4.4):
// `…/models/{model}:streamGenerateContent?alt=sse` sends one
// GenerateContentResponse per `data:` frame — candidates[].content.parts,
// candidates[].finishReason on the last chunk, usageMetadata as running
// totals — with no event names and no [DONE]. Without alt=sse the same
// endpoint streams one JSON array (jsonarray.go). A mid-stream failure is
// a chunk {"error":{"code":503,"message":…,"status":"UNAVAILABLE"}}
// (OmniRoute #4177/#4182, hydra #869), or a raw JSON error after the last
// frame (llmgateway #3616; rawtail.go).

// geminiGrammar is the Gemini dialect.
type geminiGrammar struct{}

func (geminiGrammar) id() dialect                          { return dialectGemini }
func (geminiGrammar) name() string                         { return "gemini" }
func (geminiGrammar) terminator() string                   { return "a chunk with candidates[].finishReason" }
func (geminiGrammar) owns(p Provider) bool                 { return p == ProviderGemini }
func (geminiGrammar) checker(d *diag) checker              { return &geminiChecker{d: d, finishAt: -1} }
func (geminiGrammar) summary(_, _ string, b []byte) string { return geminiSummary(b) }
func (geminiGrammar) assemble(a *assembler, data []byte)   { a.gemini(data) }

// detect recognises a GenerateContentResponse (candidates, usageMetadata
// or promptFeedback and no "type") and Google's error object, whose
// "status" is a google.rpc.Code name.
func (geminiGrammar) detect(e *sniffed) (detection, bool) {
	if e.dataType != "" {
		return detection{}, false
	}
	if eo := jfield(e.data, "error"); isObject(eo) {
		if _, ok := googleRPCStatus[jstring(jfield(eo, "status"))]; ok {
			return detection{provider: ProviderGemini, shape: true}, true
		}
		return detection{}, false
	}
	if jfield(e.data, "candidates") != nil || jfield(e.data, "promptFeedback") != nil ||
		jfield(e.data, "usageMetadata") != nil && jfield(e.data, "choices") == nil {
		return detection{provider: ProviderGemini, shape: true}, true
	}
	return detection{}, false
}

// errorOf reads Google's error object.
func (geminiGrammar) errorOf(_, _ string, data []byte) (errInfo, bool) {
	eo := jfield(data, "error")
	if !isObject(eo) {
		return errInfo{}, false
	}
	code, _ := jint(jfield(eo, "code"))
	st := jstring(jfield(eo, "status"))
	e := errInfo{typ: st, msg: jstring(jfield(eo, "message")), status: GeminiStatus(int(code), st)}
	if e.typ == "" && code != 0 {
		e.typ = strconv.FormatInt(code, 10)
	}
	return e, true
}

// googleRPCStatus maps google.rpc.Code names to the HTTP status Google's
// APIs answer with (https://cloud.google.com/apis/design/errors, "Error
// codes"; the Gemini API's own list: https://ai.google.dev/gemini-api/docs/troubleshooting).
var googleRPCStatus = map[string]int{
	"OK":                  200,
	"CANCELLED":           499,
	"UNKNOWN":             500,
	"INVALID_ARGUMENT":    400,
	"DEADLINE_EXCEEDED":   504,
	"NOT_FOUND":           404,
	"ALREADY_EXISTS":      409,
	"PERMISSION_DENIED":   403,
	"UNAUTHENTICATED":     401,
	"RESOURCE_EXHAUSTED":  429,
	"FAILED_PRECONDITION": 400,
	"ABORTED":             409,
	"OUT_OF_RANGE":        400,
	"UNIMPLEMENTED":       501,
	"INTERNAL":            500,
	"UNAVAILABLE":         503,
	"DATA_LOSS":           500,
}

// GeminiStatus is the HTTP status a Google error object stands for: its
// "code" when that is an HTTP error status (Google sets it to the status
// it would have answered with), else its google.rpc "status" name mapped
// by Google's table; 0 when neither says.
func GeminiStatus(code int, status string) int {
	if code >= 400 && code <= 599 {
		return code
	}
	if s := googleRPCStatus[status]; s >= 400 {
		return s
	}
	return 0
}

// geminiChecker checks Gemini streams.
type geminiChecker struct {
	d        *diag
	reason   string // last non-empty finishReason
	finishAt int    // its event, -1
	blocked  string // promptFeedback.blockReason
	blockAt  int
}

func (c *geminiChecker) event(i int, ev *evCtx) {
	d, data := c.d, ev.data
	if !validJSON(data) {
		d.f.add("GM-data-not-json", SeverityError, "Chunk is not valid JSON",
			"Every Gemini chunk is one GenerateContentResponse JSON object; the SDKs fail on this one.", i)
		return
	}
	if m := jstring(jfield(data, "modelVersion")); m != "" && d.model == "" {
		d.model = m
	}
	if isObject(jfield(data, "error")) {
		e, _ := geminiGrammar{}.errorOf("", "", data)
		d.setError(i, e.typ, e.msg, e.status)
		return
	}
	if br := jstring(jpath(data, "promptFeedback", "blockReason")); br != "" && c.blocked == "" {
		c.blocked, c.blockAt = br, i
		d.pin(i)
	}
	jelems(jfield(data, "candidates"), func(cand []byte) {
		jelems(jpath(cand, "content", "parts"), func(p []byte) {
			if t, ok := jstr(jfield(p, "text")); ok && t != "" || jfield(p, "functionCall") != nil {
				d.markContent(i)
			}
		})
		if fr := jstring(jfield(cand, "finishReason")); fr != "" && fr != "FINISH_REASON_UNSPECIFIED" {
			c.reason, c.finishAt = fr, i
			d.pin(i)
		}
	})
}

func (c *geminiChecker) finish() {
	d := c.d
	switch {
	case d.err != nil:
		d.errorFinding("GM-error-chunk")
	case c.blocked != "":
		d.complete = true
		d.f.add("GM-prompt-blocked", SeverityWarning, "The prompt was blocked: "+valueText(c.blocked),
			fmt.Sprintf("promptFeedback.blockReason is %s: Gemini refused the prompt under HTTP %d and generated nothing. Clients that only read candidates see an empty answer.", valueText(c.blocked), d.v.HTTPStatus), c.blockAt)
	case c.finishAt >= 0:
		d.complete = true
		c.finishFinding()
	case d.v.EventCount > 0 && !allUnterminated(d.v.Events):
		d.f.add("GM-truncated", SeverityError, "Truncated: no finishReason",
			"The stream ended without a chunk carrying candidates[].finishReason and without an error chunk: Gemini sets finishReason on its last chunk, so the response is incomplete (gateways that default it to STOP hide this, OmniRoute #4177)."+d.cutNote(), lastEvent(d.v.Events))
	}
}

// geminiFinish describes the finishReason values other than STOP
// (https://ai.google.dev/api/generate-content#FinishReason): the finding
// each raises.
var geminiFinish = map[string]struct {
	code string
	sev  Severity
	why  string
}{
	"MAX_TOKENS":              {"GM-finish-max-tokens", SeverityWarning, "the maximum number of tokens in the request was reached: the answer is cut"},
	"SAFETY":                  {"GM-finish-blocked", SeverityWarning, "the candidate was flagged for safety reasons"},
	"RECITATION":              {"GM-finish-blocked", SeverityWarning, "the candidate was flagged for recitation"},
	"LANGUAGE":                {"GM-finish-blocked", SeverityWarning, "the candidate uses an unsupported language"},
	"BLOCKLIST":               {"GM-finish-blocked", SeverityWarning, "the content contains forbidden terms"},
	"PROHIBITED_CONTENT":      {"GM-finish-blocked", SeverityWarning, "the content potentially contains prohibited content"},
	"SPII":                    {"GM-finish-blocked", SeverityWarning, "the content potentially contains sensitive personally identifiable information"},
	"IMAGE_SAFETY":            {"GM-finish-blocked", SeverityWarning, "the generated image was flagged for safety"},
	"MALFORMED_FUNCTION_CALL": {"GM-finish-tool-call", SeverityWarning, "the function call the model generated is invalid"},
	"UNEXPECTED_TOOL_CALL":    {"GM-finish-tool-call", SeverityWarning, "the model called a tool while no tools were enabled"},
	"OTHER":                   {"GM-finish-other", SeverityInfo, "an unknown reason"},
}

// finishFinding reports a finishReason other than STOP.
func (c *geminiChecker) finishFinding() {
	fr := c.reason
	if fr == "STOP" {
		return
	}
	f, ok := geminiFinish[fr]
	if !ok {
		f.code, f.sev, f.why = "GM-finish-other", SeverityInfo, "a reason the API reference does not list"
	}
	fr = valueText(fr)
	c.d.f.add(f.code, f.sev, "Generation stopped: finishReason "+fr,
		fmt.Sprintf("The stream ended cleanly, but finishReason %s means %s.", fr, f.why), c.finishAt)
}

// geminiSummary is a chunk's summary: its error status, block reason, or
// text snippet with the finish reason.
func geminiSummary(data []byte) string {
	if !validJSON(data) {
		return rawSummary(data)
	}
	if eo := jfield(data, "error"); isObject(eo) {
		code, _ := jint(jfield(eo, "code"))
		return oneLine(fmt.Sprintf("error %d %s", code, jstring(jfield(eo, "status"))), summaryLimit)
	}
	if br := jstring(jpath(data, "promptFeedback", "blockReason")); br != "" {
		return oneLine("blocked: "+br, summaryLimit)
	}
	cand := jfirstElem(jfield(data, "candidates"))
	var out string
	jelems(jpath(cand, "content", "parts"), func(p []byte) {
		switch {
		case out != "":
		case jfield(p, "text") != nil:
			out = snippet(jfield(p, "text"))
		case jfield(p, "functionCall") != nil:
			out = oneLine("functionCall "+jstring(jpath(p, "functionCall", "name")), summaryLimit)
		}
	})
	if fr := jstring(jfield(cand, "finishReason")); fr != "" {
		out = strings.TrimSpace(out + " · " + fr)
		out = strings.TrimPrefix(out, "· ")
	}
	return out
}

// gemini folds a chunk into the message: text parts (thought parts as
// thinking) and function calls of candidate 0, its finishReason, the
// usage (running totals: the last chunk's win) and an error object.
func (a *assembler) gemini(data []byte) {
	m := a.m
	if eo := jfield(data, "error"); isObject(eo) {
		if m.ErrorType == "" {
			e, _ := geminiGrammar{}.errorOf("", "", data)
			m.ErrorType, m.ErrorMessage = e.typ, e.msg
		}
		return
	}
	if id := jstring(jfield(data, "responseId")); id != "" && m.ID == "" {
		m.ID = id
	}
	if mv := jstring(jfield(data, "modelVersion")); mv != "" && m.Model == "" {
		m.Model = mv
	}
	if u := jfield(data, "usageMetadata"); isObject(u) {
		n, _ := jint(jfield(u, "promptTokenCount"))
		m.Usage.InputTokens = n
		n, _ = jint(jfield(u, "candidatesTokenCount"))
		m.Usage.OutputTokens = n
		n, _ = jint(jfield(u, "cachedContentTokenCount"))
		m.Usage.CacheReadInputTokens = n
	}
	cand := jfirstElem(jfield(data, "candidates"))
	if r := jstring(jpath(cand, "content", "role")); r != "" {
		m.Role = r
	}
	jelems(jpath(cand, "content", "parts"), func(p []byte) {
		if fc := jfield(p, "functionCall"); isObject(fc) {
			b, buf := a.block(len(a.m.Blocks), "tool_call")
			b.Name, b.Complete = jstring(jfield(fc, "name")), true
			assemblePut(a, &buf.input, jfield(fc, "args"))
			return
		}
		t, ok := jstr(jfield(p, "text"))
		if !ok {
			return
		}
		typ := "text"
		if string(jfield(p, "thought")) == "true" {
			typ = "thinking"
		}
		_, buf := a.lastBlock(typ)
		assemblePut(a, &buf.text, t)
	})
	if fr := jstring(jfield(cand, "finishReason")); fr != "" {
		m.StopReason = fr
	}
}

// lastBlock returns the last block when it has type typ, else a new one:
// Gemini's parts carry no index, so consecutive text parts are one block.
func (a *assembler) lastBlock(typ string) (*Block, *blockBuf) {
	if n := len(a.m.Blocks); n > 0 && a.m.Blocks[n-1].Type == typ {
		return &a.m.Blocks[n-1], &a.bufs[n-1]
	}
	return a.block(len(a.m.Blocks), typ)
}

// geminiStatusFixes is the advice of the Gemini API's troubleshooting
// page (https://ai.google.dev/gemini-api/docs/troubleshooting, "Backend
// error codes") for each status name.
var geminiStatusFixes = map[string]string{
	"UNAVAILABLE":         "UNAVAILABLE means the service is temporarily overloaded or down: wait a bit and retry, or switch to another model for a while (Gemini API troubleshooting, 503).",
	"RESOURCE_EXHAUSTED":  "RESOURCE_EXHAUSTED means a rate limit or quota was hit: check you are within the model's rate limits and request a quota increase if needed (Gemini API troubleshooting, 429); back off before retrying.",
	"INTERNAL":            "INTERNAL is an unexpected error on Google's side, often from a too long input context: reduce the context, switch model temporarily, or retry after a bit (Gemini API troubleshooting, 500).",
	"DEADLINE_EXCEEDED":   "DEADLINE_EXCEEDED means the service could not finish within the deadline: set a larger timeout in the client request (Gemini API troubleshooting, 504).",
	"INVALID_ARGUMENT":    "INVALID_ARGUMENT means the request body is malformed: check it against the API reference and the model's supported features (Gemini API troubleshooting, 400).",
	"FAILED_PRECONDITION": "FAILED_PRECONDITION: the free tier is not available in your country or billing is not enabled for the project (Gemini API troubleshooting, 400).",
	"PERMISSION_DENIED":   "PERMISSION_DENIED: the API key lacks the permissions, or a tuned model's authentication is missing (Gemini API troubleshooting, 403).",
	"NOT_FOUND":           "NOT_FOUND: a referenced resource (file, model) was not found; check the request's parameters and the API version (Gemini API troubleshooting, 404).",
}

// geminiErrorFixes is the advice for a Gemini error: retry safety from
// whether output was delivered, the troubleshooting page's advice for its
// status, and the id to quote. SDK behaviour is left to the SDK answers
// (sdk_gemini.go), which cite their measurements.
func geminiErrorFixes(v *Verdict) []string {
	e := v.Error
	var out []string
	switch {
	case e.Retryable && !e.OutputBeforeError:
		out = append(out, "Retry the whole request yourself: no content was delivered, so it is safe. Do not count on an SDK retry for an error that arrives after HTTP 200 (the SDK section says what each Gen AI SDK does).")
	case e.Retryable:
		out = append(out, "Content was already delivered: discard it before retrying the whole request, or continue from it. Never re-send silently after partial output (tau #556 retries only before any text, thinking or tool payload).")
	default:
		out = append(out, "Not retryable: fix the request, key, permissions, billing or quota named in the message first.")
	}
	if f, ok := geminiStatusFixes[e.Type]; ok {
		out = append(out, f)
	}
	return append(out, "Log the responseId every chunk carries (and the model version) with the error: it identifies the generation when you report it to Google.")
}
