package inspect

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The Anthropic Messages stream grammar of domain.md §2.2, checked as
// W1–W12 of §2.4 (W1 is the HTTP layer, in transport.go).

// anthropicBlockTypes are the content block types of the non-beta SDK
// union plus the beta ones the docs name; others are reported as W12.
var anthropicBlockTypes = map[string]bool{
	"text": true, "thinking": true, "redacted_thinking": true, "tool_use": true,
	"server_tool_use": true, "web_search_tool_result": true, "web_fetch_tool_result": true,
	"code_execution_tool_result": true, "bash_code_execution_tool_result": true,
	"text_editor_code_execution_tool_result": true, "tool_search_tool_result": true,
	"container_upload": true, "mcp_tool_use": true, "mcp_tool_result": true, "compaction": true,
}

// anthropicDeltaFits says which block types each delta type applies to
// (§2.2 delta table).
var anthropicDeltaFits = map[string]map[string]bool{
	"text_delta":       {"text": true},
	"citations_delta":  {"text": true},
	"input_json_delta": {"tool_use": true, "server_tool_use": true, "mcp_tool_use": true},
	"thinking_delta":   {"thinking": true},
	"signature_delta":  {"thinking": true},
	"compaction_delta": {"compaction": true},
}

// deltaFitsBlock reports whether delta type dt is in anthropicDeltaFits
// and whether it fits block type bt. The pairs of nearly every delta are
// answered without the two map lookups.
func deltaFitsBlock(dt, bt string) (known, fits bool) {
	switch {
	case dt == "text_delta" && bt == "text", dt == "thinking_delta" && bt == "thinking",
		dt == "input_json_delta" && bt == "tool_use":
		return true, true
	}
	f, ok := anthropicDeltaFits[dt]
	return ok, f[bt]
}

// maxToolJSON bounds the tool input kept for the W7 check.
const maxToolJSON = 64 << 20

// anthropicGrammar is the Anthropic Messages dialect (also Claude on
// Vertex, and the events inside Bedrock's binary frames).
type anthropicGrammar struct{}

func (anthropicGrammar) id() dialect                        { return dialectAnthropic }
func (anthropicGrammar) name() string                       { return "anthropic" }
func (anthropicGrammar) terminator() string                 { return "message_stop" }
func (anthropicGrammar) owns(p Provider) bool               { return p == ProviderAnthropic }
func (anthropicGrammar) checker(d *diag) checker            { return newAnthropicChecker(d) }
func (anthropicGrammar) assemble(a *assembler, data []byte) { a.anthropic(data) }
func (anthropicGrammar) summary(name, dt string, data []byte) string {
	return anthropicSummary(name, dt, data)
}

// detect recognises message_* and content_block_* events, and an error
// event whose type the docs list: that names the provider, but not the
// grammar beyond doubt (gateways pass such errors through inside other
// dialects), so its shape flag stays unset.
func (anthropicGrammar) detect(e *sniffed) (detection, bool) {
	t := e.dataType
	switch {
	case strings.HasPrefix(t, "message_") || strings.HasPrefix(t, "content_block_") ||
		strings.HasPrefix(e.name, "message_") || strings.HasPrefix(e.name, "content_block_"):
		return detection{provider: ProviderAnthropic, shape: true}, true
	case t == "error" && AnthropicStatus(jstring(jpath(e.data, "error", "type"))) != 0:
		return detection{provider: ProviderAnthropic}, true
	}
	return detection{}, false
}

// errorOf reads an error event, mapped by appendix A1.
func (anthropicGrammar) errorOf(name, dt string, data []byte) (errInfo, bool) {
	return errorObject(name, dt, data, func(_, typ string) int { return AnthropicStatus(typ) })
}

type anthropicChecker struct {
	d *diag

	starts       int // message_start events seen
	sawFirst     bool
	open         int // index of the open block, -1 when none
	openType     string
	openAt       int // event index of the open block's start
	nextIndex    int
	toolJSON     []byte
	toolTooLarge bool
	badTool      []int // content_block_stop events whose tool JSON did not parse (the first maxEventRefs)
	badToolN     int   // how many did not parse
	badToolWhy   string
	fineGrained  bool

	sawMsgDelta bool
	stopReason  string
	outTokens   int64
	haveOut     bool
	stopAt      int    // message_stop index, -1
	errAt       int    // error event index, -1
	errCode     string // finding code for the error (Bedrock exception frames differ)
}

