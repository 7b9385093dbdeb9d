// Command midstream shows the event timeline of a Server-Sent-Events stream
// from an LLM API beside its HTTP status and the status an in-stream error
// stands for, with the fixes that fit the user's SDK.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/stream"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// exitError carries the exit status a command wants; its message, if any,
// has already been printed or is printed by main.
type exitError struct {
	code int
	err  error
}

// Error returns the message main prints.
func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// Unwrap returns the underlying error.
func (e *exitError) Unwrap() error { return e.err }

// usageErr wraps an argument error so that it exits with status 2.
func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "midstream",
		Short: "See where an LLM stream's HTTP status and its in-stream error disagree",
		Long: `midstream opens a Server-Sent-Events stream from an LLM API — live, through a
local proxy, or replayed from a capture file — and shows its event timeline
beside the HTTP status and the status an in-stream error stands for
(e.g. HTTP 200 while "event: error" says overloaded_error = 529), with what
your SDK will raise and what to change.`,
		Example: `  midstream demo                         # the built-in examples, offline
  midstream diagnose capture.har         # verdict for every exchange in a file
  midstream replay stream.sse            # inspect a capture interactively
  midstream proxy                        # ANTHROPIC_BASE_URL=http://127.0.0.1:8787 your-app`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("midstream {{.Version}}\n")
	for _, add := range commands {
		root.AddCommand(add())
	}
	registerCompletions(root)
	return root
}

// commands lists the constructors of the subcommands; each cmd_*.go file
// adds its own in an init function so that files stay independent.
var commands []func() *cobra.Command

func main() {
	root := newRootCmd()
	root.SetArgs(otlpArgs(os.Args[1:]))
	err := root.Execute()
	if err == nil {
		return
	}
	code := 2
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			os.Exit(code)
		}
	}
	// An error can quote a file name, a URL, an -H value, a capture's
	// content or a server's answer: it is printed redacted and through the
	// same boundary as the reports.
	fmt.Fprintln(os.Stderr, stream.SafeText("midstream: "+stream.RedactText(err.Error())))
	os.Exit(code)
}

// printLine writes one line to w, formatted as by fmt.Sprintf, with every
// key shape redacted (stream.RedactText) and shown by the rule of
// stream.SafeLine: a value from a stream, a capture, a request header or
// an error can neither leak a key, end the line, forge another, nor reach
// the terminal as an escape sequence (␛, \u202e, …). Every note and log
// line the commands print goes through it.
func printLine(w io.Writer, format string, a ...any) {
	fmt.Fprintln(w, stream.SafeLine(stream.RedactText(fmt.Sprintf(format, a...))))
}
