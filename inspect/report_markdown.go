package inspect

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/midstreamhq/midstream/stream"
)

// WriteMarkdown writes the bug-report-ready Markdown report: per exchange
// a summary table with both statuses, the timeline excerpt around the
// error, findings with fixes, what the SDK does (a table of every SDK when
// none is known) with its snippet, the environment, the request id, the
// redacted headers and how to reproduce with `midstream serve`.
//
// As in WriteText, values from the stream are shown by the rule of
// stream.SafeLine and the whole report passes stream.SafeText; a value
// cannot close its code span early either (see code).
func WriteMarkdown(w io.Writer, d *Diagnosis) error {
	var b bytes.Buffer
	n := len(d.Exchanges)
	fmt.Fprintf(&b, "# midstream diagnosis\n\n%d exchange%s · midstream %s · %s\n", n, plural(n), d.ToolVersion, d.runtime())
	for i, v := range d.Exchanges {
		writeMDExchange(&b, d, i+1, v)
	}
	return writeSafe(w, &b)
}

// mdText keeps stream-supplied text from turning into HTML on GitHub: an
// error message holding "<!--" would otherwise hide the rest of the report.
var mdText = strings.NewReplacer("<", "&lt;", "\r", " ", "\n", " ")

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.NewReplacer("|", `\|`, "<", "&lt;", "\r", " ", "\n", " ").Replace(s)
	if s == "" {
		return "–"
	}
	return s
}

// code wraps s in a code span that survives backticks inside it: the
// fence is one backtick longer than the longest run of them in s, so no
// value can close the span early and have the rest read as Markdown.
func code(s string) string {
	if s == "" {
		return "–"
	}
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", `\|`).Replace(s)
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	if longest == 0 {
		return "`" + s + "`"
	}
	f := strings.Repeat("`", longest+1)
	return f + " " + s + " " + f
}

func writeMDExchange(w io.Writer, d *Diagnosis, n int, v *Verdict) {
	fmt.Fprintf(w, "\n## %d. %s (%s%s)\n\n", n, code(txt(v.Source)), v.Provider, viaHost(v))
	if inj := injectedText(v); inj != "" {
		fmt.Fprintf(w, "> **Injected fault:** %s\n\n", cell(inj))
	}
	verdict := mismatchText(v)
	if v.Mismatch {
		verdict = "**" + verdict + "**"
	}
	fmt.Fprintf(w, "| HTTP status | Stream stands for | Verdict |\n|---|---|---|\n| %s | %s | %s |\n\n",
		cell(httpStatusText(v)), cell(mappedStatusText(v)), cell(verdict))
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	fmt.Fprintf(w, "| Dialect | %s |\n", cell(dialectText(v)))
	fmt.Fprintf(w, "| Outcome | %s |\n", cell(outcomeText(v)))
	if v.Error != nil {
		fmt.Fprintf(w, "| Error | %s |\n", cell(errorText(v)))
	}
	fmt.Fprintf(w, "| Events | %s |\n", eventsText(v))
	if v.Request != nil {
		fmt.Fprintf(w, "| Request | %s |\n", code(stream.SafeLine(strings.TrimSpace(v.Request.Method+" "+stream.RedactURL(v.Request.URL)))))
		if v.Request.Model != "" {
			fmt.Fprintf(w, "| Model | %s |\n", code(txt(v.Request.Model)))
		}
	}
	if v.RequestID != "" {
		fmt.Fprintf(w, "| Request id | %s |\n", code(txt(v.RequestID)))
	}
	if t := timingText(v); t != "" {
		fmt.Fprintf(w, "| Timing | %s |\n", cell(t))
	}
	if h := hostText(v); h != "" {
		fmt.Fprintf(w, "| Host | %s |\n", cell(h))
	}

	writeMDTimeline(w, v)
	if b := bodyExcerpt(v, 2048); b != "" {
		fmt.Fprintf(w, "\n### Response body (redacted)\n\n```json\n%s\n```\n", strings.ReplaceAll(b, "```", "` ` `"))
	}
	writeMDFindings(w, v)
	writeMDSDK(w, v)

	fmt.Fprintf(w, "\n### Environment\n\n- midstream %s\n- %s\n", d.ToolVersion, d.runtime())
	if v.Exchange != nil {
		fmt.Fprintf(w, "- capture format: %s", v.Exchange.Format)
		if v.Exchange.Timed {
			fmt.Fprintf(w, " (timed)")
		}
		fmt.Fprintln(w)
		for _, note := range v.Exchange.Notes {
			fmt.Fprintf(w, "- note: %s\n", mdText.Replace(txt(note)))
		}
	}
	writeMDHeaders(w, v)

	fmt.Fprintf(w, "\n### How to reproduce\n\n```sh\n%s\n```\n", reproduce(v))
}

