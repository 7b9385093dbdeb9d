package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
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
	var (
		format string
		sdk    string
		status int
		stall  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "diagnose FILE...",
		Short: "Print the verdict for every exchange in one or more captures",
		Long: `diagnose reads captures in any format midstream knows (bare SSE, HTTP dumps,
HAR, go-vcr and vcrpy cassettes, midstream JSONL; "-" reads stdin) and prints
one report over every exchange: the HTTP status beside the status the stream's
error stands for, the outcome, grammar findings with fixes, and what your SDK
raises. Secrets are redacted in every format.

Exit status: 0 when no exchange has an error-severity finding, 1 when one
does, 2 when an input cannot be read or the arguments are wrong.`,
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := inspect.Options{Status: status, StallThreshold: stall}
			switch format {
			case "text", "markdown", "md", "json":
			default:
				return usageErr("diagnose: --format %q: want text, markdown or json", format)
			}
			if status != 0 && (status < 100 || status > 999) {
				return usageErr("diagnose: --status %d: want an HTTP status between 100 and 999", status)
			}
			if stall < 0 {
				return usageErr("diagnose: --stall %s: want a positive duration", stall)
			}
			if sdk != "" {
				ref, err := inspect.ParseSDKRef(sdk)
				if err != nil {
					return usageErr("diagnose: --sdk: %v", err)
				}
				opt.SDK = ref
			}
			d, err := diagnoseFiles(args, cmd.InOrStdin(), opt)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			out := bufio.NewWriter(cmd.OutOrStdout())
			switch format {
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
			if d.HasError() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "report format: text, markdown or json")
	f.StringVar(&sdk, "sdk", "", "the SDK your code uses, NAME[@VERSION]: "+strings.Join(inspect.SDKNames, ", "))
	f.IntVar(&status, "status", 0, "HTTP status to assume for captures that hold none (default 200)")
	f.DurationVar(&stall, "stall", 0, "gap between events reported as a stall (default 10s)")
	return cmd
}

// diagnoseFiles reads every file ("-" is stdin, read once) and returns the
// verdicts of all their exchanges. A file holding several exchanges
// yields one verdict per exchange, sourced "file#N".
func diagnoseFiles(paths []string, stdin io.Reader, opt inspect.Options) (*inspect.Diagnosis, error) {
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
			xs, err = stream.Read("stdin", stdin)
		} else {
			if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
				return nil, fmt.Errorf("diagnose: %s: is a directory, not a capture file", p)
			}
			xs, err = stream.ReadFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("diagnose: %w", err)
		}
		if len(xs) == 0 {
			return nil, fmt.Errorf("diagnose: %s: no exchanges in the capture", p)
		}
		name := p
		if p == "-" {
			name = "stdin"
		}
		for i, x := range xs {
			// Label every exchange by the file the user named: a midstream
			// capture carries the name of the file it was converted from,
			// which the user may not have (and `midstream serve` needs this one).
			switch {
			case len(xs) > 1 && !strings.HasPrefix(x.Source, name+"#"):
				x.Source = fmt.Sprintf("%s#%d", name, i+1)
			case len(xs) == 1 && x.Source != name:
				x.Source = name
			}
			d.Exchanges = append(d.Exchanges, diagnoseExchange(x, opt))
		}
	}
	return d, nil
}
