package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "replay FILE",
			Short:   "Open a capture in the interactive inspector, at its recorded pace",
			Example: "  midstream replay failing.jsonl",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("replay is not available yet")
			},
		}
	})
}
