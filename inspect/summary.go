package inspect

import (
	"bytes"
	"fmt"
	"strings"
)

// Summaries are derived on demand (Events.At), from the frame bytes alone:
// no checker state is needed, so the single pass computes none of them.

// unterminatedSummary is the summary of a frame cut before its blank line.
const unterminatedSummary = "(cut before its blank line; clients discard it)"

// summarize returns the one-line summary of an event: a text snippet, a
// tool name, a stop reason, an error type.
func summarize(d dialect, name, dataType string, data []byte) string {
	return grammarOf(d).summary(name, dataType, data)
}

// rawSummary is the start of data as text.
func rawSummary(data []byte) string {
	return oneLine(string(data[:min(len(data), summaryLimit+1)]), summaryLimit)
}

func anthropicSummary(name, dt string, data []byte) string {
	if !validJSON(data) {
		return rawSummary(data)
	}
	switch dt {
	case "ping", "message_stop":
		return ""
	case "message_start":
		return oneLine(jstring(jpath(data, "message", "model")), summaryLimit)
	case "content_block_start":
		cb := jfield(data, "content_block")
		switch bt := jstring(jfield(cb, "type")); bt {
		case "text", "thinking":
			return bt
		case "tool_use", "server_tool_use", "mcp_tool_use":
			return oneLine(bt+" "+jstring(jfield(cb, "name")), summaryLimit)
		default:
			return oneLine(bt, summaryLimit)
		}
	case "content_block_delta":
		delta := jfield(data, "delta")
		switch t := jstring(jfield(delta, "type")); t {
		case "text_delta":
			return snippet(jfield(delta, "text"))
		case "thinking_delta":
			return snippet(jfield(delta, "thinking"))
		case "input_json_delta":
			return snippet(jfield(delta, "partial_json"))
		case "citations_delta":
			return "citation"
		case "signature_delta":
			return "signature"
		default:
			return oneLine(t, summaryLimit)
		}
	case "content_block_stop":
		idx, _ := jint(jfield(data, "index"))
		return fmt.Sprintf("block %d", idx)
	case "message_delta":
		s, ok := jstr(jpath(data, "delta", "stop_reason"))
		if !ok {
			return ""
		}
		out := oneLine(s, summaryLimit)
		if n, ok := jint(jpath(data, "usage", "output_tokens")); ok && out != "" {
			out += fmt.Sprintf(" · %d out", n)
		}
		return out
	case "error":
		e := jfield(data, "error")
		typ, msg := jstring(jfield(e, "type")), jstring(jfield(e, "message"))
		return oneLine(red(strings.TrimSpace(typ+": "+msg)), summaryLimit)
	}
	return oneLine(quoteOr(dt, name), summaryLimit)
}

func chatSummary(data []byte) string {
	if string(bytes.TrimSpace(data)) == "[DONE]" {
		return "[DONE]"
	}
	if !validJSON(data) {
		return rawSummary(data)
	}
	var summary string
	if eo := jfield(data, "error"); isObject(eo) {
		summary = oneLine("error: "+orUnknownType(chatErrorName(eo)), summaryLimit)
	}
	jelems(jfield(data, "choices"), func(ch []byte) {
		if summary != "" {
			return
		}
		delta := jfield(ch, "delta")
		for _, k := range []string{"content", "reasoning", "reasoning_content"} {
			if t, ok := jstr(jfield(delta, k)); ok && t != "" && summary == "" {
				summary = snippet(jfield(delta, k))
			}
		}
		if tc := jfield(delta, "tool_calls"); tc != nil && string(tc) != "null" && summary == "" {
			summary = oneLine("tool_call "+jstring(jpath(jfirstElem(tc), "function", "name")), summaryLimit)
		}
		if fr, ok := jstr(jfield(ch, "finish_reason")); ok && fr != "" && summary == "" {
			summary = "finish: " + oneLine(fr, summaryLimit)
		}
	})
	return summary
}

// chatErrorName is the name of a chat error object: its type, else its
// code (OpenRouter's is a number).
func chatErrorName(eo []byte) string {
	typ := jstring(jfield(eo, "type"))
	rawCode := jfield(eo, "code")
	code, isStr := jstr(rawCode)
	if !isStr && rawCode != nil && string(rawCode) != "null" {
		code = string(rawCode)
	}
	if typ == "" {
		return code
	}
	return typ
}

func responsesSummary(dt string, data []byte) string {
	if !validJSON(data) {
		return rawSummary(data)
	}
	resp := jfield(data, "response")
	switch {
	case dt == "error":
		code, typ, _ := responsesError(data)
		name := code
		if name == "" {
			name = typ
		}
		return oneLine("error: "+orUnknownType(name), summaryLimit)
	case dt == "response.failed":
		return oneLine("failed: "+jstring(jpath(resp, "error", "code")), summaryLimit)
	case dt == "response.completed":
		return "completed"
	case dt == "response.incomplete":
		return oneLine("incomplete: "+jstring(jpath(resp, "incomplete_details", "reason")), summaryLimit)
	case dt == "response.output_item.added":
		if item := jfield(data, "item"); jstring(jfield(item, "type")) == "function_call" {
			return oneLine("function_call "+jstring(jfield(item, "name")), summaryLimit)
		}
	case strings.HasSuffix(dt, ".delta"):
		if p := jfield(data, "delta"); len(p) > 2 {
			return snippet(p)
		}
	case dt == "response.created" || dt == "response.in_progress":
		return oneLine(jstring(jfield(resp, "model")), summaryLimit)
	}
	return ""
}

// responsesError reads a Responses error event: code, type and message,
// from the top level or the nested error object of real captures.
func responsesError(data []byte) (code, typ, msg string) {
	code = jstring(jfield(data, "code"))
	msg = jstring(jfield(data, "message"))
	if n := jfield(data, "error"); isObject(n) {
		typ = jstring(jfield(n, "type"))
		if code == "" {
			code = jstring(jfield(n, "code"))
		}
		if msg == "" {
			msg = jstring(jfield(n, "message"))
		}
	}
	return code, typ, msg
}

// bedrockSummary summarizes one binary event-stream frame.
func bedrockSummary(frame []byte) string {
	out := ""
	eachBedrockFrame(bytes.NewReader(frame), int64(len(frame)), func(fr bedrockFrame) bool {
		switch {
		case fr.messageType == "exception" || fr.messageType == "error":
			name := bedrockErrorName(fr)
			out = oneLine(red(name+": "+jstring(jfield(fr.payload, "message"))), summaryLimit)
		case fr.messageType == "event" && converseEvents[fr.eventType]:
			out = converseSummary(fr.eventType, fr.payload)
		case fr.data != nil:
			dt := jstring(jfield(fr.data, "type"))
			out = anthropicSummary(dt, dt, fr.data)
		default:
			out = oneLine(fmt.Sprintf("%s frame without an event", fr.messageType), summaryLimit)
		}
		return false
	})
	return out
}

// bedrockErrorName is an exception frame's exception type, else its error
// code.
func bedrockErrorName(fr bedrockFrame) string {
	if fr.exceptionType != "" {
		return fr.exceptionType
	}
	return fr.errorCode
}
