package inspect

import (
	"fmt"
	"time"
)

// A raw JSON error tail: bytes after the last SSE event that form no SSE
// frame but parse as {"error":…}. Gemini sends one when it sheds Flex-tier
// load mid-stream: the HTTP 200 stream stops after a few chunks and the
// body ends with a pretty-printed
//
//	{
//	  "error": {
//	    "code": 503,
//	    "message": "This model is currently experiencing high demand. …",
//	    "status": "UNAVAILABLE"
//	  }
//	}
//
// (llmgateway PR #3616; bifrost PR #5262 saw 429 RESOURCE_EXHAUSTED the
// same way). Its lines hold no data field, so a WHATWG SSE parser
// dispatches nothing: the client sees a stream that
// simply stopped. Line-based readers that try each line as JSON see it
// (bifrost #5262 reassembles it), and so do the Gen AI SDKs (measured:
// sdk_gemini.go).
// It is recognised here for every dialect, like an error frame cut before
// its blank line: the outcome stays truncated, and the error's type and
// status come from the raw bytes.

// maxRawTail bounds the tail read as one JSON document: real ones are a
// few hundred bytes.
const maxRawTail = 64 << 10

// rawTail returns the raw JSON error after the last dispatched event: its
// body offset and bytes (trimmed); ok is false when the tail is empty,
// too long, not JSON or no error.
func (d *diag) rawTail() (off int64, data []byte, ok bool) {
	// The decoding pass asks once at a data-less cut frame and again
	// when it ends: read and validate the tail once per body state.
	if m := d.tailMemo; m != nil && m.from == d.lastEnd && m.to == d.x.BodyLen() {
		return m.off, m.data, m.ok
	}
	off, data, ok = d.readRawTail()
	d.tailMemo = &rawTailMemo{from: d.lastEnd, to: d.x.BodyLen(), off: off, data: data, ok: ok}
	return off, data, ok
}

// rawTailMemo is rawTail's answer for the body between from and to.
type rawTailMemo struct {
	from, to, off int64
	data          []byte
	ok            bool
}

// readRawTail reads and validates the bytes after the last dispatched
// event (rawTail).
func (d *diag) readRawTail() (off int64, data []byte, ok bool) {
	x := d.x
	n := x.BodyLen() - d.lastEnd
	if d.lastEnd == 0 || n <= 0 || n > maxRawTail {
		// No event before it: a body that is only a JSON error is an
		// error document (errJSONBody), not a tail.
		return 0, nil, false
	}
	b := make([]byte, n)
	if k, _ := x.ReadBodyAt(b, d.lastEnd); int64(k) < n {
		return 0, nil, false
	}
	lo, hi := 0, len(b)
	for lo < hi && isJSONSpace(b[lo]) {
		lo++
	}
	for hi > lo && isJSONSpace(b[hi-1]) {
		hi--
	}
	b = b[lo:hi]
	if len(b) == 0 || b[0] != '{' && b[0] != '[' || !validJSON(b) {
		return 0, nil, false
	}
	if !isObject(jfield(rawErrorDoc(b), "error")) {
		return 0, nil, false
	}
	return d.lastEnd + int64(lo), b, true
}

// rawErrorDoc is the object of a raw error: b itself, or the first
// element of an array (Google's array form wraps its error: [{"error":…}]).
func rawErrorDoc(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		return jfirstElem(b)
	}
	return b
}

// rawTailError reads a raw error document: Google's shape (a google.rpc
// status name) by Google's table, else as the dialect reads an error
// event, else as a generic error object.
func (d *diag) rawTailError(b []byte) errInfo {
	doc := rawErrorDoc(b)
	if _, google := googleRPCStatus[jstring(jpath(doc, "error", "status"))]; google {
		e, _ := geminiGrammar{}.errorOf("", "", doc)
		return e
	}
	if e, ok := grammarOf(d.dialect).errorOf("error", "error", doc); ok {
		return d.hostStatus(e)
	}
	e, _ := errorObject("error", "error", doc, chatErrorStatus)
	return d.hostStatus(e)
}

// rawTailEvent adds the raw JSON error tail, when there is one, to the
// timeline as a Raw event and records it as the stream's cut error. at
// gives the arrival time of a body byte (nil: untimed).
func (d *diag) rawTailEvent(at func(off int64) time.Duration) {
	if d.err != nil || d.cutErr != nil || d.opt.InFlight {
		return
	}
	off, b, ok := d.rawTail()
	if !ok {
		return
	}
	i := d.ev.ev.n
	e := d.rawTailError(b)
	r := evRec{typ: "message", dataType: "error", off: off, length: int64(len(b)), raw: true, dialect: d.dialect}
	if at != nil {
		r.at = at(off + int64(len(b)) - 1)
	}
	d.cutErr = &StreamError{Type: e.typ, Message: e.msg, EventIndex: i, OutputBeforeError: d.firstContent >= 0 && d.firstContent < i}
	d.cutStatus, d.cutSpendCap = e.status, e.spendCap
	d.f.remove("S-unterminated-event")
	st := "an unknown status"
	if e.status != 0 {
		st = fmt.Sprint(e.status)
	}
	d.f.add("S-raw-json-error", SeverityError, fmt.Sprintf("A raw JSON %s error followed the last event: no SSE client sees it", orUnknownType(e.typ)),
		fmt.Sprintf("After event %d the body ends with a bare JSON error object (%s, stands for %s) instead of an SSE frame, as Gemini does when it sheds load mid-stream (llmgateway #3616). Its lines carry no data field, so a WHATWG SSE parser dispatches nothing and sees a stream that simply stopped (the Gen AI SDKs read it as an error: see the SDK section). The outcome is therefore truncated; the type and status come from the raw bytes.", i, orUnknownType(e.typ), st),
		i)
	d.addEvent(&r)
}

// rawTailAfterEnd handles a raw JSON error after a stream that had already
// ended with its terminator (data: [DONE], response.completed, a final
// finishReason…): clients that stop at the terminator never read it and
// the response is whole, so it is a warning, not the stream's error.
func (d *diag) rawTailAfterEnd() {
	if !d.complete || d.cutErr == nil || !d.f.has("S-raw-json-error") {
		return
	}
	e := d.cutErr
	d.cutErr, d.cutStatus, d.cutSpendCap = nil, 0, false
	d.f.remove("S-raw-json-error")
	d.f.add("S-raw-json-after-end", SeverityWarning, fmt.Sprintf("A raw JSON %s error followed the end of the stream", orUnknownType(e.Type)),
		fmt.Sprintf("The stream ended with %s, then the body carried a bare JSON error object (%s, no SSE frame) as event %d. Clients that stop at the terminator never read it and the response is whole; readers that parse the leftover bytes may still report it.", grammarOf(d.dialect).terminator(), orUnknownType(e.Type), e.EventIndex+1),
		e.EventIndex)
}
