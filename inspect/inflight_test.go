package inspect

import (
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestInFlightOutcome: a snapshot of a body still arriving (Options.InFlight)
// is no truncation and no mismatch, until an error event, a terminator or an
// HTTP error decides it.
func TestInFlightOutcome(t *testing.T) {
	cut := sse("message_start", evMS)
	rows := []struct {
		name     string
		x        *stream.Exchange
		want     Outcome
		mapped   int
		mismatch bool
		noCodes  []string
	}{
		{"healthy so far", inFlightX(ant(evMS, evStart(0, "text"), evText(0, "Hi")), 200), OutcomeInFlight, 0, false,
			[]string{"A-W11-truncated-mid-block"}},
		{"cut inside an event", inFlightX(cut+"event: content_block_start\ndata: {\"ty", 200), OutcomeInFlight, 0, false,
			[]string{"S-unterminated-event", "A-W11-truncated-between-blocks"}},
		{"nothing yet", inFlightX("", 200), OutcomeInFlight, 0, false, []string{"S-no-events"}},
		{"chat chunks so far", inFlightX(sse("", `{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}]}`), 200), OutcomeInFlight, 0, false,
			[]string{"O-truncated"}},
		{"error event arrived", inFlightX(ant(evMS, evErr("overloaded_error")), 200), OutcomeErrorEvent, 529, true, nil},
		{"terminator arrived", inFlightX(good, 200), OutcomeComplete, 0, false, nil},
		{"http error", inFlightX(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 529), OutcomeHTTPError, 529, false, nil},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{InFlight: true})
			if v.Outcome != r.want || v.MappedStatus != r.mapped || v.Mismatch != r.mismatch {
				t.Errorf("outcome %s mapped %d mismatch %v, want %s %d %v (findings %v)",
					v.Outcome, v.MappedStatus, v.Mismatch, r.want, r.mapped, r.mismatch, codes(v))
			}
			for _, c := range r.noCodes {
				if hasCode(v, c) {
					t.Errorf("finding %s reported for a body still arriving", c)
				}
			}
		})
	}
}

// TestInFlightWaitingForHeaders: a request still waiting for its response
// has no status yet, not an assumed 200.
func TestInFlightWaitingForHeaders(t *testing.T) {
	x := &stream.Exchange{Source: "live", Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages"}}
	v := Diagnose(x, Options{InFlight: true})
	if v.HTTPStatus != 0 || v.HTTPStatusAssumed || v.Outcome != OutcomeInFlight || v.Mismatch {
		t.Errorf("status %d assumed %v outcome %s mismatch %v, want no status, in flight, no mismatch",
			v.HTTPStatus, v.HTTPStatusAssumed, v.Outcome, v.Mismatch)
	}
}

// TestInFlightOffKeepsTruncation: the same snapshot, ended, is truncated.
func TestInFlightOffKeepsTruncation(t *testing.T) {
	v := Diagnose(inFlightX(ant(evMS, evStart(0, "text"), evText(0, "Hi")), 200), Options{})
	if v.Outcome != OutcomeTruncated || !v.Mismatch {
		t.Errorf("outcome %s mismatch %v, want truncated and a mismatch", v.Outcome, v.Mismatch)
	}
}

// inFlightX is a live exchange whose body is still arriving: a response,
// no End yet.
func inFlightX(body string, status int) *stream.Exchange {
	ct := "text/event-stream"
	if status != 200 {
		ct = "application/json"
	}
	x := withResponse(stream.FromBody("live", []byte(body)), status, "Content-Type", ct)
	x.End = stream.End{}
	return x
}
