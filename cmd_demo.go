package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "demo",
			Short:   "Open the inspector on built-in example streams (offline)",
			Example: "  midstream demo",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("demo is not available yet")
			},
		}
	})
}
