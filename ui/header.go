package ui

import (
	"fmt"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
)

// headerView renders the two header lines: where the stream comes from,
// then the two statuses side by side with the mismatch marker.
func headerView(s *Styles, st *exchangeState, title string, shown int, sdk *inspect.SDKAnswer, w int) string {
	sep := s.Dim.Render(" · ")
	v := st.verdict
	parts := []string{s.FocusTitle.Render("midstream"), s.Value.Render(oneLine(title))}
	if v != nil {
		parts = append(parts, s.Value.Render(string(v.Provider)))
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
	// In a paced replay the stream has not "said" its error until the
	// event that carries it is on screen.
	reached := v.Error == nil || v.Error.EventIndex < shown || st.done && shown >= st.events.Len()
	switch {
	case !reached:
		out += s.Dim.Render("stream → … (replaying)")
	case v.MappedStatus != 0:
		txt := fmt.Sprintf("stream → %d", v.MappedStatus)
		if v.Error != nil && v.Error.Type != "" {
			txt += " " + oneLine(v.Error.Type)
		}
		out += s.Error.Render(txt)
	case v.Outcome == inspect.OutcomeComplete || v.Outcome == inspect.OutcomeHTTPError:
		out += s.OK.Render("stream → no error status")
	default:
		out += s.Warn.Render("stream → cut off, no status")
	}
	if reached {
		if v.Mismatch {
			out += bar + s.Mismatch.Render(" ✗ MISMATCH ")
		} else {
			out += bar + s.Agree.Render("✓ agree")
		}
	}
	out += bar + s.Value.Render(outcomeText(v, st.done))
	return out
}

func outcomeText(v *inspect.Verdict, done bool) string {
	if !done {
		return "streaming…"
	}
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
	}
	return string(v.Outcome)
}
