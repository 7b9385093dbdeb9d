package ui

import (
	"fmt"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// headerView renders the two header lines: where the stream comes from,
// then the two statuses side by side with the mismatch marker.
func headerView(s *Styles, st *exchangeState, title string, shown int, sdk *inspect.SDKAnswer, w int) string {
	sep := s.Dim.Render(" · ")
	v := st.verdict
	parts := []string{s.FocusTitle.Render("midstream"), s.Value.Render(oneLine(title))}
	if v != nil {
		label := inspect.ProviderLabel(v)
		if v.Host != "" {
			label += " via " + v.Host // the OpenAI-compatible host (inspect.Hosts)
		}
		parts = append(parts, s.Value.Render(oneLine(label))) // table values today; sanitized all the same
	}
	if st.x != nil && st.x.Injected != "" {
		// Before the SDK and the model: a narrow screen must not cut
		// the fact that this failure was made on purpose.
		inj := s.Warn.Render("injected ") + s.Value.Render(oneLine(stream.RedactText(st.x.Injected)))
		if f := st.x.End.Fired; f != nil && !f.Fired {
			// The capture says the fault never happened: what is shown
			// is the provider's own stream.
			inj += s.Dim.Render(" (never fired)")
		}
		parts = append(parts, inj)
	}
	// The SDK comes before the model: it decides what the user must fix,
	// and a narrow screen cuts the end of the line.
	if sdk != nil {
		name := sdk.Name
		if sdk.Version != "" {
			name += "@" + sdk.Version
		}
		parts = append(parts, s.Label.Render("SDK ")+s.Value.Render(oneLine(name)))
	} else {
		parts = append(parts, s.Label.Render("SDK ")+s.Dim.Render("not detected (p)"))
	}
	if v != nil && v.Request != nil && v.Request.Model != "" {
		parts = append(parts, s.Value.Render(oneLine(v.Request.Model)))
	}
	if id := st.requestID(); id != "" {
		parts = append(parts, s.Label.Render("req ")+s.Value.Render(oneLine(id)))
	}
	line1 := fit(strings.Join(parts, sep), w)
	return line1 + "\n" + fit(statusLine(s, st, shown), w)
}

// statusLine is "HTTP 200 │ stream → 529 overloaded_error │ ✗ MISMATCH │ …".
func statusLine(s *Styles, st *exchangeState, shown int) string {
	bar := s.Dim.Render(" │ ")
	v := st.verdict
	var http string
	switch {
	case v != nil && v.HTTPStatus == 0 && (v.Outcome == inspect.OutcomeNoResponse || v.Outcome == inspect.OutcomeCanceled):
		http = "no HTTP response"
	case v != nil && v.HTTPStatus != 0:
		http = fmt.Sprintf("HTTP %d", v.HTTPStatus)
		if v.HTTPStatusAssumed {
			http += " (assumed)"
		}
	case st.x != nil && st.x.Response != nil:
		http = fmt.Sprintf("HTTP %d", st.x.Response.Status)
	case st.x != nil && st.x.Request != nil:
		http = "HTTP …"
	default:
		http = "HTTP 200 (assumed)"
	}
	out := s.Value.Bold(true).Render(http) + bar
	if v == nil {
		return out + s.Dim.Render("stream → … (diagnosing)")
	}
	if pending(st, shown) {
		// Bytes are still arriving (or, in a paced replay, still to be
		// shown): no verdict may come from the end that is not there yet.
		return out + s.Dim.Render("stream → no error yet") + bar + s.Value.Render("streaming…")
	}
	switch {
	case v.MappedStatus != 0:
		txt := fmt.Sprintf("stream → %d", v.MappedStatus)
		if v.Error != nil && v.Error.Type != "" {
			txt += " " + oneLine(v.Error.Type)
		}
		out += s.Error.Render(txt)
	case v.Outcome == inspect.OutcomeComplete || v.Outcome == inspect.OutcomeHTTPError:
		out += s.OK.Render("stream → no error status")
	case v.Outcome == inspect.OutcomeNoResponse || v.Outcome == inspect.OutcomeCanceled:
		out += s.Warn.Render("stream → none")
	default:
		out += s.Warn.Render("stream → cut off, no status")
	}
	if v.Mismatch {
		out += bar + s.Mismatch.Render(" ✗ MISMATCH ")
	} else if v.Outcome != inspect.OutcomeNoResponse && v.Outcome != inspect.OutcomeCanceled {
		out += bar + s.Agree.Render("✓ agree")
	}
	out += bar + s.Value.Render(outcomeText(v))
	return out
}

// pending reports whether the verdict of st may not be shown yet, with
// the first shown events on screen: the body is still arriving (or still
// being replayed) and nothing on screen decides the outcome. An error
// event on screen decides it at once (MISMATCH the moment it is true), as
// do an HTTP error and no response at all; otherwise the end decides, and
// it counts only once the whole body has arrived and is shown.
func pending(st *exchangeState, shown int) bool {
	v := st.verdict
	switch {
	case v == nil:
		return false
	case v.Outcome == inspect.OutcomeInFlight:
		return true
	case v.Error != nil && v.Error.EventIndex >= 0:
		return v.Error.EventIndex >= shown
	case v.Outcome == inspect.OutcomeHTTPError || v.Outcome == inspect.OutcomeNoResponse:
		return false
	}
	return !st.done || shown < st.events.Len()
}

// outcomeText is the outcome of a decided verdict in a few words.
func outcomeText(v *inspect.Verdict) string {
	switch v.Outcome {
	case inspect.OutcomeComplete:
		return "complete"
	case inspect.OutcomeErrorEvent:
		if v.Error != nil && v.Error.EventIndex >= 0 {
			return fmt.Sprintf("error event (#%d)", v.Error.EventIndex+1)
		}
		return "error event"
	case inspect.OutcomeTruncated:
		return "truncated"
	case inspect.OutcomeTransportError:
		return "transport error"
	case inspect.OutcomeHTTPError:
		return "HTTP error, no stream"
	case inspect.OutcomeEmpty:
		return "empty body"
	case inspect.OutcomeInFlight:
		return "streaming…"
	case inspect.OutcomeNoResponse:
		return "no HTTP response"
	case inspect.OutcomeCanceled:
		return "cancelled by you"
	}
	return string(v.Outcome)
}
