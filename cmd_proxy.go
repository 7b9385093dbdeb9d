package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "proxy",
			Short:   "Reverse proxy that records and shows every stream between your app and the API",
			Example: "  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 python app.py",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("proxy is not available yet")
			},
		}
	})
}
