package inspect

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/midstreamhq/midstream/stream"
)

// Bedrock's ConverseStream (domain.md §4.5) sends the same binary AWS
// event-stream frames as InvokeModelWithResponseStream (bedrock.go), but
// each frame's :event-type names a Converse event and its payload is that
// event's own JSON, for any Bedrock model (Nova, Llama, Mistral, Claude…):
//
//	messageStart       {"role":"assistant"}
//	contentBlockStart  {"contentBlockIndex":1,"start":{"toolUse":{…}}}  (tool use; text blocks have none)
//	contentBlockDelta  {"contentBlockIndex":0,"delta":{"text"|"toolUse"|"reasoningContent":…}}
//	contentBlockStop   {"contentBlockIndex":0}
//	messageStop        {"stopReason":"end_turn"}
//	metadata           {"usage":{…},"metrics":{"latencyMs":…}}
//
// Real frames also carry a "p" member of random padding. A successful
// stream ends with messageStop then metadata; failures arrive as frames
// with :message-type exception. Sources: API_runtime_ConverseStream.html,
// API_runtime_ConverseStreamOutput.html, API_runtime_MessageStopEvent.html.

// converseDocs is the page the exception statuses come from.
const converseDocs = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html"

// converseEvents are the :event-type names of ConverseStreamOutput.
var converseEvents = map[string]bool{
	"messageStart": true, "contentBlockStart": true, "contentBlockDelta": true,
	"contentBlockStop": true, "messageStop": true, "metadata": true,
}

// converseStatus is the ConverseStream error table: the in-stream
// exception members of ConverseStreamOutput and the operation's errors
// (AWS docs, converseDocs), lower-camel as the :exception-type header
// spells them.
var converseStatus = map[string]int{
	"accessDeniedException":       403,
	"internalServerException":     500,
	"modelErrorException":         424,
	"modelNotReadyException":      429,
	"modelStreamErrorException":   424,
	"modelTimeoutException":       408,
	"resourceNotFoundException":   404,
	"serviceUnavailableException": 503,
	"throttlingException":         429,
	"validationException":         400,
}

// ConverseStatus returns the HTTP status AWS documents for a ConverseStream
// exception (converseDocs); the first letter's case is ignored and an
// x-amzn-ErrorType suffix (":http://…") is dropped. originalStatus, when
// non-zero, wins for modelStreamErrorException, whose payload carries the
// model's own status. 0 means unknown.
func ConverseStatus(exception string, originalStatus int) int {
	if s := BedrockStatus(exception, originalStatus); s != 0 {
		return s
	}
	name, _, _ := strings.Cut(exception, ":")
	if name == "" {
		return 0
	}
	return converseStatus[strings.ToLower(name[:1])+name[1:]]
}

// converseStopReasons is the StopReason enum of MessageStopEvent.
var converseStopReasons = map[string]bool{
	"end_turn": true, "tool_use": true, "max_tokens": true, "stop_sequence": true,
	"guardrail_intervened": true, "content_filtered": true, "malformed_model_output": true,
	"malformed_tool_use": true, "model_context_window_exceeded": true,
}

// bedrockDetection tells the two APIs that send AWS event-stream frames
// apart: a URL path ending in /converse-stream, or a frame whose
// :event-type is a Converse event, is ConverseStream; "chunk" frames
// (base64 Anthropic JSON in "bytes") are InvokeModelWithResponseStream,
// read with Anthropic's grammar. A body that says neither (an exception
// as its first frame, no URL) stays Anthropic-on-Bedrock, as before.
func bedrockDetection(x *stream.Exchange) detection {
	d := detection{provider: ProviderAnthropic, gateway: GatewayBedrock, from: "events"}
	if x.Request != nil && isConversePath(x.Request.URL) {
		d.provider, d.from = ProviderBedrockConverse, "url"
		return d
	}
	seen := 0
	eachBedrockFrame(bodyAt{x}, x.BodyLen(), func(fr bedrockFrame) bool {
		seen++
		switch {
		case fr.messageType != "event":
		case converseEvents[fr.eventType]:
			d.provider = ProviderBedrockConverse
			return false
		case fr.eventType == "chunk":
			return false
		}
		return seen < 4
	})
	return d
}

