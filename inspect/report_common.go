package inspect

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Helpers shared by the text and Markdown reports. Everything that can
// carry user data goes through txt() (redaction, then stream.SafeLine),
// or stream.RedactURL / stream.RedactHeader and then stream.SafeLine,
// before it is written; the whole report then passes writeSafe, the
// output boundary that no raw control, C1 or bidi character crosses.

// txt is red(s) made safe for one line of the text or Markdown report:
// redacted, then shown by the rule of stream.SafeLine (␛ for ESC, ␊ for a
// newline, \u escapes for C1 and bidi controls). The JSON report keeps
// red alone: its strings are escaped by the encoder and SafeJSON.
func txt(s string) string { return stream.SafeLine(red(s)) }

// writeSafe writes a rendered report to w through stream.SafeText: the
// last guard, for anything a field-level txt() did not cover.
func writeSafe(w io.Writer, b *bytes.Buffer) error {
	_, err := io.WriteString(w, stream.SafeText(b.String()))
	return err
}

// httpStatusText describes the HTTP status as people should read it.
func httpStatusText(v *Verdict) string {
	switch {
	case v.HTTPStatus == 0 && (v.Outcome == OutcomeNoResponse || v.Outcome == OutcomeCanceled):
		return "none (no response)"
	case v.HTTPStatus == 0:
		return "unknown"
	case v.HTTPStatusAssumed:
		return fmt.Sprintf("%d (assumed: the capture has no status line)", v.HTTPStatus)
	}
	s := fmt.Sprintf("%d", v.HTTPStatus)
	if t := http.StatusText(v.HTTPStatus); t != "" {
		s += " " + t
	}
	return s
}

// mappedStatusText describes the status the stream's error stands for.
func mappedStatusText(v *Verdict) string {
	if v.Outcome == OutcomeHTTPError && !v.Mismatch {
		return "none: no stream"
	}
	if v.MappedStatus == 0 {
		if v.Error != nil {
			return "no known status (error type not in the provider's tables)"
		}
		return "–"
	}
	if v.Error != nil && v.Error.Type != "" {
		return fmt.Sprintf("%d (%s)", v.MappedStatus, txt(v.Error.Type))
	}
	return fmt.Sprintf("%d", v.MappedStatus)
}

// mismatchText is the verdict in words: MISMATCH, agree, or why there is
// nothing to compare (no response, cancelled by the user).
func mismatchText(v *Verdict) string {
	switch {
	case v.Outcome == OutcomeNoResponse:
		return "no response, nothing to compare"
	case v.Outcome == OutcomeCanceled:
		return "cancelled by you, no verdict"
	case !v.Mismatch && v.Outcome == OutcomeHTTPError:
		return "HTTP error before any stream, nothing to compare"
	case !v.Mismatch:
		return "agree"
	}
	if v.HTTPStatus >= 200 && v.HTTPStatus < 300 {
		return "MISMATCH: the HTTP status says success, the stream failed"
	}
	return "MISMATCH: the HTTP status and the stream's error disagree"
}

// verdictWord is the short verdict: MISMATCH, OK, NO RESPONSE or
// CANCELLED BY YOU.
func verdictWord(v *Verdict) string {
	switch {
	case v.Mismatch:
		return "MISMATCH"
	case v.Outcome == OutcomeNoResponse:
		return "NO RESPONSE"
	case v.Outcome == OutcomeCanceled:
		return "CANCELLED BY YOU"
	case v.Outcome == OutcomeHTTPError:
		return "HTTP ERROR"
	}
	return "OK"
}

// statusSummary is the one-line status comparison of the text report:
// "HTTP 200 OK vs stream 529 (overloaded_error) → MISMATCH", or for an
// HTTP error that came before any stream, "HTTP 401 Unauthorized before
// any stream → HTTP ERROR" (there is no stream status to agree with).
func statusSummary(v *Verdict) string {
	if v.Outcome == OutcomeHTTPError && !v.Mismatch {
		return "HTTP " + httpStatusText(v) + " before any stream → " + verdictWord(v)
	}
	return "HTTP " + httpStatusText(v) + " vs stream " + mappedStatusText(v) + " → " + verdictWord(v)
}

