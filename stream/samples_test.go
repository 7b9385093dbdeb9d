package stream

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// samplesDir holds real and reconstructed provider streams shared by the
// project (see its SOURCES.md). It sits beside the repository and is not
// part of it, so the conformance test skips when it is absent.
const samplesDir = "../../shared/samples"

// rep returns n copies of typ.
func rep(n int, typ string) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = typ
	}
	return s
}

// seq concatenates event type lists.
func seq(parts ...[]string) []string { return slices.Concat(parts...) }

func one(types ...string) []string { return types }

// sampleWant is what a sample file must decode to.
type sampleWant struct {
	types    []string // event types, in order
	comments int      // comment lines
	lastData string   // when set, the last event's data
}

var sampleExpectations = map[string]sampleWant{
	"anthropic-api-error-midstream.sse": {types: one("message_start", "content_block_start", "ping", "content_block_delta", "error")},
	"anthropic-basic-text.sse": {types: one("message_start", "content_block_start", "ping", "content_block_delta",
		"content_block_delta", "content_block_stop", "message_delta", "message_stop")},
	"anthropic-extended-thinking.sse": {types: seq(one("message_start", "content_block_start"), rep(7, "content_block_delta"),
		one("content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"))},
	"anthropic-overloaded-first-event.sse": {types: one("error")},
	"anthropic-overloaded-midstream.sse":   {types: one("message_start", "content_block_start", "ping", "content_block_delta", "error")},
	"anthropic-tool-use.sse": {types: seq(one("message_start", "content_block_start", "ping"), rep(13, "content_block_delta"),
		one("content_block_stop", "content_block_start"), rep(9, "content_block_delta"),
		one("content_block_stop", "message_delta", "message_stop"))},
	"anthropic-truncated-mid-tool-json.sse": {types: seq(one("message_start", "content_block_start", "content_block_delta",
		"content_block_stop", "content_block_start"), rep(3, "content_block_delta"))},
	"anthropic-truncated-no-message-stop.sse": {types: one("message_start", "content_block_start", "ping",
		"content_block_delta", "content_block_delta", "content_block_stop")},
	"openai-chat-error-first-chunk.sse": {types: one("message", "message"), lastData: "[DONE]"},
	"openai-responses-error-event.sse":  {types: one("response.created", "error")},
	"openrouter-midstream-error.sse":    {types: one("message", "message"), comments: 2},
}

// TestSamplesConformance decodes every *.sse sample and checks the event
// types in order, the comment count, that every event's data is JSON (or
// OpenAI's "[DONE]"), that frames are exact slices of the file, that a file
// ending in a blank line yields no unterminated event, and that one-byte
// reads decode the same.
func TestSamplesConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.sse"))
	if err != nil || len(files) == 0 {
		t.Skipf("no samples in %s (the shared folder is not beside this checkout)", samplesDir)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := sampleExpectations[name]
			if !ok {
				t.Fatalf("no expectations for %s: add it to sampleExpectations", name)
			}
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := decodeWith(t, NewDecoder(bytes.NewReader(body)))
			var types []string
			for i, e := range got.events {
				types = append(types, e.Type)
				if e.Unterminated && (bytes.HasSuffix(body, []byte("\n\n")) || bytes.HasSuffix(body, []byte("\r\n\r\n"))) {
					t.Errorf("event %d unterminated, but the file ends with a blank line", i)
				}
				if !json.Valid([]byte(e.Data)) && e.Data != "[DONE]" {
					t.Errorf("event %d (%s) data is not JSON: %.80q", i, e.Type, e.Data)
				}
				frame := string(body[e.Offset : e.Offset+e.Length])
				if !strings.Contains(frame, "data:") || !strings.HasSuffix(frame, "\n\n") {
					t.Errorf("event %d frame %.80q is not a data frame ending in a blank line", i, frame)
				}
			}
			if !slices.Equal(types, want.types) {
				t.Errorf("types = %q\nwant    %q", types, want.types)
			}
			if len(got.comments) != want.comments {
				t.Errorf("%d comments, want %d", len(got.comments), want.comments)
			}
			if want.lastData != "" && (len(got.events) == 0 || got.events[len(got.events)-1].Data != want.lastData) {
				t.Errorf("last event data is not %q", want.lastData)
			}
			sameEvents(t, body, "one-byte reads", decodeWith(t, NewDecoder(iotest.OneByteReader(bytes.NewReader(body)))), got, true)
		})
	}
	for name := range sampleExpectations {
		if !seen[name] {
			t.Errorf("expected sample %s is missing from %s", name, samplesDir)
		}
	}
}