// isConversePath reports a Bedrock runtime URL of Converse or
// ConverseStream (…/model/{id}/converse[-stream]).
func isConversePath(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	return strings.HasSuffix(p, "/converse-stream") || strings.HasSuffix(p, "/converse")
}

// converseChecker checks a ConverseStream: event order, block indexes,
// the stop reason and the two terminal events.
type converseChecker struct {
	d          *diag
	events     int
	startAt    int          // messageStart, -1
	stopAt     int          // messageStop, -1
	metaAt     int          // metadata, -1
	stopReason string       // messageStop's stopReason
	blocks     map[int]bool // content block index → still open
	errCode    string
}

// maxConverseBlocks bounds the content blocks whose order is checked.
const maxConverseBlocks = 4096

func newConverseChecker(d *diag) *converseChecker {
	return &converseChecker{d: d, startAt: -1, stopAt: -1, metaAt: -1, blocks: map[int]bool{}}
}

func (c *converseChecker) event(i int, ev *evCtx) {
	d, data, name := c.d, ev.data, ev.name
	c.events++
	if !validJSON(data) {
		d.f.add("C-data-not-json", SeverityError, "Converse event payload is not valid JSON",
			"Every Converse event frame carries one JSON object; the AWS SDKs fail to unmarshal this one.", i)
		return
	}
	if c.metaAt >= 0 && d.err == nil {
		d.f.add("C-after-metadata", SeverityError, "Events after metadata",
			fmt.Sprintf("metadata (event %d) is the last event of a ConverseStream, but more events followed.", c.metaAt+1), i)
	}
	if c.events == 1 && name != "messageStart" {
		d.f.add("C-first-event", SeverityError, "The stream does not start with messageStart",
			fmt.Sprintf("A ConverseStream starts with messageStart; the first event is %s.", quote(name)), i)
	}
	switch name {
	case "messageStart":
		if c.startAt >= 0 {
			d.f.add("C-second-message-start", SeverityError, "A second messageStart",
				fmt.Sprintf("messageStart arrived again after event %d: two responses were spliced into one stream.", c.startAt+1), i)
			return
		}
		c.startAt = i
	case "contentBlockStart", "contentBlockDelta", "contentBlockStop":
		c.block(i, name, data)
	case "messageStop":
		c.stopAt = i
		d.pin(i)
		c.stopReason = jstring(jfield(data, "stopReason"))
		c.stopFinding(i)
	case "metadata":
		c.metaAt = i
		d.pin(i)
	default:
		d.f.add("C-unknown-event", SeverityInfo, "Unknown Converse event "+quote(name),
			"ConverseStreamOutput does not list this event type; the AWS SDKs skip unknown events.", i)
	}
}

// block checks a content block event: a delta or stop for a block that
// already stopped is out of order. Text blocks have no contentBlockStart
// (only toolUse starts are sent), so a delta may open its block.
func (c *converseChecker) block(i int, name string, data []byte) {
	d := c.d
	n, ok := jint(jfield(data, "contentBlockIndex"))
	if !ok {
		d.f.add("C-block-order", SeverityError, "Content block event without contentBlockIndex",
			fmt.Sprintf("%s carries no contentBlockIndex, so no client can tell which block it belongs to.", name), i)
		return
	}
	idx := int(n)
	open, known := c.blocks[idx]
	switch {
	case c.stopAt >= 0:
		d.f.add("C-block-order", SeverityError, "Content after messageStop",
			fmt.Sprintf("%s for block %d arrived after messageStop (event %d).", name, idx, c.stopAt+1), i)
	case known && !open:
		d.f.add("C-block-order", SeverityError, fmt.Sprintf("%s for block %d after its contentBlockStop", name, idx),
			fmt.Sprintf("Block %d was already stopped, so this event belongs to no open block.", idx), i)
	case name == "contentBlockStart" && known:
		d.f.add("C-block-order", SeverityError, fmt.Sprintf("contentBlockStart for block %d twice", idx),
			fmt.Sprintf("Block %d had already started.", idx), i)
	}
	// The block table is bounded: a hostile stream naming a million
	// indexes must not grow memory with the body; past the bound, new
	// indexes go unchecked (real answers have a handful of blocks).
	track := known || len(c.blocks) < maxConverseBlocks
	if name == "contentBlockStop" {
		if track {
			c.blocks[idx] = false
		}
		return
	}
	if !known && track {
		c.blocks[idx] = true
	}
	if name == "contentBlockStart" {
		if jpath(data, "start", "toolUse") != nil {
			d.markContent(i)
		}
		return
	}
	delta := jfield(data, "delta")
	if t, _ := jstr(jfield(delta, "text")); t != "" {
		d.markContent(i)
	}
	if jfield(delta, "toolUse") != nil || jfield(delta, "reasoningContent") != nil {
		d.markContent(i)
	}
}

