package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "serve FILE",
			Short:   "Serve a capture as a fake API endpoint, at its recorded pace",
			Example: "  midstream serve failing.jsonl --then ok.jsonl",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("serve is not available yet")
			},
		}
	})
}
