// Command anthropic-raw is the smallest streaming app on the official
// Anthropic Go SDK: it iterates the raw event stream, prints the text and
// exits 1 only when the SDK surfaces an error (stream.Err). The end-to-end
// drill test runs it under `midstream drill`; the SDK reads
// ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY, which drill sets.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := anthropic.NewClient() // default retries (2), as an app would have them
	s := client.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_5,
		MaxTokens: 64,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello"))},
	})
	for s.Next() {
		if d, ok := s.Current().AsAny().(anthropic.ContentBlockDeltaEvent); ok {
			fmt.Print(d.Delta.Text)
		}
	}
	fmt.Println()
	if err := s.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