// stopFinding reports a stop reason that means the answer is not whole,
// or one the docs do not list.
func (c *converseChecker) stopFinding(i int) {
	d, r := c.d, c.stopReason
	switch {
	case r == "max_tokens" || r == "model_context_window_exceeded":
		d.f.add("C-stop-max-tokens", SeverityWarning, "The answer was cut by "+r,
			"messageStop says the model stopped at the token limit, so the answer is incomplete although the stream ended cleanly.", i)
	case r == "guardrail_intervened" || r == "content_filtered":
		d.f.add("C-stop-filtered", SeverityWarning, "The answer was stopped by "+r,
			"messageStop says a guardrail or content filter ended the answer: the stream is complete, the content is not.", i)
	case r == "malformed_model_output" || r == "malformed_tool_use":
		d.f.add("C-stop-malformed", SeverityWarning, "The model's output was malformed ("+r+")",
			"messageStop says the model produced output Bedrock could not parse.", i)
	case r == "":
		d.f.add("C-no-stop-reason", SeverityWarning, "messageStop without a stopReason",
			"MessageStopEvent requires stopReason; the client cannot tell why generation stopped.", i)
	case !converseStopReasons[r]:
		d.f.add("C-unknown-stop-reason", SeverityInfo, "Unknown stopReason "+quote(r),
			"MessageStopEvent's StopReason enum does not list this value.", i)
	}
}

// exception records an exception frame as the stream's error, mapped by
// the ConverseStream error table.
func (c *converseChecker) exception(i int, name, msg string, orig int) {
	if c.d.setError(i, name, msg, ConverseStatus(name, orig)) {
		c.errCode = "C-exception-frame"
	}
}

func (c *converseChecker) finish() {
	d := c.d
	last := lastEvent(d.v.Events)
	switch {
	case d.err != nil && c.errCode == "C-exception-frame":
		c.exceptionFinding()
	case d.err != nil:
		d.errorFinding(c.errCode)
	case c.stopAt >= 0 && c.metaAt >= 0:
		d.complete = true
	case d.opt.InFlight:
		// Still arriving: a missing end is no truncation yet.
	case c.stopAt >= 0 && last >= 0:
		d.f.add("C-truncated-after-stop", SeverityWarning, "Truncated after messageStop: metadata missing",
			fmt.Sprintf("messageStop (%s) arrived, so the content is probably whole, but the metadata event that ends every ConverseStream (usage, latency) never did.", orUnknownType(c.stopReason)), last)
	case last >= 0:
		d.f.add("C-truncated", SeverityError, "Truncated: no messageStop and no metadata",
			"The stream ended without messageStop, metadata or an exception: the response is incomplete.", last)
	}
}

