package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui"
	"github.com/midstreamhq/midstream/ui/demodata"
)

func init() {
	commands = append(commands, func() *cobra.Command {
		var flags inspectorFlags
		var list bool
		cmd := &cobra.Command{
			Use:   "demo [NAME]",
			Short: "Open the inspector on built-in example streams (offline)",
			Long: `Open the inspector on built-in example exchanges, offline. Without NAME it
opens the main case — HTTP 200, then overloaded_error mid-stream — and esc
goes to the list of all examples. When stdout is not a terminal, the text
diagnosis of the example is printed instead.`,
			Example: "  midstream demo\n  midstream demo truncated\n  midstream demo --list",
			Args:    cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				if list {
					for _, d := range demodata.All {
						fmt.Fprintf(cmd.OutOrStdout(), "%-12s %s\n", d.Name, d.Title)
					}
					return nil
				}
				start := 1 // the default demo comes first
				if len(args) == 1 {
					names := demodata.Names()
					i := slices.Index(names, args[0])
					if i < 0 {
						return usageErr("no demo %q; the demos are: %s", args[0], strings.Join(names, ", "))
					}
					start = i + 1
				}
				xs := make([]*stream.Exchange, len(demodata.All))
				for i, d := range demodata.All {
					xs[i] = d.Exchange()
				}
				opt, err := flags.options(cmd, "demo")
				if err != nil {
					return err
				}
				opt.Start = start
				if !stdoutIsTerminal() {
					return printDiagnosis(cmd.OutOrStdout(), xs[start-1:start], opt)
				}
				if err := ui.RunReplay(xs, opt); err != nil {
					return &exitError{code: 1, err: err}
				}
				return nil
			},
		}
		flags.register(cmd)
		cmd.Flags().BoolVar(&list, "list", false, "list the demos and exit")
		return cmd
	})
}
