package inspect

import (
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// diag is the working state of one Diagnose call.
type diag struct {
	x    *stream.Exchange
	wire *stream.Exchange // x as captured, before any gunzip
	v    *Verdict
	opt  Options
	f    *findings
	chk  checker

	cur              evCtx             // the event being checked (reused)
	ev               *eventsBuilder    // the timeline being built
	tacc             timingAcc         // timing figures over every event
	dialect          dialect           // how the checker's events are summarized
	ci               stream.ChunkIndex // arrival times, for timed captures
	types            map[string]string
	lastTypes        [4]string // recent internType results, checked first
	lastNext         int
	decodeErr        error
	trailingComments int

	// Set by the checker.
	complete       bool          // the provider's terminator arrived (message_stop, [DONE], response.completed)
	firstContent   int           // index of the first event that delivered content, -1 when none
	firstContentAt time.Duration // its arrival time
	err            *StreamError
	errStatus      int    // status the error stands for, 0 when unknown
	errSpendCap    bool   // error.details.error_code == enforced_spend_limit_reached
	errRequestID   string // request_id carried in the error body
	model          string // from the stream (message_start, chunk model)

	// An error frame cut before its blank line: no client dispatches
	// it, but its bytes still say what went wrong.
	cutAt       int    // index of the frame cut before its blank line, -1
	cutType     string // its data.type, "[DONE]" for a cut [DONE]
	cutErr      *StreamError
	cutStatus   int
	cutSpendCap bool

	tailMemo  *rawTailMemo // rawTail's last answer
	lastEnd   int64        // body offset just past the last dispatched event
	arrayForm bool         // the body is a streamed JSON array (jsonarray.go)
}

// Diagnose decodes x and returns its verdict: provider, both statuses and
// whether they disagree, how the stream ended, the error it carried, the
// timeline, timing and every finding with its fixes. It never fails: a
// capture that cannot be understood is itself a finding.
func Diagnose(x *stream.Exchange, opt Options) *Verdict {
	wire := x
	if y := gunzipped(x); y != nil {
		x = y
	}
	d, det := newDiag(x, opt)
	d.wire = wire
	v := d.v
	switch {
	case errorBodyNotStream(x, v.HTTPStatus):
		// A non-2xx body is an error document: decoding it as SSE would
		// only invent a cut "event" from the JSON.
	case det.gateway == GatewayBedrock && looksLikeEventStream(x.BodyPrefix(16)):
		d.decodeBedrock()
	case det.dialect == dialectGemini && jsonArrayBody(x):
		d.decodeJSONArray()
	default:
		d.decode()
	}
	d.chk.finish()
	d.rawTailAfterEnd()
	if v.Provider == ProviderOpenAIChat && d.openRouterSeen() {
		v.Provider = ProviderOpenRouter
	}

	d.request()
	d.outcome()
	d.docRetryable()
	d.transport()
	d.timing()
	d.compressed()

	if v.Outcome == OutcomeErrorEvent || v.Outcome == OutcomeHTTPError {
		v.MappedStatus = d.errStatus
	}
	if e := v.Error; e != nil && e.Type != "overloaded_error" && strings.Contains(strings.ToLower(e.Message), "overloaded") {
		var ev []int
		if e.EventIndex >= 0 {
			ev = []int{e.EventIndex}
		}
		d.f.add("E-overloaded-message", SeverityInfo, "The message says overloaded, the type says "+orUnknownType(e.Type),
			fmt.Sprintf("%s with message %q is an overload in disguise (seen as HTTP 500 api_error \"Overloaded\", claude-code #4248); retry logic keyed on the type or status alone misses it.", orUnknownType(e.Type), oneLine(red(e.Message), 80)), ev...)
	}
	v.Mismatch = mismatch(v)
	v.Findings = d.f.list(v)
	v.SDK = SDKFor(v, opt)
	return v
}

// newDiag starts the diagnosis of x: provider, HTTP status and checker.
func newDiag(x *stream.Exchange, opt Options) (*diag, detection) {
	v := &Verdict{Source: x.Source, Exchange: x}
	d := &diag{x: x, v: v, opt: opt, f: newFindings(), types: make(map[string]string, 32), firstContent: -1, cutAt: -1}
	d.ev = newEventsBuilder(x, newTypeTable(), opt.Window)
	if w := d.ev.window; w > 0 {
		d.f.pin = func(i int, context bool) {
			if context {
				d.ev.pin(i, w, w)
			} else {
				d.ev.pin(i, 0, 0)
			}
		}
		d.tacc = newTimingAcc(opt.StallThreshold, func(i int) { d.ev.pin(i, w, w) })
	} else {
		d.tacc = newTimingAcc(opt.StallThreshold, nil)
	}
	det := detectProvider(x)
	v.Provider, v.Gateway = det.provider, det.gateway
	v.Host = detectHost(x)

	switch {
	case x.Response != nil:
		v.HTTPStatus = x.Response.Status
	case noResponse(x), opt.InFlight && x.Request != nil:
		// A recorded failure before the headers, or a request still
		// waiting for them: there is no status, and none may be assumed.
	case opt.Status != 0:
		v.HTTPStatus = opt.Status
	default:
		v.HTTPStatus, v.HTTPStatusAssumed = 200, true
	}
	d.dialect = det.dialect
	d.chk = d.newChecker()
	if x.Timed {
		d.ci = stream.NewChunkIndex(x)
	}
	return d, det
}

// errorBodyNotStream reports a non-2xx response whose body is not labelled
// as an event stream.
func errorBodyNotStream(x *stream.Exchange, status int) bool {
	if status >= 200 && status <= 299 {
		return false
	}
	if x.Response == nil {
		return true
	}
	mt, _, _ := mime.ParseMediaType(x.Response.Header.Get("Content-Type"))
	return mt != "text/event-stream"
}

// mismatch is the rule of issue #3: HTTP 2xx but the stream failed, or
// the status the stream stands for differs from the HTTP status.
func mismatch(v *Verdict) bool {
	if v.HTTPStatus >= 200 && v.HTTPStatus <= 299 {
		switch v.Outcome {
		case OutcomeErrorEvent, OutcomeTruncated, OutcomeTransportError:
			return true
		}
	}
	return v.MappedStatus != 0 && v.MappedStatus != v.HTTPStatus
}

// markContent records that event i delivered content (text, thinking or
// tool payload): an error after it cannot be retried without discarding
// that output.
func (d *diag) markContent(i int) {
	if d.firstContent < 0 {
		d.firstContent = i
	}
}

// pin keeps event i and a few on each side on a windowed timeline: an
// event a report may centre on (error, terminator) that no finding lists
// while the pass runs.
func (d *diag) pin(i int) {
	if w := d.ev.window; w > 0 {
		d.ev.pin(i, w, w)
	}
}

// cutTerminator reports whether the frame cut before its blank line is
// the provider's terminator (name: message_stop, [DONE],
// response.completed): its bytes arrived, but no client dispatched it.
func (d *diag) cutTerminator(name string) bool { return d.cutAt >= 0 && d.cutType == name }

// cutNote is the sentence truncation findings add when the last frame was
// cut before its blank line: the bytes arrived, the event did not.
func (d *diag) cutNote() string {
	if d.cutAt < 0 {
		return ""
	}
	what := "a frame"
	if d.cutType != "" {
		what = d.cutType
	}
	return fmt.Sprintf(" Event %d (%s) arrived without its terminating blank line, so no client dispatched it.", d.cutAt+1, what)
}

// setError records the stream's first error; later ones are ignored.
func (d *diag) setError(i int, typ, msg string, status int) bool {
	if d.err != nil {
		return false
	}
	d.err = &StreamError{Type: typ, Message: msg, EventIndex: i, OutputBeforeError: d.firstContent >= 0 && d.firstContent < i}
	d.errStatus = status
	d.pin(i)
	return true
}

// request fills the request info, model and request id.
func (d *diag) request() {
	v, x := d.v, d.x
	model := ""
	if x.Request != nil {
		// The model is named near the start: a prefix serves a huge
		// spooled upload without reading it whole.
		if b := x.Request.BodyPrefix(1 << 20); len(b) > 0 {
			model = jstring(jfield(b, "model"))
		}
	}
	if model == "" {
		model = d.model
	}
	v.Model = model
	if x.Request != nil {
		v.Request = &RequestInfo{Method: x.Request.Method, URL: stream.RedactURL(x.Request.URL), Model: model}
	}
	if id := HeaderRequestID(x.Response); id != "" {
		v.RequestID = id
		return
	}
	v.RequestID = d.errRequestID
}

// requestIDHeaders are the response headers that carry a request id:
// Anthropic, OpenAI (and its openai-request-id alias), OpenRouter's
// generation id, and Bedrock.
var requestIDHeaders = []string{"Request-Id", "X-Request-Id", "Openai-Request-Id", "X-Generation-Id", "X-Amzn-Requestid"}

// HeaderRequestID returns the request id in the response headers, "" when
// there is none (or no response). The UI shows it before a verdict exists.
func HeaderRequestID(r *stream.Response) string {
	if r == nil {
		return ""
	}
	for _, k := range requestIDHeaders {
		if id := r.Header.Get(k); id != "" {
			return id
		}
	}
	return ""
}

// outcome decides how the exchange ended and fills v.Error.
func (d *diag) outcome() {
	v, x := d.v, d.x
	if noResponse(x) {
		v.Outcome = OutcomeNoResponse
		if x.End.ByUser() {
			v.Outcome = OutcomeCanceled
		}
		return
	}
	if v.HTTPStatus != 0 && (v.HTTPStatus < 200 || v.HTTPStatus > 299) {
		d.httpError()
		return
	}
	if x.BodyMissing {
		v.Outcome = OutcomeEmpty
		d.f.add("H-body-missing", SeverityWarning, "The capture kept no response body",
			"The capture format recorded this exchange without its body (mitmproxy's HAR export of a streamed flow does this), so the stream cannot be checked. Re-capture with `midstream proxy` or a raw SSE dump.")
		return
	}
	switch {
	case d.err != nil:
		v.Outcome = OutcomeErrorEvent
	case d.complete:
		v.Outcome = OutcomeComplete
	case x.End.ByUser():
		v.Outcome = OutcomeCanceled
	case transportFailed(x.End.Reason):
		v.Outcome = OutcomeTransportError
	case d.decodeErr != nil:
		v.Outcome = OutcomeTransportError
		d.f.add("S-decode-error", SeverityError, "The body could not be read to the end", d.decodeErr.Error())
	case d.opt.InFlight:
		d.inFlight()
	case v.EventCount == 0 || notSSE(v):
		if errJSONBody(d) {
			return
		}
		v.Outcome = OutcomeEmpty
		if d.trailingComments > 0 {
			d.f.add("S-no-events", SeverityWarning, "Only keepalive comments, no events",
				fmt.Sprintf("The body held %d comment line(s) and no event before it ended.", d.trailingComments))
		} else {
			d.f.add("S-no-events", SeverityWarning, "The stream carried no events",
				"The body ended before a single event was dispatched.")
		}
	default:
		v.Outcome = OutcomeTruncated
	}
	e, status, spendCap := d.err, d.errStatus, d.errSpendCap
	if e == nil && d.cutErr != nil && (v.Outcome == OutcomeTruncated || v.Outcome == OutcomeTransportError) {
		// No client saw the cut error frame, so the stream ended cut
		// (the outcome stays truncated), but its type still says which
		// status the failure stands for.
		e, status, spendCap = d.cutErr, d.cutStatus, d.cutSpendCap
		v.MappedStatus = status
	}
	if e != nil {
		v.Error = e
		if spendCap {
			d.spendCapFinding(e.EventIndex)
		}
		spent := spendCap || quotaExhausted(e.Type)
		v.Error.Retryable = retryable(retryPolicy{status: status, spendCap: spent, inStream: true})
		if status == 0 {
			v.Error.Retryable = false
		}
	}
}

// inFlightCodes are the findings that only say the body has not ended
// (yet): a snapshot of a body still arriving drops them.
var inFlightCodes = []string{
	"S-unterminated-event", "S-unterminated-error", "S-no-events",
	"A-W11-truncated-mid-block", "A-W11-truncated-after-delta", "A-W11-truncated-between-blocks",
	"O-truncated", "O-truncated-after-finish", "R-truncated",
	"GM-truncated", "S-array-unclosed",
}

// inFlight marks a snapshot of a body still arriving, with neither an
// error nor a terminator yet: OutcomeInFlight, without the findings that
// would call the missing end a truncation.
func (d *diag) inFlight() {
	d.v.Outcome = OutcomeInFlight
	for _, c := range inFlightCodes {
		d.f.remove(c)
	}
}

// notSSE reports whether the only "event" is a frame cut at EOF that
// carried no data: what the decoder makes of a body that is not SSE at all
// (a JSON document has no blank line and no data field).
func notSSE(v *Verdict) bool {
	if v.EventCount != 1 {
		return false
	}
	e := v.Events.Meta(0)
	return e.Unterminated && e.DataType == ""
}

// errJSONBody handles a 2xx body that is a JSON error document rather
// than SSE: it is an error before any stream, whatever the status says.
func errJSONBody(d *diag) bool {
	body := docBody(d.x)
	if !json.Valid(body) {
		return false
	}
	he := parseHTTPErrorBody(body, nil)
	if he.typ == "" && he.message == "" {
		return false
	}
	d.v.Outcome = OutcomeHTTPError
	d.v.Error = &StreamError{Type: he.typ, Message: he.message, EventIndex: -1}
	d.f.remove("S-unterminated-event") // the "event" was the JSON document
	d.errStatus = he.status
	if he.status != 0 {
		// Clients that read the body as an error (the Vercel AI SDK for
		// xAI's) retry it as its status says.
		d.v.Error.Retryable = retryable(retryPolicy{status: he.status, spendCap: he.spendCap || quotaExhausted(he.typ)})
	}
	d.f.add("H-json-error-body", SeverityError, "The body is a JSON error, not an event stream",
		fmt.Sprintf("The %d response carries %s instead of SSE events; clients that only read events see an empty stream.", d.v.HTTPStatus, orUnknown(he.typ)))
	return true
}

// maxDocBody is how much of a body is read as one JSON document (an
// error body): real ones are a few hundred bytes, and a body past this
// is no error document worth holding in memory.
const maxDocBody = 4 << 20

// docBody returns the body of x for reading as one JSON document, cut at
// maxDocBody (a cut document is then not valid JSON).
func docBody(x *stream.Exchange) []byte { return x.BodyPrefix(maxDocBody) }

// noResponse reports a request that got no HTTP response at all: a
// recorded request that ended with a transport failure (refused, DNS, TLS,
// timeout, reset, cancelled) before any header or body byte. A capture
// that simply lacks a status line (a bare SSE body, EndEOF or unknown)
// is not one, nor a recorder killed mid-way (EndIncomplete).
func noResponse(x *stream.Exchange) bool {
	return x.Response == nil && x.Request != nil && x.End.Reason != stream.EndIncomplete &&
		transportFailed(x.End.Reason) && x.BodyLen() == 0
}

func transportFailed(r stream.EndReason) bool {
	switch r {
	case stream.EndReset, stream.EndTimeout, stream.EndCanceled, stream.EndError, stream.EndIncomplete:
		return true
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "an error of unknown type"
	}
	return s
}

// openRouterSeen reports OpenRouter markers that only show up mid-stream.
func (d *diag) openRouterSeen() bool {
	if c, ok := d.chk.(*chatChecker); ok {
		return c.openRouter && d.v.Gateway != GatewayPortkey
	}
	return false
}