// exceptionFinding reports the exception frame that ended the stream, in
// AWS's terms: the documented status, and what is (and is not) known of
// the SDKs that read it.
func (c *converseChecker) exceptionFinding() {
	d, e := c.d, c.d.err
	st := "a status AWS does not document for it"
	if d.errStatus != 0 {
		st = fmt.Sprint(d.errStatus)
	}
	name := orUnknownType(e.Type)
	detail := fmt.Sprintf("Event %d is a %s exception frame", e.EventIndex+1, name)
	if e.Message != "" {
		detail += fmt.Sprintf(" (%q)", oneLine(red(e.Message), 160))
	}
	detail += fmt.Sprintf(" after the server answered HTTP %d; ", d.v.HTTPStatus)
	if table := ConverseStatus(e.Type, 0); table != 0 && table != d.errStatus {
		detail += fmt.Sprintf("its originalStatusCode (the model's own status) is %s, where AWS's ConverseStream error table gives the frame %d.", st, table)
	} else {
		detail += fmt.Sprintf("AWS's ConverseStream error table gives it status %s.", st)
	}
	detail += " botocore labels every exception frame status_code 400 whatever its type (domain.md §2.5); what the other AWS SDKs report as the status is not measured."
	if e.OutputBeforeError {
		detail += " Content had already been delivered, so a retry must discard it."
	} else {
		detail += " No content was delivered before it."
	}
	d.f.add("C-exception-frame", SeverityError, fmt.Sprintf("Exception frame %s after HTTP %d: stands for %s", name, d.v.HTTPStatus, st), detail, e.EventIndex)
}

// converseSummary summarizes one Converse event frame for the timeline.
func converseSummary(eventType string, payload []byte) string {
	switch eventType {
	case "contentBlockDelta":
		delta := jfield(payload, "delta")
		if t, ok := jstr(jfield(delta, "text")); ok {
			return oneLine(red(t), summaryLimit)
		}
		if in, ok := jstr(jpath(delta, "toolUse", "input")); ok {
			return oneLine(red(in), summaryLimit)
		}
		if t, ok := jstr(jpath(delta, "reasoningContent", "text")); ok {
			return oneLine(red(t), summaryLimit)
		}
	case "contentBlockStart":
		if n := jstring(jpath(payload, "start", "toolUse", "name")); n != "" {
			return oneLine("tool "+red(n), summaryLimit)
		}
	case "messageStop":
		return oneLine(red(jstring(jfield(payload, "stopReason"))), summaryLimit)
	case "metadata":
		in, _ := jint(jpath(payload, "usage", "inputTokens"))
		out, _ := jint(jpath(payload, "usage", "outputTokens"))
		return fmt.Sprintf("in %d out %d tokens", in, out)
	}
	return ""
}

// converseFixes is the advice for the C-* findings; ok is false for any
// other code.
func converseFixes(code string, v *Verdict) ([]string, bool) {
	switch code {
	case "C-exception-frame":
		return append(errorFixes(code, v),
			"Catch what your AWS SDK raises for the frame and branch on the exception's name (the frame's :exception-type), not on a status: botocore labels every exception frame status_code 400 (domain.md §2.5); how aws-sdk-go-v2 and the JavaScript SDK surface it is not measured. Statuses by AWS's table: "+converseDocs+"."), true
	case "C-truncated", "C-truncated-after-stop":
		return []string{"Treat a ConverseStream as successful only when messageStop and then metadata arrived (or an exception frame); a stream that simply ends is incomplete. Retry the whole request if nothing was delivered (not measured with the AWS SDKs: what they raise on a cut stream)."}, true
	case "C-stop-max-tokens":
		return []string{"Raise inferenceConfig.maxTokens or ask for a shorter answer; the answer as delivered is cut."}, true
	case "C-stop-filtered":
		return []string{"Check the guardrail trace in the metadata event (trace.guardrail) to see which policy intervened; the delivered text may have been replaced by the guardrail's blocked message (Bedrock Guardrails docs)."}, true
	case "C-stop-malformed":
		return []string{"Retry, or simplify the tool schema: Bedrock could not parse the model's output."}, true
	case "C-data-not-json", "C-first-event", "C-second-message-start", "C-block-order", "C-after-metadata":
		return []string{"The stream breaks the ConverseStream grammar: if a proxy sits in between, capture upstream of it to see which side breaks it."}, true
	case "C-no-stop-reason", "C-unknown-stop-reason", "C-unknown-event":
		return []string{"Handle unknown values defensively; the AWS SDKs pass them through as strings or skip the event."}, true
	}
	return nil, false
}

// converseSDKNote is what reports say about SDKs on a ConverseStream:
// midstream's SDK tables cover the Anthropic and OpenAI SDKs, and what the
// AWS SDKs raise for these streams has not been measured.
func converseSDKNote(v *Verdict) string {
	if v.Provider != ProviderBedrockConverse {
		return ""
	}
	return "The AWS SDKs (boto3/botocore, aws-sdk-go-v2, AWS SDK for JavaScript v3) read ConverseStream; what they raise on these streams is not measured."
}

