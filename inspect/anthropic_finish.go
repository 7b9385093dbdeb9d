package inspect

import "fmt"

// finish reports what only the end of the stream decides: tool input
// that never parsed, the stop_reason of a whole stream, or how a stream
// without message_stop or error was cut.
func (c *anthropicChecker) finish() {
	c.toolJSONFinding()
	switch {
	case c.errAt >= 0:
		c.d.errorFinding(c.errCode)
	case c.stopAt >= 0:
		c.d.complete = true
		c.stopFindings()
	default:
		if last := lastEvent(c.d.v.Events); last >= 0 { // no events: empty
			c.truncatedFinding(last)
		}
	}
}

// toolJSONFinding reports the tool blocks whose input did not parse at
// their content_block_stop (W7).
func (c *anthropicChecker) toolJSONFinding() {
	if len(c.badTool) == 0 {
		return
	}
	sev := SeverityError
	why := ""
	switch {
	case c.stopReason == "max_tokens":
		sev, why = SeverityWarning, " The stop_reason is max_tokens, so the input was cut by the token limit."
	case c.fineGrained:
		sev, why = SeverityWarning, " The request enabled fine-grained tool streaming, which may send invalid JSON."
	}
	if c.badToolN > 1 {
		why += fmt.Sprintf(" %d tool blocks did not parse", c.badToolN)
		if c.badToolN > len(c.badTool) {
			why += fmt.Sprintf("; the first %d are listed", len(c.badTool))
		}
		why += "."
	}
	c.d.f.add("A-W7-tool-json", sev, "Tool input is not a JSON object",
		"At content_block_stop the concatenated partial_json did not parse as a JSON object ("+c.badToolWhy+")."+why, c.badTool...)
}

// stopFindings checks the stop_reason of a stream that reached
// message_stop (W8).
func (c *anthropicChecker) stopFindings() {
	f := c.d.f
	switch {
	case !c.sawMsgDelta:
		f.add("A-W8-no-stop-reason", SeverityWarning, "No message_delta before message_stop",
			"The stream never sent a message_delta, so stop_reason stays null and the final usage is missing.", c.stopAt)
	case c.stopReason == "":
		f.add("A-W8-no-stop-reason", SeverityWarning, "stop_reason is null",
			"The final message_delta carries no stop_reason; clients cannot tell a natural end from a cut.", c.stopAt)
	case !knownStopReasons[c.stopReason]:
		f.add("A-W8-unknown-stop-reason", SeverityWarning, "Unknown stop_reason "+quote(c.stopReason),
			"The docs' StopReason enum does not list it; it may be new (the enum grows), so clients must tolerate it.", c.stopAt)
	}
}

// truncatedFinding classifies a stream that ended with neither
// message_stop nor an error, at event last (W11).
func (c *anthropicChecker) truncatedFinding(last int) {
	d := c.d
	switch {
	case c.open >= 0:
		d.f.add("A-W11-truncated-mid-block", c.midBlockSeverity(), "Truncated inside a content block", c.midBlockDetail()+d.cutNote(), last)
	case c.sawMsgDelta && c.stopReason != "":
		title, detail := "Truncated after message_delta: message_stop missing",
			fmt.Sprintf("stop_reason %q arrived, so the content is probably whole, but message_stop never did. Compatible gateways often drop it.", c.stopReason)
		if d.cutTerminator("message_stop") {
			title = "Truncated after message_delta: message_stop cut before its blank line"
			detail = fmt.Sprintf("stop_reason %q arrived, so the content is probably whole, and message_stop's bytes arrived as event %d, but without the terminating blank line, so no client dispatched it.", c.stopReason, d.cutAt+1)
		} else {
			detail += d.cutNote()
		}
		d.f.add("A-W11-truncated-after-delta", SeverityWarning, title, detail, last)
	default:
		title := "Truncated: no message_stop"
		detail := "The stream ended between content blocks, with no message_delta, message_stop or error: the response is incomplete and stop_reason was never seen."
		if c.starts == 0 {
			detail = "The stream ended before any message_start, with no message_stop or error."
		}
		if d.cutTerminator("message_stop") {
			title = "Truncated: message_stop cut before its blank line"
		}
		d.f.add("A-W11-truncated-between-blocks", SeverityError, title, detail+d.cutNote(), last)
	}
}

// midBlockSeverity grades a stream cut inside a block. Say only what is
// true of what arrived: a max_tokens cut of tool JSON sends message_delta
// (stop_reason known) while the block is still open, which is the
// after-delta class of W11: a warning.
func (c *anthropicChecker) midBlockSeverity() Severity {
	if c.sawMsgDelta && c.stopReason != "" {
		return SeverityWarning
	}
	return SeverityError
}

// midBlockDetail explains a stream cut inside block c.open.
func (c *anthropicChecker) midBlockDetail() string {
	detail := fmt.Sprintf("The stream ended inside block %d (%s, opened at event %d) with no content_block_stop, message_delta, message_stop or error.", c.open, c.openType, c.openAt+1)
	if c.sawMsgDelta {
		detail = fmt.Sprintf("The stream ended inside block %d (%s, opened at event %d) with no content_block_stop and no message_stop. A message_delta did arrive", c.open, c.openType, c.openAt+1)
		if c.stopReason != "" {
			detail += fmt.Sprintf(" with stop_reason %q, so generation ended and only the closing events are missing.", c.stopReason)
		} else {
			detail += " but with no stop_reason, so the response may be incomplete."
		}
	}
	if isToolBlock(c.openType) {
		if why := toolJSONProblem(c.toolJSON); why != "" {
			detail += " The tool input so far does not parse: " + why + "."
			if c.stopReason == "max_tokens" {
				detail += " The stop_reason is max_tokens, so the input was cut by the token limit: do not execute it."
			}
		}
	}
	return detail
}
