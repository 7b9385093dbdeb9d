package main

import (
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui/demodata"
)

// captureExts are the file extensions shell completion offers for a
// capture argument: bare SSE, curl -i / -v dumps, HAR, VCR cassettes and
// midstream's own jsonl.
var captureExts = []string{"sse", "txt", "http", "log", "har", "json", "jsonl", "yaml", "yml"}

// maxCompletionCapture is the largest capture whose exchanges --exchange
// completion counts: completion must answer at once, and a bigger file
// is left to the user.
const maxCompletionCapture = 8 << 20

// registerCompletions adds value completion to the command tree: demo
// names, capture files for file arguments, and the values of --format,
// --to, --sdk and --exchange wherever those flags exist.
func registerCompletions(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "demo":
			cmd.ValidArgsFunction = completeDemoNames
		case "diagnose":
			cmd.ValidArgsFunction = completeCaptures(-1)
		case "export", "replay", "serve":
			cmd.ValidArgsFunction = completeCaptures(1)
		case "drill":
			// drill's arguments are a command line, its --format has
			// "table" not "text"; registered before the generic --format
			// below, which then leaves it alone (cobra keeps the first).
			_ = cmd.RegisterFlagCompletionFunc("capture", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return captureExts, cobra.ShellCompDirectiveFilterFileExt
			})
			flagValues(cmd, "format", "table", "markdown", "json")
		}
		flagValues(cmd, "format", "text", "markdown", "json")
		flagValues(cmd, "to", "sse", "jsonl", "har")
		flagValues(cmd, "sdk", inspect.SDKNames...)
		if cmd.Flags().Lookup("exchange") != nil {
			_ = cmd.RegisterFlagCompletionFunc("exchange", completeExchanges)
		}
	}
}

// flagValues makes flag name of cmd, if it has one, complete to values.
func flagValues(cmd *cobra.Command, name string, values ...string) {
	if cmd.Flags().Lookup(name) == nil {
		return
	}
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// completeDemoNames completes the one NAME argument of demo.
func completeDemoNames(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return demodata.Names(), cobra.ShellCompDirectiveNoFileComp
}

// completeCaptures completes capture files for the first max arguments
// (every argument when max < 0).
func completeCaptures(max int) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if max >= 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return captureExts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// completeExchanges completes --exchange with the exchange numbers of the
// capture named by the first argument, when it is a small readable file.
func completeExchanges(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 || args[0] == "-" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if fi, err := os.Stat(args[0]); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxCompletionCapture {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	xs, err := stream.ReadFile(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		// "N\tdescription": shells that show descriptions name the
		// exchange; the description is redacted and made one safe line.
		out[i] = strconv.Itoa(i+1) + "\t" + stream.SafeLine(stream.RedactText(x.Source))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
