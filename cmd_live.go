package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "live [URL]",
			Short:   "Make a streaming request and watch it arrive",
			Example: "  midstream live --prompt 'Say hi'",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("live is not available yet")
			},
		}
	})
}