func writeMDTimeline(w io.Writer, v *Verdict) {
	lo, hi := excerpt(v)
	if hi <= lo {
		return
	}
	title := "Timeline"
	if v.Error != nil && v.Error.EventIndex >= 0 {
		title = "Timeline around the error"
	} else if v.Outcome == OutcomeTruncated || v.Outcome == OutcomeTransportError {
		title = "Timeline at the end of the stream"
	}
	fmt.Fprintf(w, "\n### %s\n\nEvents %d–%d of %d (numbered from 1).\n\n", title, lo+1, hi, v.EventCount)
	fmt.Fprintf(w, "| # | offset | time | event | summary |\n|---:|---:|---:|---|---|\n")
	focus := focusEvent(v)
	for i := lo; i < hi; i++ {
		e := v.Events.At(i)
		num := fmt.Sprintf("%d", e.Index+1)
		if e.Index == focus {
			num = "**" + num + "**"
		}
		name := eventName(e)
		if e.Unterminated {
			name += " (unterminated)"
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", num, e.Offset, eventTime(v, e), code(txt(name)), cell(txt(e.Summary)))
	}
}

func writeMDFindings(w io.Writer, v *Verdict) {
	fmt.Fprintf(w, "\n### Findings\n\n")
	if len(v.Findings) == 0 {
		fmt.Fprintf(w, "None.\n")
		return
	}
	for _, f := range v.Findings {
		fmt.Fprintf(w, "- **%s** %s — %s", strings.ToUpper(string(f.Severity)), code(f.Code), mdText.Replace(txt(f.Title)))
		if len(f.Events) > 0 {
			nums := make([]string, len(f.Events))
			for i, e := range f.Events {
				nums[i] = fmt.Sprintf("%d", e+1)
			}
			fmt.Fprintf(w, " (event %s)", strings.Join(nums, ", "))
		}
		fmt.Fprintln(w)
		if f.Detail != "" {
			fmt.Fprintf(w, "  %s\n", mdText.Replace(txt(f.Detail)))
		}
		for _, fx := range f.Fixes {
			fmt.Fprintf(w, "  - Fix: %s\n", mdText.Replace(txt(fx)))
		}
	}
}

func writeMDSDK(w io.Writer, v *Verdict) {
	if a := v.SDK; a != nil {
		fmt.Fprintf(w, "\n### What %s %s does (%s)\n\n", a.Name, txt(a.Version), detectedText(a))
		fmt.Fprintf(w, "| | |\n|---|---|\n| Raises | %s |\n| Status it reports | %s |\n| Error type at | %s |\n| Built-in retry fires | %s |\n",
			code(raisesText(a)), statusReported(a), code(a.ErrorTypeAt), retryText(a))
		fmt.Fprintf(w, "\n%s\n", txt(a.Advice))
		if a.Snippet != "" {
			fmt.Fprintf(w, "\n```%s\n%s```\n", a.Language, red(a.Snippet))
		}
		return
	}
	rows := SDKTable(v)
	if note := converseSDKNote(v); note != "" {
		fmt.Fprintf(w, "\n### What each SDK does\n\n%s\n", note)
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### What each SDK does (current versions; the user's SDK is unknown)\n\n")
	fmt.Fprintf(w, "| SDK | raises | status | error type at | built-in retry |\n|---|---|---|---|---|\n")
	for _, a := range rows {
		fmt.Fprintf(w, "| %s %s | %s | %s | %s | %s |\n", a.Name, a.Version, code(raisesText(&a)), statusReported(&a), code(a.ErrorTypeAt), retryText(&a))
	}
	fmt.Fprintln(w)
	for _, a := range rows {
		fmt.Fprintf(w, "<details><summary>%s %s: advice and snippet</summary>\n\n%s\n", a.Name, a.Version, txt(a.Advice))
		if a.Snippet != "" {
			fmt.Fprintf(w, "\n```%s\n%s```\n", a.Language, a.Snippet)
		}
		fmt.Fprintf(w, "\n</details>\n")
	}
	fmt.Fprintf(w, "\nName the SDK with `--sdk NAME@VERSION` for an answer that fits its version.\n")
}

func writeMDHeaders(w io.Writer, v *Verdict) {
	x := v.Exchange
	if x == nil || (x.Request == nil && x.Response == nil) {
		return
	}
	fmt.Fprintf(w, "\n### Headers (redacted)\n\n```http\n")
	if r := x.Request; r != nil {
		fmt.Fprintln(w, stream.SafeLine(r.Method+" "+stream.RedactURL(r.URL)))
		for _, l := range sortedHeaderLines(r.Header) {
			fmt.Fprintln(w, l)
		}
		if x.Response != nil {
			fmt.Fprintln(w)
		}
	}
	if r := x.Response; r != nil {
		proto := r.Proto
		if proto == "" {
			proto = "HTTP/1.1"
		}
		fmt.Fprintf(w, "%s %d %s\n", stream.SafeLine(proto), r.Status, stream.SafeLine(r.StatusText))
		for _, l := range sortedHeaderLines(r.Header) {
			fmt.Fprintln(w, l)
		}
	}
	fmt.Fprintf(w, "```\n")
}
