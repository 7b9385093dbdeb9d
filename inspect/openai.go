package inspect

import (
	"bytes"
	"fmt"
	"strings"
)

// OpenAI-style streams (domain.md §4): Chat Completions chunks ending in
// `data: [DONE]`, with an undocumented top-level "error" object for
// in-stream errors; OpenRouter's variant (top-level error plus
// finish_reason "error"); Portkey's rewrite of an Anthropic error into
// finish_reason = the Anthropic error type; and the Responses API's typed
// events (error, response.failed, response.completed).

// chatChecker checks Chat Completions streams (OpenAI, OpenRouter, Portkey).
type chatChecker struct {
	d            *diag
	doneAt       int    // index of [DONE], -1
	finishReason string // last finish_reason seen
	finishAt     int
	errCode      string // finding code for the error
	openRouter   bool
	host         *hostChecker // the OpenAI-compatible host's checks (hosts.go)
}

func newChatChecker(d *diag) *chatChecker {
	return &chatChecker{d: d, doneAt: -1, finishAt: -1, openRouter: d.v.Provider == ProviderOpenRouter, host: newHostChecker(d)}
}

func (c *chatChecker) event(i int, ev *evCtx) {
	d, data := c.d, ev.data
	if string(bytes.TrimSpace(data)) == "[DONE]" {
		if c.doneAt >= 0 {
			d.f.add("O-after-done", SeverityError, "Data after [DONE]",
				fmt.Sprintf("[DONE] (event %d) ends a Chat Completions stream, but more data followed.", c.doneAt+1), i)
			return
		}
		c.doneAt = i
		d.pin(i)
		return
	}
	if c.doneAt >= 0 {
		d.f.add("O-after-done", SeverityError, "Data after [DONE]",
			fmt.Sprintf("[DONE] (event %d) ends a Chat Completions stream, but more data followed.", c.doneAt+1), i)
	}
	if !validJSON(data) {
		d.f.add("O-data-not-json", SeverityError, "Chunk is not valid JSON",
			"Every chunk except [DONE] is a JSON object; the SDKs fail on this one.", i)
		return
	}
	c.host.event(i, data)
	if m := jstring(jfield(data, "model")); m != "" && d.model == "" {
		d.model = m
	}
	if jfield(data, "provider") != nil || strings.HasPrefix(jstring(jfield(data, "id")), "gen-") {
		c.openRouter = true
	}
	if eo := jfield(data, "error"); isObject(eo) {
		typ := jstring(jfield(eo, "type"))
		rawCode := jfield(eo, "code")
		code, isStr := jstr(rawCode)
		if !isStr && rawCode != nil && string(rawCode) != "null" {
			code = string(rawCode) // OpenRouter's numeric code
		}
		name := typ
		if name == "" {
			name = code
		}
		c.host.errorObject(eo)
		status := chatErrorStatus(code, typ)
		if s := hostErrorStatus(d.v.Host, code, typ); s != 0 {
			status = s // the host documents its own codes (hosts.go)
		}
		if d.setError(i, name, jstring(jfield(eo, "message")), status) {
			c.errCode = "O-error-object"
		}
	}
	jelems(jfield(data, "choices"), func(ch []byte) {
		delta := jfield(ch, "delta")
		for _, k := range []string{"content", "reasoning", "reasoning_content"} {
			if t, ok := jstr(jfield(delta, k)); ok && t != "" {
				d.markContent(i)
			}
		}
		if tc := jfield(delta, "tool_calls"); tc != nil && string(tc) != "null" {
			d.markContent(i)
		}
		fr, ok := jstr(jfield(ch, "finish_reason"))
		if !ok || fr == "" {
			return
		}
		c.finishReason, c.finishAt = fr, i
		switch {
		case fr == "error":
			c.openRouter = true
			if d.setError(i, "error", "", 0) {
				c.errCode = "O-finish-reason-error"
			}
		case AnthropicStatus(fr) != 0:
			// Portkey's Anthropic route: the error type became the finish
			// reason, under HTTP 200, with no error object (§3.10).
			if d.v.Gateway == "" {
				d.v.Gateway = GatewayPortkey
			}
			if d.setError(i, fr, "", AnthropicStatus(fr)) {
				c.errCode = "O-finish-reason-error-type"
			}
		case fr == "content_filter":
			c.host.contentFilter(i, ch)
		case !knownFinishReasons[fr]:
			d.f.add("O-unknown-finish-reason", SeverityInfo, "Unknown finish_reason "+quote(fr),
				"The Chat Completions docs do not list this finish_reason.", i)
		}
	})
}

