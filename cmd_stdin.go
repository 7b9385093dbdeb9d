package main

import (
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

// stdinIsTerminal reports whether r, a command's standard input, is a
// terminal. Tests replace it.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// refuseTerminalStdin returns a usage error (exit status 2) when one of
// paths is "-" while the command's standard input is a terminal: nobody
// would type a capture, and the inspector would read q and Ctrl-C as its
// bytes. example is the command line after "midstream" that reads stdin,
// for the hint, e.g. "replay -".
func refuseTerminalStdin(cmd *cobra.Command, example string, paths ...string) error {
	for _, p := range paths {
		if p == "-" && stdinIsTerminal(cmd.InOrStdin()) {
			return usageErr("%s -: standard input is a terminal; pipe a capture in: cat capture.jsonl | midstream %s", cmd.CalledAs(), example)
		}
	}
	return nil
}
