package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "diagnose FILE...",
			Short:   "Print the verdict for every exchange in one or more captures",
			Example: "  midstream diagnose --format markdown stream.sse",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("diagnose is not available yet")
			},
		}
	})
}
