package inspect

import (
	"bytes"
	"fmt"
	"strings"
)

// OpenAI Responses API streams (domain.md §4): typed events (error,
// response.failed, response.completed, response.incomplete) with
// consecutive sequence numbers. OpenRouter, Azure and LiteLLM forward the
// same shape, and it is read with these rules whatever the host.

// responsesGrammar is the Responses dialect.
type responsesGrammar struct{}

func (responsesGrammar) id() dialect                        { return dialectResponses }
func (responsesGrammar) name() string                       { return "openai-responses" }
func (responsesGrammar) terminator() string                 { return "response.completed" }
func (responsesGrammar) owns(p Provider) bool               { return p == ProviderOpenAIResponses }
func (responsesGrammar) checker(d *diag) checker            { return newResponsesChecker(d) }
func (responsesGrammar) assemble(a *assembler, data []byte) { a.responses(data) }
func (responsesGrammar) summary(_, dt string, data []byte) string {
	return responsesSummary(dt, data)
}

// detect recognises a response.* event, or the error event that carries
// a sequence_number.
func (responsesGrammar) detect(e *sniffed) (detection, bool) {
	t := e.dataType
	if strings.HasPrefix(t, "response.") || strings.HasPrefix(e.name, "response.") ||
		t == "error" && jfield(e.data, "sequence_number") != nil {
		return detection{provider: ProviderOpenAIResponses, shape: true}, true
	}
	return detection{}, false
}

// errorOf reads an error or response.failed event.
func (responsesGrammar) errorOf(_, dt string, data []byte) (errInfo, bool) {
	switch dt {
	case "error":
		code, t, m := responsesError(data)
		typ := code
		if typ == "" {
			typ = t
		}
		return errInfo{typ: typ, msg: m, status: OpenAIStatus(code, t)}, true
	case "response.failed":
		re := jpath(data, "response", "error")
		code := jstring(jfield(re, "code"))
		return errInfo{typ: code, msg: jstring(jfield(re, "message")), status: OpenAIStatus(code, "")}, true
	}
	return errInfo{}, false
}

// responsesChecker checks Responses API streams.
type responsesChecker struct {
	d          *diag
	terminalAt int // response.completed / failed / incomplete, -1
	lastSeq    int64
	haveSeq    bool
}

func newResponsesChecker(d *diag) *responsesChecker {
	return &responsesChecker{d: d, terminalAt: -1}
}

func (c *responsesChecker) event(i int, ev *evCtx) {
	d, data, dt := c.d, ev.data, ev.dataType
	if c.terminalAt >= 0 && string(bytes.TrimSpace(data)) == "[DONE]" {
		// OpenRouter's Responses stream ends with the Chat sentinel after
		// response.completed (its Responses API docs' streaming loop
		// checks for it): a harmless end marker, not a broken event.
		d.pin(i)
		return
	}
	if !validJSON(data) {
		d.f.add("R-data-not-json", SeverityError, "Event data is not valid JSON",
			"Every Responses event carries one JSON object; the SDKs fail on this one.", i)
		return
	}
	if c.terminalAt >= 0 && d.err == nil {
		d.f.add("R-after-terminal", SeverityError, "Events after the terminal event",
			fmt.Sprintf("Event %d ended the response, but more events followed.", c.terminalAt+1), i)
	}
	if n, ok := jint(jfield(data, "sequence_number")); ok {
		if c.haveSeq && n != c.lastSeq+1 {
			d.f.add("R-sequence-gap", SeverityWarning, "sequence_number is not consecutive",
				fmt.Sprintf("sequence_number went from %d to %d; events were lost or reordered.", c.lastSeq, n), i)
		}
		c.lastSeq, c.haveSeq = n, true
	}
	resp := jfield(data, "response")
	if m := jstring(jfield(resp, "model")); m != "" && d.model == "" {
		d.model = m
	}
	switch {
	case dt == "error":
		code, typ, msg := responsesError(data)
		name := code
		if name == "" {
			name = typ
		}
		d.setError(i, name, msg, OpenAIStatus(code, typ))
	case dt == "response.failed":
		c.terminalAt = i
		re := jfield(resp, "error")
		code := jstring(jfield(re, "code"))
		d.setError(i, code, jstring(jfield(re, "message")), OpenAIStatus(code, ""))
	case dt == "response.completed":
		c.terminalAt = i
		d.complete = true
	case dt == "response.incomplete":
		c.terminalAt = i
		d.complete = true
		why := jstring(jpath(resp, "incomplete_details", "reason"))
		d.f.add("R-incomplete", SeverityWarning, "The response is incomplete: "+orUnknownType(why),
			"response.incomplete ended the stream cleanly, but the output was cut (e.g. max_output_tokens).", i)
	case dt == "response.output_item.added":
		item := jfield(data, "item")
		if t := jstring(jfield(item, "type")); t == "function_call" {
			d.markContent(i)
		}
	case strings.HasSuffix(dt, ".delta"):
		if p := jfield(data, "delta"); len(p) > 2 {
			d.markContent(i)
		}
	}
}

func (c *responsesChecker) finish() {
	d := c.d
	switch {
	case d.err != nil:
		d.errorFinding("R-error-event")
	case c.terminalAt >= 0:
	case d.v.EventCount > 0 && !allUnterminated(d.v.Events):
		title := "Truncated: no response.completed"
		if d.cutTerminator("response.completed") {
			title = "Truncated: response.completed cut before its blank line"
		}
		d.f.add("R-truncated", SeverityError, title,
			"The stream ended without a dispatched response.completed, response.incomplete, response.failed or error event."+d.cutNote(), lastEvent(d.v.Events))
	}
}