// chatErrorStatus maps a chat error: an exact Anthropic error type (a
// gateway passing Anthropic errors through) by appendix A1, else A4.
func chatErrorStatus(code, typ string) int {
	if s := AnthropicStatus(typ); s != 0 {
		return s
	}
	if s := AnthropicStatus(code); s != 0 {
		return s
	}
	return OpenAIStatus(code, typ)
}

func (c *chatChecker) finish() {
	d := c.d
	c.host.finish()
	switch {
	case d.err != nil:
		d.errorFinding(c.errCode)
	case c.doneAt >= 0:
		d.complete = true
		if c.finishReason == "" {
			d.f.add("O-no-finish-reason", SeverityWarning, "[DONE] without a finish_reason",
				"No chunk carried a finish_reason, so the client cannot tell why generation stopped.", c.doneAt)
		}
	case d.v.EventCount > 0 && !allUnterminated(d.v.Events):
		last := lastEvent(d.v.Events)
		cutDone := d.cutTerminator("[DONE]")
		if c.finishReason != "" {
			title, detail := "Truncated after finish_reason: [DONE] missing",
				fmt.Sprintf("finish_reason %q arrived, so the content is probably whole, but data: [DONE] never did.", c.finishReason)
			if cutDone {
				title = "Truncated after finish_reason: [DONE] cut before its blank line"
				detail = fmt.Sprintf("finish_reason %q arrived, so the content is probably whole, and data: [DONE] arrived as event %d, but without the terminating blank line, so no client dispatched it.", c.finishReason, d.cutAt+1)
			} else {
				detail += d.cutNote()
			}
			d.f.add("O-truncated-after-finish", SeverityWarning, title, detail, last)
		} else {
			title := "Truncated: no finish_reason and no [DONE]"
			if cutDone {
				title = "Truncated: no finish_reason, and [DONE] cut before its blank line"
			}
			d.f.add("O-truncated", SeverityError, title,
				"The stream ended with no finish_reason, no dispatched [DONE] and no error: the response is incomplete."+d.cutNote(), last)
		}
	}
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

// genericChecker handles SSE from an unknown API: EOF is its end, and an
// event named "error" or a top-level "error" member is its error.
type genericChecker struct{ d *diag }

func (c *genericChecker) event(i int, ev *evCtx) {
	d, data := c.d, ev.data
	eo := jfield(data, "error")
	if ev.name != "error" && !isObject(eo) {
		return
	}
	if !isObject(eo) {
		eo = data
	}
	typ := jstring(jfield(eo, "type"))
	code := jstring(jfield(eo, "code"))
	msg := jstring(jfield(eo, "message"))
	status := 0
	if s := AnthropicStatus(typ); s != 0 {
		status = s
	} else if typ != "" || code != "" {
		status = OpenAIStatus(code, typ)
	}
	if typ == "" {
		typ = code
	}
	d.setError(i, typ, msg, status)
}

func (c *genericChecker) finish() {
	d := c.d
	if d.err != nil {
		d.errorFinding("G-error-event")
		return
	}
	// A generic stream has no terminator: it is complete when it ended
	// cleanly, so never while it is still arriving.
	d.complete = d.v.EventCount > 0 && !allUnterminated(d.v.Events) && !transportFailed(d.x.End.Reason) && !d.opt.InFlight
}

func allUnterminated(ev Events) bool { return lastEvent(ev) < 0 }

// lastEvent returns the index of the last dispatched event, -1 if none
// (only the last event of a timeline can be unterminated).
func lastEvent(ev Events) int {
	i := ev.Len() - 1
	for i >= 0 && ev.Meta(i).Unterminated {
		i--
	}
	return i
}
