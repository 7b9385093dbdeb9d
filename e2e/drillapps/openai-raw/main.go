// Command openai-raw is the smallest streaming app on openai-go: it
// iterates the raw chunk stream, prints the text and exits 1 only when the
// SDK surfaces an error (stream.Err). The end-to-end drill test runs it
// under `midstream drill`; the SDK reads OPENAI_BASE_URL and
// OPENAI_API_KEY, which drill sets.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/openai/openai-go/v3"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := openai.NewClient() // default retries (2), as an app would have them
	s := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
	})
	for s.Next() {
		if c := s.Current(); len(c.Choices) > 0 {
			fmt.Print(c.Choices[0].Delta.Content)
		}
	}
	fmt.Println()
	if err := s.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
