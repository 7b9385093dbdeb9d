package inspect

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// labelWidth aligns the "label  value" lines of the text report.
const labelWidth = 15

// WriteText writes the terminal report: plain text (no colour, so it
// survives pipes, logs and SSH), one block per exchange with both statuses
// side by side, the verdict word, outcome, error, findings with their
// severity words, what the SDK does and the timing.
//
// Every value from a stream or capture is shown by the rule of
// stream.SafeLine, and the whole report passes stream.SafeText: it holds
// no escape sequence, control, C1 or bidi character a terminal acts on.
func WriteText(w io.Writer, d *Diagnosis) error {
	var b bytes.Buffer
	n := len(d.Exchanges)
	fmt.Fprintf(&b, "midstream %s — %d exchange%s\n", d.ToolVersion, n, plural(n))
	for i, v := range d.Exchanges {
		writeTextExchange(&b, i+1, v)
	}
	return writeSafe(w, &b)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// kv writes one aligned "label  value" line, wrapping long values.
func kv(w io.Writer, indent, label, value string) {
	if value == "" {
		return
	}
	pad := strings.Repeat(" ", labelWidth-len([]rune(label)))
	lines := wrap(value, 100-len(indent)-labelWidth)
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(w, "%s%s%s%s\n", indent, label, pad, l)
		} else {
			fmt.Fprintf(w, "%s%s%s\n", indent, strings.Repeat(" ", labelWidth), l)
		}
	}
}

func writeTextExchange(w io.Writer, n int, v *Verdict) {
	fmt.Fprintf(w, "\n[%d] %s  (%s%s)\n", n, txt(v.Source), v.Provider, viaHost(v))
	if inj := injectedText(v); inj != "" {
		kv(w, "  ", "injected", inj)
	}
	kv(w, "  ", "dialect", dialectText(v))
	kv(w, "  ", "status", statusSummary(v))
	kv(w, "  ", "verdict", mismatchText(v))
	kv(w, "  ", "outcome", outcomeText(v))
	kv(w, "  ", "error", errorText(v))
	kv(w, "  ", "events", eventsText(v))
	kv(w, "  ", "body", txt(flatten(bodyExcerpt(v, 300))))
	kv(w, "  ", "request", requestText(v))
	kv(w, "  ", "request id", txt(v.RequestID))
	kv(w, "  ", "host", hostText(v))
	kv(w, "  ", "timing", timingText(v))
	if v.Exchange != nil {
		for _, note := range v.Exchange.Notes {
			kv(w, "  ", "note", txt(note))
		}
	}

	if len(v.Findings) == 0 {
		fmt.Fprintf(w, "\n  findings: none\n")
	} else {
		fmt.Fprintf(w, "\n  findings (%d)\n", len(v.Findings))
		for _, f := range v.Findings {
			writeTextFinding(w, f)
		}
	}

	fmt.Fprintln(w)
	if a := v.SDK; a != nil {
		writeTextSDK(w, a)
		return
	}
	writeTextSDKTable(w, v)
}

func writeTextFinding(w io.Writer, f Finding) {
	head := fmt.Sprintf("    %-8s %s  %s", strings.ToUpper(string(f.Severity)), f.Code, txt(f.Title))
	if len(f.Events) > 0 {
		nums := make([]string, len(f.Events))
		for i, e := range f.Events {
			nums[i] = fmt.Sprintf("%d", e+1)
		}
		head += " (event " + strings.Join(nums, ", ") + ")"
	}
	fmt.Fprintln(w, head)
	for _, l := range wrap(txt(f.Detail), 84) {
		fmt.Fprintf(w, "             %s\n", l)
	}
	for _, fx := range f.Fixes {
		for i, l := range wrap(txt(fx), 79) {
			if i == 0 {
				fmt.Fprintf(w, "             fix: %s\n", l)
			} else {
				fmt.Fprintf(w, "                  %s\n", l)
			}
		}
	}
}

func writeTextSDK(w io.Writer, a *SDKAnswer) {
	fmt.Fprintf(w, "  your SDK: %s %s (%s)\n", a.Name, txt(a.Version), detectedText(a))
	kv(w, "    ", "raises", raisesText(a))
	kv(w, "    ", "status", statusReported(a))
	kv(w, "    ", "error type at", a.ErrorTypeAt)
	kv(w, "    ", "built-in retry", retryText(a))
	kv(w, "    ", "advice", txt(a.Advice))
	if a.Snippet != "" {
		fmt.Fprintf(w, "    snippet (%s):\n", a.Language)
		for _, l := range strings.Split(strings.TrimRight(a.Snippet, "\n"), "\n") {
			if l == "" {
				fmt.Fprintln(w)
				continue
			}
			fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(l, "\t", "    "))
		}
	}
}

func writeTextSDKTable(w io.Writer, v *Verdict) {
	rows := SDKTable(v)
	if note := converseSDKNote(v); note != "" {
		fmt.Fprintf(w, "  SDKs           %s\n", note)
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "  SDKs (current versions; name yours with --sdk NAME@VERSION for advice and a snippet)")
	for _, a := range rows {
		fmt.Fprintf(w, "    %-28s raises %s; status %s; type at %s; built-in retry %s\n",
			a.Name+" "+a.Version, raisesText(&a), statusReported(&a), orDash(a.ErrorTypeAt), retryText(&a))
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
