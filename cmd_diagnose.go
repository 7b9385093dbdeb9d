package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

func init() {
	commands = append(commands, newDiagnoseCmd)
}

// diagnoseExchange turns one exchange into its verdict; a variable so the
// command's exit-status rules can be tested independently of the checks.
var diagnoseExchange = inspect.Diagnose

func newDiagnoseCmd() *cobra.Command {
	var f diagnoseFlags
	cmd := &cobra.Command{
		Use:   "diagnose FILE...",
		Short: "Print the verdict for every exchange in one or more captures",
		Long: `diagnose reads captures in any format midstream knows (bare SSE, HTTP dumps,
HAR, go-vcr and vcrpy cassettes, midstream JSONL; "-" reads stdin) and prints
one report over every exchange: the HTTP status beside the status the stream's
error stands for, the outcome, grammar findings with fixes, and what your SDK
raises. Secrets are redacted in every format.

Exit status: 0 when no exchange has an error-severity finding or a MISMATCH
verdict, 1 when one does, 2 when an input cannot be read or the arguments
are wrong.`,
		Example: `  midstream diagnose stream.sse
  midstream diagnose --format markdown capture.har > bug-report.md
  midstream diagnose --format json --sdk anthropic-python@0.86.0 a.sse b.jsonl
  curl -sN … | midstream diagnose --status 200 -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("diagnose: name at least one capture file (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runDiagnose(cmd, args, &f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "report format: text, markdown or json")
	fl.StringVar(&f.sdk, "sdk", "", "the SDK your code uses, NAME[@VERSION]: "+strings.Join(inspect.SDKNames, ", ")+"; "+inspect.SDKVersionNote)
	fl.IntVar(&f.status, "status", 0, "HTTP status to assume for captures that hold none (default 200)")
	fl.DurationVar(&f.stall, "stall", 0, "gap between events reported as a stall (default 10s)")
	f.limits.register(cmd)
	f.otlp.register(cmd)
	return cmd
}

// diagnoseFlags are diagnose's flags.
type diagnoseFlags struct {
	format, sdk string
	status      int
	stall       time.Duration
	limits      limitFlags
	otlp        otlpFlags
}

// runDiagnose reads the captures, prints the report and returns the exit
// status: 1 for an error finding or a mismatch, 2 for unreadable input.
func runDiagnose(cmd *cobra.Command, args []string, f *diagnoseFlags) error {
	opt, err := f.options()
	if err != nil {
		return err
	}
	if err := refuseTerminalStdin(cmd, "diagnose -", args...); err != nil {
		return err
	}
	otel, err := f.otlp.start(cmd, "diagnose")
	if err != nil {
		return err
	}
	d, err := diagnoseFiles(args, cmd.InOrStdin(), f.limits.limits(), opt, cmd.ErrOrStderr())
	if err != nil {
		finishOTLP(otel, cmd.ErrOrStderr(), "diagnose")
		return &exitError{code: 2, err: err}
	}
	for _, v := range d.Exchanges {
		otel.Record(v, v.Source)
	}
	// After the report is written: a slow or dead collector delays the
	// exit, never the report (see live).
	defer finishOTLP(otel, cmd.ErrOrStderr(), "diagnose")
	out := bufio.NewWriter(cmd.OutOrStdout())
	switch f.format {
	case "markdown", "md":
		err = inspect.WriteMarkdown(out, d)
	case "json":
		err = inspect.WriteJSON(out, d)
	default:
		err = inspect.WriteText(out, d)
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("diagnose: writing the report: %w", err)}
	}
	if d.HasError() || d.HasMismatch() {
		return &exitError{code: 1}
	}
	return nil
}

// options checks the flags and returns the options they ask for; every
// error is a usage error.
func (f *diagnoseFlags) options() (inspect.Options, error) {
	opt := inspect.Options{Status: f.status, StallThreshold: f.stall, Window: inspect.ReportWindow}
	switch f.format {
	case "text", "markdown", "md", "json":
	default:
		return opt, usageErr("diagnose: --format %q: want text, markdown or json", f.format)
	}
	if f.status != 0 && (f.status < 100 || f.status > 999) {
		return opt, usageErr("diagnose: --status %d: want an HTTP status between 100 and 999", f.status)
	}
	if f.stall < 0 {
		return opt, usageErr("diagnose: --stall %s: want a positive duration", f.stall)
	}
	if f.sdk != "" {
		ref, err := inspect.ParseSDKRef(f.sdk)
		if err != nil {
			return opt, usageErr("diagnose: --sdk: %v", err)
		}
		opt.SDK = ref
	}
	return opt, nil
}

// diagnoseFiles reads every file ("-" is stdin, read once) and returns the
// verdicts of all their exchanges. A file holding several exchanges
// yields one verdict per exchange, sourced "file#N".
//
// In a file of several exchanges, successful ones that are plainly not event
// streams (a browser HAR's pages and images) are left out of the report and
// named on notes (nil: no notes).
func diagnoseFiles(paths []string, stdin io.Reader, lim stream.Limits, opt inspect.Options, notes io.Writer) (*inspect.Diagnosis, error) {
	d := &inspect.Diagnosis{ToolVersion: version}
	stdinUsed := false
	for _, p := range paths {
		var xs []*stream.Exchange
		var err error
		if p == "-" {
			if stdinUsed {
				return nil, fmt.Errorf("diagnose: stdin (-) named twice")
			}
			stdinUsed = true
			xs, err = stream.ReadWith("stdin", stdin, lim)
		} else {
			xs, err = stream.ReadFileWith(p, lim)
		}
		if err != nil {
			return nil, fmt.Errorf("diagnose: %w", readErr(p, err))
		}
		if len(xs) == 0 {
			return nil, fmt.Errorf("diagnose: %s: no exchanges in the capture", p)
		}
		name := p
		if p == "-" {
			name = "stdin"
		}
		for i, x := range xs {
			x.Source = exchangeLabel(name, i, len(xs), x.Source)
		}
		vs := make([]*inspect.Verdict, len(xs))
		var kept []*inspect.Verdict
		var skipped []string
		answers := jsonAnswers(xs)
		noteJSONAnswers(notes, name, xs, answers)
		for i, x := range xs {
			vs[i] = diagnoseExchange(x, opt)
			if answers[i] {
				continue
			}
			if len(xs) > 1 && notAStream(x, vs[i]) {
				skipped = append(skipped, fmt.Sprintf("#%d %s", i+1, mediaType(x)))
				continue
			}
			kept = append(kept, vs[i])
		}
		// A browser HAR holds the page, its images and scripts beside the
		// one API stream: report the streams, name what was left out. A file
		// of nothing but such entries is reported whole, never as nothing.
		if len(kept) == 0 {
			kept, skipped = nil, nil
			for i, v := range vs {
				if !answers[i] {
					kept = append(kept, v)
				}
			}
		}
		if len(skipped) > 0 && notes != nil {
			verb := "are"
			if len(skipped) == 1 {
				verb = "is"
			}
			printLine(notes, "midstream: note: %s: skipped %d exchange%s that %s not event streams: %s",
				stream.RedactText(name), len(skipped), plural(len(skipped)), verb, strings.Join(skipped, ", "))
		}
		d.Exchanges = append(d.Exchanges, kept...)
	}
	return d, nil
}

// jsonAnswers returns the indexes of the exchanges of xs that are whole
// JSON answers, not streams, in a cassette of streamed calls (a
// non-streaming call recorded beside them), for reports to leave out. A file of one exchange, or of
// nothing but such answers, is reported whole: nil then.
func jsonAnswers(xs []*stream.Exchange) map[int]bool {
	if len(xs) < 2 {
		return nil
	}
	m := map[int]bool{}
	for i, x := range xs {
		// Cassettes only: a browser HAR's JSON is among the non-streams
		// notAStream names together.
		// Gemini's streamed JSON array is one well-formed array too, but
		// a stream.
		if (x.Format == stream.FormatGoVCR || x.Format == stream.FormatVCRPy) && x.JSONAnswer() && !inspect.StreamedJSONArray(x) {
			m[i] = true
		}
	}
	if len(m) == 0 || len(m) == len(xs) {
		return nil
	}
	return m
}

// noteJSONAnswers names on notes (nil: none) each exchange of the file
// name that jsonAnswers left out.
func noteJSONAnswers(notes io.Writer, name string, xs []*stream.Exchange, answers map[int]bool) {
	if notes == nil {
		return
	}
	for i := range xs {
		if !answers[i] {
			continue
		}
		printLine(notes, "midstream: note: %s: interaction %d: a JSON answer, not a stream — skipped", stream.RedactText(name), i+1)
	}
}

// notAStream reports whether a successful exchange is plainly not an event
// stream: labelled with another Content-Type, no known provider, no events.
func notAStream(x *stream.Exchange, v *inspect.Verdict) bool {
	if x.Response == nil || x.Response.Status < 200 || x.Response.Status > 299 {
		return false
	}
	mt := mediaType(x)
	return mt != "" && mt != "text/event-stream" && v.Provider == inspect.ProviderGeneric && v.Outcome == inspect.OutcomeEmpty
}

// mediaType is the response's Content-Type without parameters, lower-cased.
func mediaType(x *stream.Exchange) string {
	if x.Response == nil {
		return ""
	}
	mt, _, _ := strings.Cut(x.Response.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
