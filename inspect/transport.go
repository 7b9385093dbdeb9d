package inspect

import (
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// defaultStall is the gap between events above which a stall is reported
// when Options.StallThreshold is 0.
const defaultStall = 10 * time.Second

// httpErr is what an HTTP error body says.
type httpErr struct {
	typ, message string
	status       int // status the body's type stands for, 0 when unknown
	spendCap     bool
	requestID    string
}

// parseHTTPErrorBody reads the error documents providers send instead of
// a stream: Anthropic's {"type":"error","error":{type,message}}, Google's
// envelope (Vertex; an object or a one-element array) with a numeric code
// and a status name, OpenAI's {"error":{message,type,code}}, xAI's
// {"code":…,"error":"…"}, and Bedrock's
// {"message":…} with the exception in the x-amzn-ErrorType header.
func parseHTTPErrorBody(body []byte, x *stream.Exchange) httpErr {
	var he httpErr
	doc := body
	if el := jfirstElem(body); el != nil {
		doc = el // Vertex: [{"error":{…}}]
	}
	e := jfield(doc, "error")
	switch {
	case isObject(e):
		he.message = jstring(jfield(e, "message"))
		he.requestID = jstring(jfield(doc, "request_id"))
		he.spendCap = jstring(jpath(e, "details", "error_code")) == "enforced_spend_limit_reached"
		t := jstring(jfield(e, "type"))
		code := jfield(e, "code")
		status := jstring(jfield(e, "status"))
		switch {
		case AnthropicStatus(t) != 0:
			he.typ, he.status = t, AnthropicStatus(t)
		case status != "": // Google: {"code":429,"status":"RESOURCE_EXHAUSTED"}
			he.typ = status
			if n, ok := jint(code); ok {
				he.status = int(n)
			}
		case t != "" || code != nil:
			he.typ = t
			c := jstring(code)
			if c == "" {
				c = string(code)
			}
			if he.typ == "" {
				he.typ = c
			}
			if c == "null" {
				c = ""
			}
			he.status = OpenAIStatus(c, t)
		}
	case len(e) > 0 && e[0] == '"':
		// xAI: {"code": a gRPC status description, "error": the message}.
		he.message = jstring(e)
		he.typ = jstring(jfield(doc, "code"))
		he.status = xaiCodeStatus(he.typ)
	case jfield(doc, "message") != nil || jfield(doc, "Message") != nil:
		he.message = jstring(jfield(doc, "message"))
		if he.message == "" {
			he.message = jstring(jfield(doc, "Message"))
		}
		if x != nil && x.Response != nil {
			if t := x.Response.Header.Get("X-Amzn-Errortype"); t != "" {
				he.typ, _, _ = strings.Cut(t, ":")
				he.status = BedrockStatus(he.typ, 0)
			}
		}
	}
	return he
}

// httpError fills the verdict of a non-2xx response: the stream never
// started, so the status is shown as it is and the body says why.
func (d *diag) httpError() {
	v, x := d.v, d.x
	v.Outcome = OutcomeHTTPError
	body := docBody(x)
	he := parseHTTPErrorBody(body, x)
	d.errStatus = v.HTTPStatus
	if he.status != 0 {
		d.errStatus = he.status
	}
	if he.requestID != "" && v.RequestID == "" {
		v.RequestID = he.requestID
	}
	v.Error = &StreamError{Type: he.typ, Message: he.message, EventIndex: -1}
	var h = x.Response
	p := retryPolicy{status: v.HTTPStatus, spendCap: he.spendCap || quotaExhausted(he.typ),
		transient429: v.Provider == ProviderOpenRouter || bodySaysRetry(he.message)}
	if h != nil {
		_, p.retryAfter = retryAfter(h.Header)
		p.shouldRtry = h.Header.Get("X-Should-Retry")
	}
	v.Error.Retryable = retryable(p)

	what := fmt.Sprintf("HTTP %d", v.HTTPStatus)
	detail := fmt.Sprintf("The server answered %s before any stream started", what)
	if he.typ != "" {
		detail += fmt.Sprintf(", with %s", he.typ)
		if he.message != "" {
			detail += fmt.Sprintf(" (%q)", he.message)
		}
	}
	detail += ". SDKs raise this as an ordinary HTTP error, and their built-in retry applies to it."
	if he.status != 0 && he.status != v.HTTPStatus {
		detail += fmt.Sprintf(" The body's type stands for %d, not %d.", he.status, v.HTTPStatus)
	}
	d.f.add("H-http-error", SeverityError, what+" before the stream started", detail)

	if he.spendCap {
		d.spendCapFinding(-1)
	}
	if h == nil {
		return
	}
	if ra, ok := retryAfter(h.Header); ok {
		d.f.add("H-retry-after", SeverityInfo, fmt.Sprintf("retry-after: wait %s", ra),
			"The response says how long to wait before retrying; the official SDKs honour it (Python only when it is at most 60 s).")
	} else if v.HTTPStatus == 429 && !he.spendCap {
		d.f.add("H-no-retry-after", SeverityWarning, "429 without retry-after",
			"A normal rate-limit 429 carries retry-after; without it the SDKs fall back to short exponential backoff (0.5 s × 2^n, capped at 8 s), which may be too short.")
	}
	if s := strings.TrimSpace(h.Header.Get("X-Should-Retry")); s != "" {
		d.f.add("H-should-retry", SeverityInfo, "x-should-retry: "+s,
			fmt.Sprintf("The server says whether to retry; the Python, TypeScript, Go and Java SDKs check this header first, so it decides their retry (%s) whatever the status.", map[bool]string{true: "they retry", false: "they do not"}[strings.EqualFold(s, "true")]))
	}
}

// compressed flags a compressed event stream, but only with timing
// evidence that the compressor held events back: the decoded events all
// arrived in one burst at the end (T-buffered), or, for a gzip body kept
// as wire bytes, every compressed chunk did. An untimed capture shows
// nothing of the kind, so a Content-Encoding alone is no finding.
func (d *diag) compressed() {
	v, x := d.v, d.x
	if x.Response == nil || v.Outcome == OutcomeHTTPError || v.EventCount == 0 {
		return
	}
	enc := strings.ToLower(strings.TrimSpace(x.Response.Header.Get("Content-Encoding")))
	if enc == "" || enc == "identity" {
		return
	}
	evidence := ""
	switch w := d.wire; {
	case d.f.has("T-buffered"):
		evidence = "all events arrived in one burst at the end"
	case w != nil && w != x && w.Timed:
		first, last, ok := w.ChunkTimes()
		if ok && last-first <= 20*time.Millisecond && first >= time.Second {
			evidence = fmt.Sprintf("the compressed body arrived in one burst %s after the request started", first.Round(time.Millisecond))
		}
	}
	if evidence == "" {
		return
	}
	d.f.add("T-compressed", SeverityWarning, "The event stream is compressed ("+enc+") and arrived in one burst",
		"Content-Encoding: "+enc+" on an event stream lets the compressor hold back events until its buffer fills, and the timing shows it: "+evidence+".")
}

// transport adds the checks on headers, framing and how the body ended.
func (d *diag) transport() {
	v, x := d.v, d.x
	if x.Response != nil && v.Outcome != OutcomeHTTPError {
		h := x.Response.Header
		ct := h.Get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		switch {
		case ct == "":
			d.f.add("T-content-type-missing", SeverityWarning, "No Content-Type on the stream",
				"The 2xx response has no Content-Type header. SDKs pick their SSE decoder from `text/event-stream`; without it some treat the body as JSON and fail.")
		case mt == "application/vnd.amazon.eventstream" && v.Gateway == GatewayBedrock:
			// Bedrock's binary event stream is labelled correctly.
		case mt == "application/json" && d.arrayForm:
			// A streamed JSON array (Gemini without alt=sse) is JSON.
		case mt != "text/event-stream":
			d.f.add("T-content-type-wrong", SeverityWarning, "Content-Type is "+mt+", not text/event-stream",
				"The body is an event stream but is labelled "+ct+". SDKs and browsers pick their SSE decoder from the Content-Type; a proxy may also buffer or rewrite a body it thinks is "+mt+".")
		}
	}
	switch r := x.End.Reason; {
	case v.Outcome == OutcomeNoResponse || v.Outcome == OutcomeCanceled:
		d.noResponseFinding()
	case transportFailed(r) && v.Outcome == OutcomeTransportError:
		sev, title := SeverityError, map[stream.EndReason]string{
			stream.EndReset:      "The connection was reset mid-stream",
			stream.EndTimeout:    "The stream timed out",
			stream.EndCanceled:   "The stream was cancelled by the client",
			stream.EndError:      "A transport error ended the stream",
			stream.EndIncomplete: "The capture was cut before the stream ended",
		}[r]
		if r == stream.EndCanceled || r == stream.EndIncomplete {
			sev = SeverityWarning
		}
		detail := fmt.Sprintf("The body ended with %s after %d event%s", endPhrase[r], v.EventCount, plural(v.EventCount))
		if x.End.Err != "" {
			detail += ": " + oneLine(stream.RedactText(x.End.Err), 200)
		}
		if r == stream.EndIncomplete {
			// The recorder stopped, not necessarily the stream: say so
			// rather than predicting what an SDK raised.
			detail += ". What the stream sent after that point is not in the capture."
		} else {
			detail += ". No terminator and no error event arrived, so the response is incomplete; SDKs raise a connection error here."
		}
		d.f.add("T-transport-"+string(r), sev, title, detail)
	case transportFailed(r) && v.Outcome == OutcomeComplete && r != stream.EndIncomplete:
		d.f.add("T-end-after-complete", SeverityInfo, "The connection ended with "+endPhrase[r]+" after the stream completed",
			"The terminator arrived first, so the response is whole; the connection was closed uncleanly afterwards.")
	}
}

// timing fills v.Timing for timed captures and adds stall and buffering
// findings.
func (d *diag) timing() {
	v, x := d.v, d.x
	first, last, ok := x.ChunkTimes()
	if !x.Timed || !ok {
		return
	}
	t := &Timing{MaxGapAfter: -1}
	t.TTFB = first
	if x.Response != nil && x.Response.At > 0 {
		t.TTFB = x.Response.At
	}
	if d.firstContent >= 0 {
		t.FirstContent = d.firstContentAt
	}
	t.Duration = last
	if x.End.At > t.Duration {
		t.Duration = x.End.At
	}
	t.MaxGap, t.MaxGapAfter = d.tacc.maxGap, d.tacc.maxGapAfter
	v.Timing = t
	d.stalls()
	d.buffered()
}

// stalls reports gaps without progress above the threshold, telling apart
// silent gaps from gaps the server filled with keepalives (comments or
// pings): the first look like a dead connection, the second like a model
// or upstream that stopped producing while the edge kept the socket open.
// The gaps between events were measured in the pass (timingAcc); the one
// from the last event to a transport failure is measured here.
func (d *diag) stalls() {
	ta := d.tacc
	if d.v.Outcome == OutcomeTransportError && d.x.End.At > 0 {
		ta.keep += d.trailingComments
		ta.check(ta.n-1, d.x.End.At)
	}
	limit := ta.limit
	if len(ta.silent) > 0 {
		d.f.add("T-stall", SeverityWarning, fmt.Sprintf("Stalled for %s with nothing on the wire", ta.silentMax.Round(time.Millisecond)),
			fmt.Sprintf("%d gap(s) between events exceeded %s with no keepalive in between, which is what a dead connection or an idle-timeout at a proxy looks like.", ta.silentN, limit), ta.silent...)
	}
	if len(ta.kept) > 0 {
		d.f.add("T-stall-keepalive", SeverityWarning, fmt.Sprintf("No progress for %s, only keepalives", ta.keptMax.Round(time.Millisecond)),
			fmt.Sprintf("%d gap(s) exceeded %s in which only pings or comment lines arrived: the connection was alive but nothing was generated.", ta.keptN, limit), ta.kept...)
	}
}

// buffered detects a proxy that held the stream back: at least four
// events, all arriving within 20 ms of each other (in practice in one
// read) and at least a second after the request started, so the client
// saw nothing until everything arrived at the end. A real stream spreads
// its events over the generation time; a short answer can arrive in one
// burst, hence the event and delay minimums.
func (d *diag) buffered() {
	n := d.tacc.n
	if n < 4 {
		return
	}
	first, last := d.tacc.first, d.tacc.prev
	if last-first > 20*time.Millisecond || first < time.Second {
		return
	}
	d.f.add("T-buffered", SeverityWarning, "All events arrived at once, at the end",
		fmt.Sprintf("All %d events arrived in one burst %s after the request started: something between the API and the client buffered the stream, so the client saw no tokens until the end (and its idle timeouts saw no activity).", n, first.Round(time.Millisecond)),
		0, n-1)
}

// spendCapFinding reports the spend-cap 429 (domain.md §1.1): it has no
// retry-after and keeps failing until the cap resets.
func (d *diag) spendCapFinding(event int) {
	var ev []int
	if event >= 0 {
		ev = []int{event}
	}
	d.f.add("H-spend-cap", SeverityError, "Spend cap reached: retrying cannot succeed",
		"error.details.error_code is enforced_spend_limit_reached: the monthly spend cap of the tier was hit. It has no retry-after and keeps failing until the cap resets.", ev...)
}

// endPhrase words an EndReason for a sentence ("ended with a connection reset").
var endPhrase = map[stream.EndReason]string{
	stream.EndReset:      "a connection reset",
	stream.EndTimeout:    "a timeout",
	stream.EndCanceled:   "a cancellation by the client",
	stream.EndError:      "a transport error",
	stream.EndIncomplete: "the capture cut off",
}

// maxGunzip bounds how much a compressed body may expand to.
const maxGunzip = 512 << 20

// gunzipped returns a copy of x whose body is decompressed when the
// response says Content-Encoding: gzip and the body really is gzip (a
// recording proxy or `curl -i` without --compressed keeps the wire bytes),
// so the events can be read and T-compressed can say why they came in
// bursts. It returns nil when there is nothing to decompress. Offsets then
// refer to the decompressed body, and chunk times no longer map onto it.
func gunzipped(x *stream.Exchange) *stream.Exchange {
	if x.Response == nil || !strings.EqualFold(strings.TrimSpace(x.Response.Header.Get("Content-Encoding")), "gzip") {
		return nil
	}
	if p := x.BodyPrefix(2); len(p) < 2 || p[0] != 0x1f || p[1] != 0x8b {
		return nil
	}
	zr, err := gzip.NewReader(x.BodyReader())
	if err != nil {
		return nil
	}
	// Bounded: a capture is untrusted input, and a gzip bomb must not
	// take the machine down. The bytes go to a spool, not to memory.
	_, last, _ := x.ChunkTimes()
	body := stream.NewSpool()
	n, err := io.Copy(body.Writer(last), io.LimitReader(zr, maxGunzip))
	if err == nil && n == maxGunzip {
		var one [1]byte
		if k, _ := zr.Read(one[:]); k > 0 {
			err = fmt.Errorf("larger than %d MiB", maxGunzip>>20)
		}
	}
	note := "the body is gzip-compressed (Content-Encoding: gzip); events were read from the decompressed bytes"
	if err != nil {
		note += fmt.Sprintf(" (decompression stopped after %d bytes: %v)", n, err)
	}
	y := *x
	y.Chunks, y.Spool = nil, body
	y.Timed = false
	y.Notes = append(append([]string(nil), x.Notes...), note)
	return &y
}

// noResponseFinding explains an exchange that got no HTTP response, or
// that the user cancelled: neither is a stream that failed, so neither is
// a mismatch.
func (d *diag) noResponseFinding() {
	v, e := d.v, d.x.End
	why := ""
	if e.Err != "" {
		why = ": " + oneLine(stream.RedactText(e.Err), 200)
	}
	switch {
	case v.Outcome == OutcomeCanceled && d.x.Response == nil:
		d.f.add("T-canceled-by-user", SeverityInfo, "Cancelled by you before the response",
			"You stopped the request (Ctrl-C, or quitting the inspector) before any response arrived; nothing failed on the server's side.")
	case v.Outcome == OutcomeCanceled:
		d.f.add("T-canceled-by-user", SeverityInfo, "Cancelled by you",
			fmt.Sprintf("You stopped the stream (Ctrl-C, or quitting the inspector) after %d event%s; the stream itself did not fail, so there is no verdict on how it would have ended.", v.EventCount, plural(v.EventCount)))
	default:
		d.f.add("T-no-response", SeverityError, "No HTTP response: "+faultClass(e.Err),
			"The request got no response at all"+why+". There is no HTTP status and no stream, so nothing to compare: SDKs raise their connection error here (see the SDK answer), and their built-in retry applies.")
	}
}

// faultClass is the fault class that starts an End.Err written by
// stream.ClassifyTransportError ("connection refused", "DNS failure", …),
// or "transport error" when there is none.
func faultClass(err string) string {
	if i := strings.Index(err, ": "); i > 0 {
		return err[:i]
	}
	if err != "" {
		return err
	}
	return stream.FaultOther
}
