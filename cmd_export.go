package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

func init() {
	commands = append(commands, newExportCmd)
}

func newExportCmd() *cobra.Command {
	var (
		to       string
		out      string
		exchange int
		limits   limitFlags
	)
	cmd := &cobra.Command{
		Use:   "export FILE --to sse|jsonl|har [-o OUT] [--exchange N]",
		Short: "Convert a capture (SSE body, curl dump, HAR, VCR, midstream JSONL) to another format",
		Long: `export reads any capture midstream understands (format detected from its content;
FILE "-" is standard input) and writes it as:

  sse    the exact response body bytes of one exchange
  jsonl  midstream's own capture format (all exchanges, chunk times kept)
  har    HAR 1.2 (all exchanges)

Secrets (API keys, Authorization, cookies, key= query parameters) are redacted
in jsonl and har output. Exchanges are numbered from 1 in file order.`,
		Example: `  midstream export session.har --to jsonl -o failing.jsonl
  midstream export session.har --to sse --exchange 3 > body.sse
  curl -sN -i … | midstream export - --to har -o stream.har`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("export takes one FILE (or - for standard input), got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd, args[0], to, out, exchange, limits.limits())
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "output format: sse, jsonl or har (required)")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "output file; - is standard output")
	cmd.Flags().IntVar(&exchange, "exchange", 0, "export only exchange N (from 1, as listed)")
	limits.register(cmd)
	return cmd
}

