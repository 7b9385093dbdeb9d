package main

import "github.com/spf13/cobra"

func init() {
	commands = append(commands, func() *cobra.Command {
		return &cobra.Command{
			Use:     "export FILE --to sse|jsonl|har [-o OUT]",
			Short:   "Convert a capture (SSE body, curl dump, HAR, VCR, midstream JSONL) to another format",
			Example: "  midstream export session.har --to jsonl -o failing.jsonl",
			RunE: func(cmd *cobra.Command, args []string) error {
				return usageErr("export is not available yet")
			},
		}
	})
}