// outcomeText is one line about how the exchange ended.
func outcomeText(v *Verdict) string {
	switch v.Outcome {
	case OutcomeComplete:
		return "complete"
	case OutcomeErrorEvent:
		return "error event inside the stream"
	case OutcomeTruncated:
		return "truncated: the body ended without its terminating event"
	case OutcomeTransportError:
		s := "transport error: the connection broke mid-body"
		if v.Exchange != nil && v.Exchange.End.Err != "" {
			s += " (" + txt(v.Exchange.End.Err) + ")"
		}
		return s
	case OutcomeHTTPError:
		return "HTTP error before the stream"
	case OutcomeEmpty:
		return "empty: no events"
	case OutcomeInFlight:
		return "in flight: the body is still arriving"
	case OutcomeNoResponse:
		s := "no HTTP response"
		if v.Exchange != nil && v.Exchange.End.Err != "" {
			s += " (" + txt(v.Exchange.End.Err) + ")"
		}
		return s
	case OutcomeCanceled:
		return "cancelled by you"
	}
	return string(v.Outcome)
}

// eventsText is the event count, saying when the last frame was cut
// before its blank line: it is on the timeline, but no client received it.
func eventsText(v *Verdict) string {
	n := v.EventCount
	if n > 0 && v.Events.Meta(n-1).Unterminated {
		return fmt.Sprintf("%d (event %d was cut before its blank line: clients received %d)", n, n, n-1)
	}
	return fmt.Sprintf("%d", n)
}

// errorText describes the error with 1-based event numbers.
func errorText(v *Verdict) string {
	e := v.Error
	if e == nil {
		return ""
	}
	s := txt(e.Type)
	if s == "" {
		s = "(no type)"
	}
	if e.Message != "" {
		// %q shows every control, C1, bidi or invalid byte as a Go
		// escape (\x1b, \u202e), as safe as txt and clearer in quotes.
		s += fmt.Sprintf(" %q", red(e.Message))
	}
	if e.EventIndex >= 0 {
		s += fmt.Sprintf(" at event %d of %d", e.EventIndex+1, v.EventCount)
	} else {
		s += " (HTTP error body)"
	}
	return s + fmt.Sprintf("; output before error: %s; retryable: %s", yesNo(e.OutputBeforeError), yesNo(e.Retryable))
}