func runExport(cmd *cobra.Command, in, to, out string, n int, lim stream.Limits) error {
	switch to {
	case "sse", "jsonl", "har":
	case "":
		return usageErr("--to is required: sse, jsonl or har")
	default:
		return usageErr("--to %q: want sse, jsonl or har", to)
	}
	// 0 means "all", but only as the default: "--exchange 0" typed by a
	// user counting from zero must not quietly export every exchange.
	if n < 0 || n == 0 && cmd.Flags().Changed("exchange") {
		return usageErr("--exchange %d: exchanges are numbered from 1", n)
	}
	if err := refuseTerminalStdin(cmd, "export --to "+to+" -", in); err != nil {
		return err
	}
	xs, err := readCapture(cmd, in, lim)
	if err != nil {
		return err
	}
	// Messages name exchanges by the file the user typed; the exchanges
	// keep their own Source, which the output carries.
	name := in
	if in == "-" {
		name = "stdin"
	}
	labels := make([]string, len(xs))
	for i, x := range xs {
		labels[i] = exchangeLabel(name, i, len(xs), x.Source)
	}
	if n > len(xs) {
		return usageErr("--exchange %d: %s holds %d exchange(s):\n%s", n, in, len(xs), listExchanges(xs, labels))
	}
	if n > 0 {
		xs, labels = xs[n-1:n], labels[n-1:n]
	}
	if to == "sse" && len(xs) > 1 {
		return usageErr("%s holds %d exchanges and --to sse writes one body: choose one with --exchange N:\n%s", in, len(xs), listExchanges(xs, labels))
	}
	for i, x := range xs {
		for _, note := range x.Notes {
			if note == stream.NoteCurlNoRequestBody && x.Format != stream.FormatHTTP {
				continue // carried from an earlier export, not news here
			}
			printLine(cmd.ErrOrStderr(), "midstream: note: %s: %s", stream.RedactText(labels[i]), stream.RedactText(note))
		}
	}
	if to == "sse" && xs[0].BodyMissing {
		return &exitError{code: 1, err: fmt.Errorf("%s: the capture has no response body for this exchange, so there is nothing to write as sse", labels[0])}
	}
	w, commit, err := createOutput(cmd, out)
	if err != nil {
		return err
	}
	// Written through a buffer rather than built whole in memory: a
	// 64 MiB capture would otherwise be held twice more, as the encoded
	// output and as the buffer it grew in.
	if out == "-" && stdoutIsTerminal() {
		// A capture's bytes are untrusted: on a terminal they are shown
		// escaped, never acted on. A file or a pipe gets them exact.
		sw := &stream.SafeWriter{W: w, JSON: to != "sse"}
		defer sw.Close()
		w = sw
		if to == "sse" {
			printLine(cmd.ErrOrStderr(), "midstream: standard output is a terminal: control characters are shown escaped; -o FILE or a pipe gets the exact bytes")
		}
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	switch to {
	case "sse":
		err = stream.WriteSSE(bw, xs[0])
	case "jsonl":
		err = stream.WriteJSONL(bw, xs...)
	case "har":
		err = stream.WriteHAR(bw, xs...)
	}
	if err == nil {
		err = bw.Flush()
	}
	return commit(err)
}

// createOutput opens where export writes: standard output for "-", else
// out through stream.CreateOutput (a device or FIFO written into, a
// regular file replaced whole by a rename, a symbolic link refused).
// commit(err) finishes the output: with a nil err it commits it, otherwise
// it drops it, so that a failed export never leaves a partial file behind;
// it returns the first error, naming out. A target that cannot be written
// at all is a usage error (exit status 2).
func createOutput(cmd *cobra.Command, out string) (io.Writer, func(error) error, error) {
	if out == "-" {
		return cmd.OutOrStdout(), func(err error) error {
			if err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
			return nil
		}, nil
	}
	o, err := stream.CreateOutput(out)
	if err != nil {
		return nil, nil, outputErr(err)
	}
	commit := func(err error) error {
		if err != nil {
			o.Abort()
			return &exitError{1, fmt.Errorf("writing %s: %w", out, err)}
		}
		if err := o.Commit(); err != nil {
			return outputErr(err)
		}
		return nil
	}
	return o, commit, nil
}

// outputErr is the exit error of a failed output: status 2 with the
// one-line reason when the target itself cannot be written (a symbolic
// link, a directory, a missing or read-only folder), else status 1.
func outputErr(err error) error {
	var te *stream.TargetError
	if errors.As(err, &te) {
		return &exitError{2, te}
	}
	return &exitError{1, err}
}

// readCapture reads every exchange of the capture at path ("-": the
// command's standard input). Unreadable input is a usage error (status 2)
// whose message names the file, the format and where reading stopped.
func readCapture(cmd *cobra.Command, path string, lim stream.Limits) ([]*stream.Exchange, error) {
	var (
		xs  []*stream.Exchange
		err error
	)
	if path == "-" {
		xs, err = stream.ReadWith("stdin", cmd.InOrStdin(), lim)
	} else {
		xs, err = stream.ReadFileWith(path, lim)
	}
	if err == nil {
		return xs, nil
	}
	return nil, unreadable(path, err)
}

// unreadable is the error for a capture at path that cannot be read: exit
// status 2, as for every command, with the message of readErr.
func unreadable(path string, err error) error {
	return &exitError{code: 2, err: readErr(path, err)}
}

// readErr words a read failure the same way for every command: a
// FormatError as it is (it names the file, the format and where reading
// stopped), anything else as "cannot read PATH: reason".
func readErr(path string, err error) error {
	var fe *stream.FormatError
	var pe *fs.PathError
	var le *stream.LimitError
	switch {
	case errors.As(err, &fe), errors.As(err, &le):
		return err
	case errors.As(err, &pe):
		return fmt.Errorf("cannot read %s: %v", path, pe.Err)
	}
	return fmt.Errorf("cannot read %s: %w", path, err)
}

// exchangeLabel names exchange i of n read from the capture the user named
// name: name itself when it holds one exchange, else name#N (1-based), or
// the exchange's own source when that already says so. A midstream capture
// carries the name of the file it was recorded or converted as, which the
// user may not have.
func exchangeLabel(name string, i, n int, source string) string {
	switch {
	case n == 1:
		return name
	case !strings.HasPrefix(source, name+"#"):
		return fmt.Sprintf("%s#%d", name, i+1)
	}
	return source
}

// listExchanges lists exchanges one a line as users pick them: number,
// label, request line, status and body size.
func listExchanges(xs []*stream.Exchange, labels []string) string {
	var b strings.Builder
	for i, x := range xs {
		req := "(no request)"
		if x.Request != nil {
			req = x.Request.Method + " " + stream.RedactURL(x.Request.URL)
		}
		status := "status unknown"
		if x.Response != nil {
			status = fmt.Sprint(x.Response.Status)
		}
		body := fmt.Sprintf("%d bytes", x.BodyLen())
		if x.BodyMissing {
			body = "no body"
		}
		fmt.Fprintf(&b, "  %3d  %s  %s → %s, %s\n", i+1, stream.SafeLine(stream.RedactText(labels[i])), stream.SafeLine(req), status, body)
	}
	return strings.TrimRight(b.String(), "\n")
}