// converse applies one Converse event to the assembled message, as the
// AWS SDKs' stream readers present it: blocks by contentBlockIndex (text,
// reasoning text and signature, tool use name, id and input), stopReason
// and usage.
func (a *assembler) converse(eventType string, payload []byte) {
	m := a.m
	switch eventType {
	case "messageStart":
		m.Role = jstring(jfield(payload, "role"))
	case "contentBlockStart":
		idx, _ := jint(jfield(payload, "contentBlockIndex"))
		if tu := jpath(payload, "start", "toolUse"); tu != nil {
			b, _ := a.block(int(idx), "tool_use")
			b.ID, b.Name = jstring(jfield(tu, "toolUseId")), jstring(jfield(tu, "name"))
		}
	case "contentBlockDelta":
		idx, _ := jint(jfield(payload, "contentBlockIndex"))
		d := jfield(payload, "delta")
		switch {
		case jfield(d, "text") != nil:
			_, f := a.block(int(idx), "text")
			assemblePut(a, &f.text, jstring(jfield(d, "text")))
		case jfield(d, "toolUse") != nil:
			_, f := a.block(int(idx), "tool_use")
			assemblePut(a, &f.input, jstring(jpath(d, "toolUse", "input")))
		case jfield(d, "reasoningContent") != nil:
			_, f := a.block(int(idx), "thinking")
			rc := jfield(d, "reasoningContent")
			assemblePut(a, &f.text, jstring(jfield(rc, "text")))
			assemblePut(a, &f.sig, jstring(jfield(rc, "signature")))
		}
	case "contentBlockStop":
		idx, _ := jint(jfield(payload, "contentBlockIndex"))
		if p, ok := a.pos[int(idx)]; ok {
			m.Blocks[p].Complete = true
		}
	case "messageStop":
		m.StopReason = jstring(jfield(payload, "stopReason"))
	case "metadata":
		if n, ok := jint(jpath(payload, "usage", "inputTokens")); ok {
			m.Usage.InputTokens = n
		}
		if n, ok := jint(jpath(payload, "usage", "outputTokens")); ok {
			m.Usage.OutputTokens = n
		}
	}
}

// docRetryable applies what a provider's docs say about retrying an error
// whose status alone misjudges it: ConverseStream's
// modelStreamErrorException (424) is documented "A streaming error
// occurred. Retry your request." (API_runtime_ConverseStreamOutput), and
// Groq's 498 capacity_exceeded asks to try again later (Groq docs,
// errors). It runs after outcome has set Retryable from the status.
func (d *diag) docRetryable() {
	e := d.v.Error
	if e == nil || e.EventIndex < 0 {
		return
	}
	switch {
	case d.v.Provider == ProviderBedrockConverse && strings.EqualFold(e.Type, "modelStreamErrorException") && d.errStatus == 424:
		e.Retryable = true
	case d.v.Host == HostGroq && d.errStatus == 498:
		e.Retryable = true
	}
}

// converseGrammar is the ConverseStream dialect. Its events come from
// binary frames (decodeBedrock), never from SSE, so it recognises no SSE
// shape and its frames are summarised and assembled from the frames
// themselves (bedrockSummary, Assemble).
type converseGrammar struct{}

func (converseGrammar) id() dialect                             { return dialectConverse }
func (converseGrammar) name() string                            { return "bedrock-converse" }
func (converseGrammar) terminator() string                      { return "messageStop and metadata" }
func (converseGrammar) owns(p Provider) bool                    { return p == ProviderBedrockConverse }
func (converseGrammar) detect(*sniffed) (detection, bool)       { return detection{}, false }
func (converseGrammar) checker(d *diag) checker                 { return newConverseChecker(d) }
func (converseGrammar) summary(_, _ string, data []byte) string { return rawSummary(data) }
func (converseGrammar) assemble(*assembler, []byte)             {}

// errorOf: Converse errors are exception frames, read by decodeBedrock;
// no event data carries one.
func (converseGrammar) errorOf(_, _ string, _ []byte) (errInfo, bool) { return errInfo{}, false }