// retryText is the "built-in retry" cell: yes, no, or nothing to retry
// for a complete stream.
func retryText(a *SDKAnswer) string {
	if a.NothingToRetry {
		return "n/a (nothing to retry)"
	}
	return yesNo(a.BuiltinRetry)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// fmtDur prints a duration compactly: 850ms, 1.52s, 2m03s.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// timingText is the timing line, "" when the capture is untimed.
func timingText(v *Verdict) string {
	t := v.Timing
	if t == nil {
		return ""
	}
	parts := []string{"first byte " + fmtDur(t.TTFB)}
	if t.FirstContent > 0 {
		parts = append(parts, "first content "+fmtDur(t.FirstContent))
	} else {
		parts = append(parts, "no content")
	}
	parts = append(parts, "total "+fmtDur(t.Duration))
	gap := "largest gap " + fmtDur(t.MaxGap)
	if t.MaxGap > 0 && t.MaxGapAfter >= 0 && t.MaxGapAfter < v.EventCount {
		gap += fmt.Sprintf(" (before event %d)", t.MaxGapAfter+1)
	}
	return strings.Join(append(parts, gap), " · ")
}

// requestText is "POST https://…" with the URL redacted.
func requestText(v *Verdict) string {
	if v.Request == nil {
		return ""
	}
	s := stream.SafeLine(strings.TrimSpace(v.Request.Method + " " + stream.RedactURL(v.Request.URL)))
	if v.Request.Model != "" {
		s += " · model " + txt(v.Request.Model)
	}
	return s
}

// focusEvent is the 0-based event a timeline excerpt centres on: the
// error, else the last event of a broken stream, else the first event a
// finding points at, else the last event.
func focusEvent(v *Verdict) int {
	n := v.Events.Len()
	if n == 0 {
		return -1
	}
	if v.Error != nil && v.Error.EventIndex >= 0 && v.Error.EventIndex < n {
		return v.Error.EventIndex
	}
	if v.Outcome == OutcomeComplete {
		for _, f := range v.Findings {
			if f.Severity != SeverityInfo && len(f.Events) > 0 && f.Events[0] >= 0 && f.Events[0] < n {
				return f.Events[0]
			}
		}
	}
	return n - 1
}

// excerpt returns the window of events shown around the focus: a few
// before and after it.
func excerpt(v *Verdict) (lo, hi int) {
	f := focusEvent(v)
	if f < 0 {
		return 0, 0
	}
	lo, hi = max(0, f-4), min(v.Events.Len(), f+3)
	return lo, hi
}

// eventTime is the arrival time of an event, "–" when untimed.
func eventTime(v *Verdict, e EventInfo) string {
	if v.Timing == nil {
		return "–"
	}
	return fmtDur(e.At)
}

// eventName is the event's type, with the data type when they differ.
func eventName(e EventInfo) string {
	if e.DataType != "" && e.DataType != e.Type {
		return e.Type + " (" + e.DataType + ")"
	}
	return e.Type
}

// sortedHeaderLines renders redacted headers one per line, sorted.
func sortedHeaderLines(h http.Header) []string {
	h = stream.RedactHeader(h)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, val := range h[k] {
			out = append(out, stream.SafeLine(k)+": "+txt(val))
		}
	}
	return out
}

// wrap breaks s into lines of at most width runes, after stream.SafeLine:
// strings.Fields would otherwise drop a U+0085 or U+2028 unseen.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(stream.SafeLine(s)) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line == "" {
			line = w
		} else {
			line += " " + w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func statusReported(a *SDKAnswer) string {
	if a.StatusReported == nil {
		return "none"
	}
	return fmt.Sprintf("%d", *a.StatusReported)
}

func raisesText(a *SDKAnswer) string {
	if a.Raises == "" {
		return "nothing"
	}
	return a.Raises
}

func detectedText(a *SDKAnswer) string {
	switch a.DetectedFrom {
	case "flag":
		return "named with --sdk"
	case "headers":
		return "detected from request headers"
	}
	return "current version"
}

// demoRE matches the source of a built-in example, "demo:NAME".
var demoRE = regexp.MustCompile(`^demo:([a-z0-9][a-z0-9-]*)$`)

// reproduce returns the shell lines that reproduce v: `midstream demo
// NAME` for a built-in example, which has no file to serve, else
// `midstream serve` of its capture with the app pointed at it.
func reproduce(v *Verdict) string {
	if m := demoRE.FindStringSubmatch(v.Source); m != nil {
		return "midstream demo " + m[1] + "  # a built-in example, offline"
	}
	return fmt.Sprintf("midstream serve %s\n%s your-app", captureName(v), baseURLEnv(v))
}

// captureName is what to hand to `midstream serve`: the file, shell-quoted
// when it needs it, and `--exchange N` when the verdict is not the file's
// first exchange (serve answers with exchange 1 otherwise).
func captureName(v *Verdict) string {
	src, n := v.Source, 0
	if i := strings.LastIndex(src, "#"); i > 0 {
		if k, err := strconv.Atoi(src[i+1:]); err == nil {
			src, n = src[:i], k
		}
	}
	if src == "" || src == "stdin" || src == "-" {
		return "capture.sse  # the stream you piped in, saved to a file"
	}
	src = ShellQuote(txt(src))
	if n > 1 {
		src += fmt.Sprintf(" --exchange %d", n)
	}
	return src
}

// ShellQuote single-quotes s when a POSIX shell would split or expand it
// (an allow-list of plain bytes: anything else is quoted).
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+:@,=%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// baseURLEnv is the variable that points the user's SDK at `midstream serve`.
func baseURLEnv(v *Verdict) string {
	switch v.Provider {
	case ProviderOpenAIChat, ProviderOpenAIResponses:
		return "OPENAI_BASE_URL=http://127.0.0.1:8788/v1"
	case ProviderOpenRouter:
		return "OPENAI_BASE_URL=http://127.0.0.1:8788/api/v1"
	}
	return "ANTHROPIC_BASE_URL=http://127.0.0.1:8788"
}

// flatten folds runs of ASCII whitespace (the layout of a JSON body) into
// single spaces, for a one-line view; other characters are left to txt.
func flatten(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '\f' || r == '\v'
	}), " ")
}

