// Command anthropic-accumulate streams with the official Anthropic Go SDK
// and builds the whole message with the SDK's helper (Message.Accumulate),
// exiting 1 when the helper or the stream reports an error — the usage the
// SDK's README shows. The end-to-end drill test runs it under
// `midstream drill`.
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
	client := anthropic.NewClient()
	s := client.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_5,
		MaxTokens: 64,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello"))},
	})
	msg := anthropic.Message{}
	for s.Next() {
		if err := msg.Accumulate(s.Current()); err != nil {
			fmt.Fprintln(os.Stderr, "accumulate:", err)
			os.Exit(1)
		}
	}
	if err := s.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	for _, b := range msg.Content {
		fmt.Print(b.Text)
	}
	fmt.Printf("\nstop_reason=%q\n", msg.StopReason)
}