func newAnthropicChecker(d *diag) *anthropicChecker {
	c := &anthropicChecker{d: d, open: -1, stopAt: -1, errAt: -1, errCode: "A-W10-error-event"}
	if x := d.x; x.Request != nil {
		c.fineGrained = strings.Contains(x.Request.Header.Get("Anthropic-Beta"), "fine-grained-tool-streaming")
	}
	return c
}

func (c *anthropicChecker) event(i int, ev *evCtx) {
	d, data, dt := c.d, ev.data, ev.dataType
	if !ev.delta.ok && !validJSON(data) {
		d.f.add("A-data-not-json", SeverityError, "Event data is not valid JSON",
			"Every Anthropic event carries one JSON object; SDKs fail to parse these events and abort the stream.", i)
		return
	}
	// W4: the event name equals data.type.
	if dt != "" && ev.name != dt {
		d.f.add("A-W4-name-mismatch", SeverityWarning, "Event name differs from data.type",
			fmt.Sprintf("Event %d is named %q but its data.type is %q. Anthropic always sends them equal, and the SDKs dispatch on the event name (an unnamed event is ignored by them).", i+1, ev.name, dt), i)
	}
	if c.stopAt >= 0 {
		d.f.add("A-W9-after-message-stop", SeverityError, "Events after message_stop",
			fmt.Sprintf("message_stop (event %d) must be last, but more events followed it.", c.stopAt+1), i)
	}
	if c.errAt >= 0 {
		d.f.add("A-W10-after-error", SeverityWarning, "Events after the error event",
			fmt.Sprintf("An error event is terminal, but events followed event %d; SDKs stop reading at the error and never see them.", c.errAt+1), i)
	}
	// W2: the first non-ping event is message_start or error.
	if !c.sawFirst && dt != "ping" {
		c.sawFirst = true
		if dt != "message_start" && dt != "error" {
			d.f.add("A-W2-first-event", SeverityError, "The stream does not start with message_start",
				fmt.Sprintf("The first event is %q; a Messages stream opens with message_start (or an error). SDK accumulators fail or drop the message id, model and input usage.", orUnknownType(dt)), i)
		}
	}
	switch dt {
	case "ping":
	case "message_start":
		c.messageStart(i, data, ev)
	case "content_block_start":
		c.blockStart(i, data, ev)
	case "content_block_delta":
		c.blockDelta(i, data, ev)
	case "content_block_stop":
		c.blockStop(i, data, ev)
	case "message_delta":
		c.messageDelta(i, data, ev)
	case "message_stop":
		if c.stopAt < 0 {
			c.stopAt = i
			d.pin(i)
		}
		if c.open >= 0 {
			d.f.add("A-W5-block-order", SeverityError, "Content block not closed",
				fmt.Sprintf("message_stop arrived while block %d was still open.", c.open), i)
		}
	case "error":
		c.errorEvent(i, data, ev)
	default:
		what := "event type " + quoteOr(dt, ev.name)
		d.f.add("A-W12-unknown-event", SeverityInfo, "Unknown event type",
			"The stream carries an "+what+" the docs do not list. The docs say new types may be added and clients should ignore them.", i)
	}
}

func (c *anthropicChecker) messageStart(i int, data []byte, ev *evCtx) {
	d := c.d
	c.starts++
	msg := jfield(data, "message")
	if m := jstring(jfield(msg, "model")); m != "" && d.model == "" {
		d.model = m
	}
	if n, ok := jint(jpath(msg, "usage", "output_tokens")); ok {
		c.outTokens, c.haveOut = n, true
	}
	if c.starts > 1 {
		detail := fmt.Sprintf("Event %d is a second message_start", i+1)
		if c.open >= 0 {
			detail += fmt.Sprintf(" while block %d is open: two streams were spliced together (vercel/ai fixed this in #18402)", c.open)
		}
		d.f.add("A-W3-second-message-start", SeverityError, "A second message_start", detail+". SDK accumulators start over or fail.", i)
		// Start over so the spliced stream is checked as its own message.
		c.open, c.nextIndex, c.sawMsgDelta, c.stopReason, c.toolJSON = -1, 0, false, "", c.toolJSON[:0]
	}
}

