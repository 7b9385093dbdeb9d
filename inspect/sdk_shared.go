package inspect

import (
	"encoding/json"
	"fmt"
	"strings"
)

// What every SDK answer starts from: the situation an exchange puts the
// SDK in, and the advice the families share. The per-SDK facts live in
// the family files (sdk_anthropic.go, sdk_vercel.go, sdk_openai.go,
// sdk_gemini.go), each boundary naming its source.

// sitKind is the part of a verdict an SDK reacts to.
type sitKind int

const (
	sitNone       sitKind = iota // complete: nothing surfaces
	sitStreamErr                 // an error event inside a 2xx stream
	sitHTTPErr                   // an HTTP error status before any stream
	sitTruncated                 // the body ended cleanly without a terminator (or was empty)
	sitDropped                   // the connection broke mid-body
	sitNoResponse                // no HTTP response at all (refused, DNS, TLS, timeout)
	sitCanceled                  // the user cancelled the exchange
	sitInFlight                  // the body is still arriving
)

// situation is what the SDK tables need to know about an exchange.
type situation struct {
	kind        sitKind
	provider    Provider
	errType     string
	status      int  // HTTP status
	mapped      int  // the status the stream's error stands for (Verdict.MappedStatus), 0 if none
	rawTail     bool // the body ends in a raw JSON error object, not an SSE frame (Gemini load shedding)
	tailCode    int  // that object's error.code, 0 if none
	first       bool // the error is the first event of the stream
	output      bool // content was delivered before the error
	errKey      bool // the error event's data has an "error" object (OpenAI SDKs raise only then)
	shouldRetry string
}

func situationOf(v *Verdict) situation {
	s := situation{provider: v.Provider, status: v.HTTPStatus, mapped: v.MappedStatus, errKey: true}
	if v.Error != nil {
		s.errType = v.Error.Type
		s.output = v.Error.OutputBeforeError
		s.first = v.Error.EventIndex == 0
	}
	if v.Exchange != nil && v.Exchange.Response != nil {
		s.shouldRetry = strings.ToLower(strings.TrimSpace(v.Exchange.Response.Header.Get("X-Should-Retry")))
	}
	if (v.Provider == ProviderGemini || v.Provider == ProviderGeneric) && v.Exchange != nil {
		// Only the Gemini SDKs answer differently for a raw tail (a
		// generic stream may be Gemini's); other dialects need not read
		// the body's end.
		s.tailCode, s.rawTail = rawJSONErrorTail(v.Exchange)
		if s.rawTail && v.Error == nil {
			s.output = v.EventCount > 1 // events before the tail (which a generic reading may count)
		}
	}
	switch v.Outcome {
	case OutcomeErrorEvent:
		s.kind = sitStreamErr
		if v.Error != nil && v.Exchange != nil && v.Error.EventIndex >= 0 && v.Error.EventIndex < v.Events.Len() {
			s.errKey = eventHasErrorObject(v, v.Error.EventIndex)
		}
	case OutcomeHTTPError:
		s.kind = sitHTTPErr
	case OutcomeTruncated, OutcomeEmpty:
		s.kind = sitTruncated
	case OutcomeTransportError:
		s.kind = sitDropped
	case OutcomeNoResponse:
		s.kind = sitNoResponse
	case OutcomeCanceled:
		s.kind = sitCanceled
	case OutcomeInFlight:
		s.kind = sitInFlight
	}
	return s
}

// eventHasErrorObject reports whether the event's JSON data has a
// top-level "error" object: the OpenAI SDKs raise only on that key. A
// frame that cannot be read back counts as having one.
func eventHasErrorObject(v *Verdict, i int) bool {
	data := eventData(v, i)
	if data == nil {
		return true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	raw, ok := m["error"]
	return ok && len(raw) > 0 && raw[0] == '{'
}

func intp(n int) *int { return &n }

// retryAdvice is the shared advice about retrying an in-stream error.
func retryAdvice(s situation) string {
	if s.output {
		return "Content was already delivered before the error, so do not blindly re-send: discard or resume the partial answer first."
	}
	return "No content was delivered before the error, so re-sending the request is safe; back off (overload windows can last minutes; in-stream errors carry no retry-after)."
}

// answerFor fills the answer of SDK d for verdict v, whose situation
// (situationOf(v)) is s.
func answerFor(v *Verdict, s situation, d detected, from string) *SDKAnswer {
	ver, err := parseVersion(d.version)
	if err != nil {
		return nil
	}
	spec, ok := specOf(d.name)
	if !ok {
		return nil
	}
	a := &SDKAnswer{Name: d.name, Version: d.version, DetectedFrom: from}
	if s.provider == ProviderGeneric {
		s.provider = spec.speaks
	}
	if !speaksProvider(spec.speaks, s.provider) {
		a.Advice = fmt.Sprintf("%s does not speak this %s stream; run diagnose with the SDK your code uses for it.", d.name, v.Provider)
		return a
	}
	if answerNoStream(a, s) {
		return a
	}
	snipVer := ver
	if d.name == SDKVercelAI {
		// The Vercel answers and snippet follow the provider package
		// (@ai-sdk/anthropic) that the `ai` version pairs with.
		snipVer = vercelProviderVersion(ver, d)
	}
	if s.kind == sitHTTPErr && s.status >= 200 && s.status < 300 {
		// A JSON error document under a 2xx status: no SDK maps a 2xx to
		// an error class, and none was run against such a body.
		a.Raises = "not measured"
		a.Advice = "The response is 2xx but its body is a JSON error, not an event stream: the SDK's status-based error classes and retry do not apply, and its stream parser finds no events. What it surfaces was not measured. Check the Content-Type (text/event-stream) before iterating and treat any other body as the error it holds."
		a.Language, a.Snippet = snippetFor(d.name, snipVer, situation{kind: sitStreamErr, provider: s.provider})
		return a
	}
	spec.answer(a, ver, s, d)
	a.TypeField = a.ErrorTypeAt != "" && !strings.Contains(a.ErrorTypeAt, "JSON") &&
		!strings.Contains(a.ErrorTypeAt, "not exposed") && !strings.Contains(a.ErrorTypeAt, "Event.Data")
	if s.kind == sitNone {
		// A complete stream with no error: no retry is needed, so no
		// retry snippet is offered.
		a.NothingToRetry = true
		return a
	}
	a.Language, a.Snippet = snippetFor(d.name, snipVer, s)
	return a
}

const completeAdvice = "The stream completed; nothing is raised."

// truncatedAdvice is the common part of the advice for a body that ended
// without its terminator (domain.md §2.4 W11, sdk-matrix truncated_clean).
const truncatedAdvice = " Require the terminating event (message_stop, or [DONE]/finish_reason for OpenAI) and treat its absence as a failure; retry only if nothing was delivered."

func httpRetryAdvice(retries bool, knob string) string {
	if retries {
		return "An HTTP error before the stream: the built-in retry fires (" + knob + ", default 2) with exponential backoff, honouring retry-after. Raise " + knob + " for long overload windows."
	}
	return "An HTTP error before the stream that the built-in retry does not repeat: fix the request or credentials; re-sending will fail the same way."
}