// bodyExcerpt is the start of an HTTP error's body, redacted, at most n
// bytes (cut on a rune boundary); "" when there is none. It redacts before
// cutting: a key cut at the limit is too short for the key pattern, and its
// first characters would reach the report.
func bodyExcerpt(v *Verdict, n int) string {
	if v.Outcome != OutcomeHTTPError || v.Exchange == nil {
		return ""
	}
	b := red(strings.TrimSpace(string(v.Exchange.BodyPrefix(4*n + 1024))))
	if len(b) > n {
		b = strings.ToValidUTF8(b[:n], "") + "…"
	}
	return b
}

// dialectName is v's Dialect, or its provider's own dialect for a verdict
// that names none (one built by hand).
func dialectName(v *Verdict) string {
	if v.Dialect != "" {
		return v.Dialect
	}
	return grammarOf(dialectOf(v.Provider)).name()
}

// dialectText names the grammar the stream was read with, and says so
// when it is not the provider's own (an OpenRouter stream of Responses
// events).
func dialectText(v *Verdict) string {
	name := dialectName(v)
	if dialectNamed(name, v.Provider) != dialectOf(v.Provider) {
		return name + " (the stream's shape, not " + string(v.Provider) + "'s own)"
	}
	return name
}

// ProviderLabel is the provider and dialect as a header shows them:
// "gemini" when the dialect has the provider's name, else both, e.g.
// "openrouter/openai-chat" or "openrouter/openai-responses".
func ProviderLabel(v *Verdict) string {
	if name := dialectName(v); name != string(v.Provider) {
		return string(v.Provider) + "/" + name
	}
	return string(v.Provider)
}

// injectedText says, for an exchange midstream's --inject rewrote, which
// fault it was, that the provider did not send it and, when the capture
// says (End.Fired, written by the proxy), whether and where it fired: a
// diagnosis must never blame a provider for a fault made on purpose. ""
// for others.
func injectedText(v *Verdict) string {
	if v.Exchange == nil || v.Exchange.Injected == "" {
		return ""
	}
	name := txt(v.Exchange.Injected)
	const never = " — asked of midstream (--inject) but it never fired (the stream ended first): everything here is the provider's"
	const made = " — injected by midstream (serve/proxy --inject), not sent by the provider; the capture holds what the client received"
	e := v.Exchange.End
	if f := e.Fired; f != nil {
		switch {
		case !f.Fired:
			return name + never
		case f.Event == 0:
			return name + made + "; it answered in place of the provider's response"
		case f.AfterLast:
			return name + made + fmt.Sprintf("; it fired after the last event (event %d), %s into the response", f.Event, roundMS(f.At))
		}
		return name + made + fmt.Sprintf("; it fired at event %d, %s into the response", f.Event, roundMS(f.At))
	}
	if e.By == stream.ByUpstream {
		// A capture from before midstream recorded End.Fired: the proxy
		// records ByMidstream once a fault changed the stream, so ended
		// by the upstream means it never fired.
		return name + never
	}
	return name + made
}

// roundMS shows d in milliseconds, or seconds with two decimals past one.
func roundMS(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}
