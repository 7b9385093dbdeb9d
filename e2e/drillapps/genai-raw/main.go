// Command genai-raw is the smallest streaming app on the official Go Gen
// AI SDK (google.golang.org/genai): it ranges over
// client.Models.GenerateContentStream, prints the text and exits 1 only
// when the iterator yields an error. The end-to-end drill test runs it
// under `midstream drill`; the SDK reads GOOGLE_GEMINI_BASE_URL and
// GEMINI_API_KEY / GOOGLE_API_KEY (genai client.go,
// defaultEnvVarProvider; base_url.go, getBaseURL), which drill sets.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/genai"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Default options, as an app would have them: the backend, key and
	// base URL all come from the environment.
	client, err := genai.NewClient(ctx, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Say hello"), nil) {
		if err != nil {
			fmt.Println()
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		fmt.Print(resp.Text())
	}
	fmt.Println()
}