func (c *anthropicChecker) blockStart(i int, data []byte, ev *evCtx) {
	d := c.d
	idx, okIdx := jint(jfield(data, "index"))
	cb := jfield(data, "content_block")
	bt := d.internType(jfield(cb, "type"))
	switch {
	case c.open >= 0:
		d.f.add("A-W5-block-order", SeverityError, "Content blocks overlap",
			fmt.Sprintf("Block %d started while block %d was still open; each block must close before the next opens.", idx, c.open), i)
	case !okIdx || idx != int64(c.nextIndex):
		d.f.add("A-W5-block-order", SeverityError, "Block index out of order",
			fmt.Sprintf("content_block_start has index %s where %d was expected; indices start at 0 and go up by one.", string(jfield(data, "index")), c.nextIndex), i)
	}
	if !anthropicBlockTypes[bt] {
		d.f.add("A-W12-unknown-block", SeverityInfo, "Unknown content block type",
			fmt.Sprintf("Block type %q is not in the SDK's content block union; SDKs keep it as an unknown variant.", bt), i)
	}
	c.open, c.openType, c.openAt, c.nextIndex = int(idx), bt, i, int(idx)+1
	c.toolJSON, c.toolTooLarge = c.toolJSON[:0], false
	switch bt {
	case "text":
		t := jfield(cb, "text")
		if len(t) > 2 {
			d.markContent(i)
		}
	case "thinking":
	default:
		// Tool use, result blocks and redacted thinking arrive whole.
		d.markContent(i)
	}
}

func (c *anthropicChecker) blockDelta(i int, data []byte, ev *evCtx) {
	d := c.d
	var (
		idx   int64
		dt    string
		delta []byte
	)
	if fd := &ev.delta; fd.ok {
		idx, dt = fd.index, fd.typ
	} else {
		idx, _ = jint(jfield(data, "index"))
		// data is valid JSON: the delta object need not be skipped to its
		// end.
		delta = jfieldHead(data, "delta")
		dt = d.internType(jfield(delta, "type"))
	}
	known, fits := deltaFitsBlock(dt, c.openType)
	switch {
	case c.open < 0 || int(idx) != c.open:
		d.f.add("A-W6-delta-block", SeverityError, "Delta for a block that is not open",
			fmt.Sprintf("Event %d is a %s for block %d, but the open block is %s.", i+1, orUnknownType(dt), idx, openName(c.open)), i)
	case !known:
		d.f.add("A-W12-unknown-delta", SeverityInfo, "Unknown delta type",
			fmt.Sprintf("Delta type %q is not in the docs' delta table; the docs say clients should ignore types they do not know.", dt), i)
	case !fits:
		d.f.add("A-W6-delta-block", SeverityError, "Delta type does not fit its block",
			fmt.Sprintf("A %s arrived for block %d of type %q; SDK accumulators only apply it to %s blocks.", dt, idx, c.openType, fitList(anthropicDeltaFits[dt])), i)
	}
	var payload []byte
	switch dt {
	case "text_delta", "thinking_delta":
		if c.deltaContent(ev, delta, dt) {
			d.markContent(i)
		}
		return
	case "input_json_delta":
		payload = ev.delta.payload
		if !ev.delta.ok {
			payload = jfield(delta, "partial_json")
		}
		if c.open >= 0 && int(idx) == c.open && !c.toolTooLarge {
			if s, ok := jstr(payload); ok {
				if len(c.toolJSON)+len(s) > maxToolJSON {
					c.toolTooLarge = true
				} else {
					c.toolJSON = append(c.toolJSON, s...)
				}
			}
		}
	case "citations_delta":
		d.markContent(i)
		return
	default:
		return
	}
	if len(payload) > 2 { // more than ""
		d.markContent(i)
	}
}

// deltaContent reports whether a text_delta or thinking_delta (dt)
// carries text: its text or thinking member is more than "".
func (c *anthropicChecker) deltaContent(ev *evCtx, delta []byte, dt string) bool {
	if ev.delta.ok {
		return len(ev.delta.payload) > 2
	}
	if dt == "text_delta" {
		return nonEmptyString(delta, "text")
	}
	return nonEmptyString(delta, "thinking")
}

