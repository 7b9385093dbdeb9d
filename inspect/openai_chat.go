package inspect

import (
	"bytes"
	"fmt"
	"strings"
)

// OpenAI Chat Completions streams (domain.md §4): chunks ending in
// `data: [DONE]`, with an undocumented top-level "error" object for
// in-stream errors; OpenRouter's variant (top-level error plus
// finish_reason "error"); Portkey's rewrite of an Anthropic error into
// finish_reason = the Anthropic error type.

// chatGrammar is the Chat Completions dialect.
type chatGrammar struct{}

func (chatGrammar) id() dialect        { return dialectChat }
func (chatGrammar) name() string       { return "openai-chat" }
func (chatGrammar) terminator() string { return "data: [DONE]" }
func (chatGrammar) owns(p Provider) bool {
	return p == ProviderOpenAIChat || p == ProviderOpenRouter
}
func (chatGrammar) checker(d *diag) checker                 { return newChatChecker(d) }
func (chatGrammar) summary(_, _ string, data []byte) string { return chatSummary(data) }
func (chatGrammar) assemble(a *assembler, data []byte)      { a.chat(data) }

// detect recognises a chunk ("object", "choices" or a top-level
// "error"); OpenRouter's and Portkey's marks make it sure, a plain chunk
// is tentative (a later chunk may carry OpenRouter's "provider" label).
func (chatGrammar) detect(e *sniffed) (detection, bool) {
	obj := jstring(jfield(e.data, "object"))
	choices := jfield(e.data, "choices")
	if obj != "chat.completion.chunk" && choices == nil && jfield(e.data, "error") == nil {
		return detection{}, false
	}
	d := detection{provider: ProviderOpenAIChat, shape: true}
	fr := jstring(jfield(jfirstElem(choices), "finish_reason"))
	// Portkey also labels chunks with "provider", so its rewrite
	// (finish_reason = an Anthropic error type) is checked first.
	switch {
	case AnthropicStatus(fr) != 0:
		d.gateway = GatewayPortkey
		return d, true
	case fr == "error" || strings.HasPrefix(jstring(jfield(e.data, "id")), "gen-"):
		d.provider = ProviderOpenRouter
		return d, true
	case jfield(e.data, "provider") != nil:
		d.provider = ProviderOpenRouter // OpenRouter, unless a Portkey rewrite follows
	}
	return d, false
}

// errorOf reads a chunk's top-level error object, or the data of an
// event named error.
func (chatGrammar) errorOf(name, dt string, data []byte) (errInfo, bool) {
	return errorObject(name, dt, data, chatErrorStatus)
}

// errorObject reads {"error":{type, code, message}} (or, for an event
// named or typed "error", the data itself), mapping it with status.
func errorObject(name, dt string, data []byte, status func(code, typ string) int) (errInfo, bool) {
	eo := jfield(data, "error")
	if !isObject(eo) {
		if name != "error" && dt != "error" {
			return errInfo{}, false
		}
		eo = data
	}
	t := jstring(jfield(eo, "type"))
	rawCode := jfield(eo, "code")
	code, isStr := jstr(rawCode)
	if !isStr && rawCode != nil && string(rawCode) != "null" {
		code = string(rawCode) // OpenRouter's numeric code
	}
	e := errInfo{typ: t, msg: jstring(jfield(eo, "message")), rawType: t, code: code}
	if st := jstring(jfield(eo, "status")); e.typ == "" && googleRPCStatus[st] >= 400 {
		e.typ = st // a Google error forwarded by a gateway: UNAVAILABLE says more than 503
	}
	if e.typ == "" {
		e.typ = code
	}
	if t != "" || code != "" {
		e.status = status(code, t)
	}
	e.spendCap = jstring(jpath(eo, "details", "error_code")) == "enforced_spend_limit_reached"
	return e, true
}

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
		c.errorObject(i, eo)
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

// errorObject records chunk i's top-level error object as the stream's
// error: its type (or a forwarded Google status name, or its code), its
// message and the status it stands for, by the host's own table first.
func (c *chatChecker) errorObject(i int, eo []byte) {
	d := c.d
	typ := jstring(jfield(eo, "type"))
	rawCode := jfield(eo, "code")
	code, isStr := jstr(rawCode)
	if !isStr && rawCode != nil && string(rawCode) != "null" {
		code = string(rawCode) // OpenRouter's numeric code
	}
	name := typ
	if st := jstring(jfield(eo, "status")); name == "" && googleRPCStatus[st] >= 400 {
		name = st // a Google error forwarded by a gateway
	}
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
