// Command openai-responses-raw streams a Responses API call with openai-go:
// it iterates the raw events, prints the text deltas and exits 1 only when
// the SDK surfaces an error (stream.Err). The end-to-end drill test runs
// it under `midstream drill`, which answers …/responses with its built-in
// Responses stream.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := openai.NewClient()
	s := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: openai.ChatModelGPT4_1Mini,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello")},
	})
	for s.Next() {
		if ev := s.Current(); ev.Type == "response.output_text.delta" {
			fmt.Print(ev.Delta)
		}
	}
	fmt.Println()
	if err := s.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
