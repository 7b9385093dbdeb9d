package inspect

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestAssemble checks the assembled view at several cursor positions.
func TestAssemble(t *testing.T) {
	anthropic := Diagnose(loadExchange(t, filepath.Join("testdata", "anthropic-thinking-tool-crlf.sse")), Options{})
	chat := Diagnose(loadExchange(t, filepath.Join("testdata", "openai-chat-tool-call.sse")), Options{})
	failed := Diagnose(loadExchange(t, filepath.Join("testdata", "openai-responses-failed-quota.sse")), Options{})
	midErr := Diagnose(stream.FromBody("t", []byte(ant(evMS, evStart(0, "text"), evText(0, "Hel"), evText(0, "lo"), evErr("overloaded_error")))), Options{})
	portkey := Diagnose(loadExchange(t, filepath.Join("testdata", "portkey-overloaded-finish-reason.sse")), Options{})
	resp := Diagnose(stream.FromBody("t", []byte(sse(
		"response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","model":"gpt-r"}}`,
		"response.output_item.added", `{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"message","role":"assistant"}}`,
		"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":2,"output_index":0,"delta":"Hi "}`,
		"response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":3,"output_index":0,"delta":"there"}`,
		"response.output_item.added", `{"type":"response.output_item.added","sequence_number":4,"output_index":1,"item":{"type":"function_call","call_id":"call_1","name":"f"}}`,
		"response.function_call_arguments.delta", `{"type":"response.function_call_arguments.delta","sequence_number":5,"output_index":1,"delta":"{}"}`,
		"response.completed", `{"type":"response.completed","sequence_number":6,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":3,"output_tokens":4}}}`,
	))), Options{})

	rows := []struct {
		name string
		v    *Verdict
		upTo int
		want Message
	}{
		{"nothing yet", anthropic, -1, Message{Provider: ProviderAnthropic}},
		{"after message_start", anthropic, 0, Message{Provider: ProviderAnthropic, ID: "msg_fixture01", Model: "claude-sonnet-4-5", Role: "assistant",
			Usage: Usage{InputTokens: 30, OutputTokens: 2}, Events: 1}},
		{"mid tool input", anthropic, 9, Message{Provider: ProviderAnthropic, ID: "msg_fixture01", Model: "claude-sonnet-4-5", Role: "assistant",
			Blocks: []Block{
				{Index: 0, Type: "thinking", Text: "The user wants the weather.\nCall the tool.", Signature: "c2lnbmF0dXJl", Complete: true},
				{Index: 1, Type: "tool_use", ID: "toolu_fixture01", Name: "get_weather", Input: `{"city": "Par`},
			}, Usage: Usage{InputTokens: 30, OutputTokens: 2}, Events: 10}},
		{"whole message", anthropic, 1 << 30, Message{Provider: ProviderAnthropic, ID: "msg_fixture01", Model: "claude-sonnet-4-5", Role: "assistant",
			Blocks: []Block{
				{Index: 0, Type: "thinking", Text: "The user wants the weather.\nCall the tool.", Signature: "c2lnbmF0dXJl", Complete: true},
				{Index: 1, Type: "tool_use", ID: "toolu_fixture01", Name: "get_weather", Input: `{"city": "Paris"}`, Complete: true},
			}, StopReason: "tool_use", Usage: Usage{InputTokens: 30, OutputTokens: 41}, Events: 14}},
		{"partial text then error", midErr, 10, Message{Provider: ProviderAnthropic, ID: "msg_t", Model: "claude-test", Role: "assistant",
			Blocks: []Block{{Index: 0, Type: "text", Text: "Hello"}}, Usage: Usage{InputTokens: 5, OutputTokens: 1},
			ErrorType: "overloaded_error", ErrorMessage: "boom", Events: 5}},
		{"chat tool call", chat, 10, Message{Provider: ProviderOpenAIChat, ID: "chatcmpl-fixture", Model: "gpt-4o-mini", Role: "assistant",
			Blocks:     []Block{{Index: 0, Type: "tool_call", ID: "call_fixture", Name: "get_weather", Input: `{"city":"Paris"}`, Complete: true}},
			StopReason: "tool_calls", Events: 5}},
		{"portkey error as finish_reason", portkey, 10, Message{Provider: ProviderOpenAIChat, ID: "portkey-fixture", Model: "claude-3-5-sonnet-20241022",
			StopReason: "overloaded_error", ErrorType: "overloaded_error", Events: 2}},
		{"responses failed", failed, 10, Message{Provider: ProviderOpenAIResponses, ID: "resp_fixture", Model: "gpt-4.1-mini", StopReason: "failed",
			ErrorType: "insufficient_quota", ErrorMessage: "You exceeded your current quota, please check your plan and billing details.", Events: 4}},
		{"responses text and call", resp, 10, Message{Provider: ProviderOpenAIResponses, ID: "resp_1", Model: "gpt-r", Role: "assistant",
			Blocks:     []Block{{Index: 0, Type: "text", Text: "Hi there"}, {Index: 1, Type: "function_call", ID: "call_1", Name: "f", Input: "{}"}},
			StopReason: "completed", Usage: Usage{InputTokens: 3, OutputTokens: 4}, Events: 7}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := Assemble(r.v, r.upTo)
			if !reflect.DeepEqual(*got, r.want) {
				t.Errorf("Assemble =\n%+v\nwant\n%+v", *got, r.want)
			}
		})
	}
}