func (c *anthropicChecker) blockStop(i int, data []byte, ev *evCtx) {
	d := c.d
	idx, _ := jint(jfield(data, "index"))
	if c.open < 0 || int(idx) != c.open {
		d.f.add("A-W5-block-order", SeverityError, "Stop for a block that is not open",
			fmt.Sprintf("content_block_stop for block %d, but the open block is %s.", idx, openName(c.open)), i)
		return
	}
	if isToolBlock(c.openType) && !c.toolTooLarge {
		if why := toolJSONProblem(c.toolJSON); why != "" {
			if len(c.badTool) == 0 {
				d.pin(i)
			}
			// A finding lists maxEventRefs events: keep no more, so a
			// stream of a million bad tool blocks costs a counter.
			if c.badToolN++; len(c.badTool) < maxEventRefs {
				c.badTool = append(c.badTool, i)
			}
			if c.badToolWhy == "" {
				c.badToolWhy = fmt.Sprintf("block %d: %s", idx, why)
			}
		}
	}
	c.open = -1
}

func (c *anthropicChecker) messageDelta(i int, data []byte, ev *evCtx) {
	d := c.d
	c.sawMsgDelta = true
	if c.open >= 0 {
		d.f.add("A-W8-delta-open-block", SeverityWarning, "message_delta while a block is open",
			fmt.Sprintf("message_delta arrived before block %d was closed.", c.open), i)
	}
	sr := jpath(data, "delta", "stop_reason")
	if s, ok := jstr(sr); ok {
		c.stopReason = s
	}
	if n, ok := jint(jpath(data, "usage", "output_tokens")); ok {
		if c.haveOut && n < c.outTokens {
			d.f.add("A-W8-usage-decreased", SeverityWarning, "output_tokens decreased",
				fmt.Sprintf("usage.output_tokens went from %d to %d; the docs say message_delta usage is cumulative.", c.outTokens, n), i)
		}
		c.outTokens, c.haveOut = n, true
	}
}

func (c *anthropicChecker) errorEvent(i int, data []byte, ev *evCtx) {
	d := c.d
	if c.errAt < 0 {
		c.errAt = i
	}
	e := jfield(data, "error")
	typ := jstring(jfield(e, "type"))
	msg := jstring(jfield(e, "message"))
	if d.setError(i, typ, msg, AnthropicStatus(typ)) {
		d.errSpendCap = jstring(jpath(e, "details", "error_code")) == "enforced_spend_limit_reached"
		d.errRequestID = jstring(jfield(data, "request_id"))
	}
}

func isToolBlock(t string) bool {
	return t == "tool_use" || t == "server_tool_use" || t == "mcp_tool_use"
}

// toolJSONProblem says why concatenated partial_json is not a JSON object
// ("" means {} and is fine); "" when it is one.
func toolJSONProblem(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return fmt.Sprintf("%v in %q", err, ellipsis(s, 60))
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Sprintf("%q is not an object", ellipsis(s, 60))
	}
	return ""
}

func ellipsis(s string, n int) string { return oneLine(s, n) }

func openName(i int) string {
	if i < 0 {
		return "none"
	}
	return fmt.Sprint(i)
}

func fitList(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	if len(out) > 1 {
		// Deterministic text for golden files.
		for i := 1; i < len(out); i++ {
			for j := i; j > 0 && out[j] < out[j-1]; j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
	}
	return strings.Join(out, "/")
}

func orUnknownType(t string) string {
	if t == "" {
		return "an untyped event"
	}
	return valueText(t)
}

// quote is a value from the stream (a type, a stop reason), quoted for a
// finding's title or detail: bounded and redacted (valueText).
func quote(s string) string { return fmt.Sprintf("%q", valueText(s)) }

// maxValueText bounds an enum-like value from the stream in a finding:
// real ones (stop reasons, error types, block reasons) are a few words.
const maxValueText = 64

// valueText is an enum-like value the stream sent, as a finding shows
// it: redacted, on one line and at most maxValueText characters, so a
// hostile 1 MiB "stop_reason" cannot become a 1 MiB title.
func valueText(s string) string { return oneLine(red(s), maxValueText) }

func quoteOr(dt, name string) string {
	if dt != "" {
		return quote(dt)
	}
	return quote(name)
}
