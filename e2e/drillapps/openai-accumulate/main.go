// Command openai-accumulate streams with openai-go and builds the whole
// completion with the SDK's helper (ChatCompletionAccumulator), exiting 1
// when the stream reports an error or the helper refuses a chunk — the
// usage the SDK's README shows. The end-to-end drill test runs it under
// `midstream drill`.
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
	client := openai.NewClient()
	s := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
	})
	acc := openai.ChatCompletionAccumulator{}
	for s.Next() {
		if !acc.AddChunk(s.Current()) {
			fmt.Fprintln(os.Stderr, "accumulate: chunk refused")
			os.Exit(1)
		}
	}
	if err := s.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if len(acc.Choices) == 0 {
		fmt.Println("(no choices)")
		return
	}
	fmt.Printf("%s\nfinish_reason=%q\n", acc.Choices[0].Message.Content, acc.Choices[0].FinishReason)
}
