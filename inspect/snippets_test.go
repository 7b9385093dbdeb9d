package inspect

import (
	"strings"
	"testing"
)

// TestSnippetsRetryOnlyBeforeOutput: every snippet, in every era, gates
// its retry on nothing having been delivered, and names the version-
// specific way to read the error type.
func TestSnippetsRetryOnlyBeforeOutput(t *testing.T) {
	tests := []struct {
		sdk, version, want string
	}{
		{SDKAnthropicPython, "0.86.0", `e.body or {}`},
		{SDKAnthropicPython, "0.87.0", `kind = e.type`},
		{SDKAnthropicTypeScript, "0.27.2", "APIConnectionError ? 'overloaded_error'"},
		{SDKAnthropicTypeScript, "0.27.3", "JSON.parse(e.message)"},
		{SDKAnthropicTypeScript, "0.50.0", "(e.error as any)?.error?.type"},
		{SDKAnthropicTypeScript, "0.81.0", "? e.type :"},
		{SDKAnthropicGo, "1.37.0", `"received error while streaming: "`},
		{SDKAnthropicGo, "1.38.0", "errors.As(err, &apiErr)"},
		{SDKAnthropicGo, "2.15.0", `"github.com/anthropics/anthropic-sdk-go/v2"`},
		{SDKAnthropicJava, "0.8.0", "catch (AnthropicException e)"},
		{SDKAnthropicJava, "0.9.0", "catch (SseException e)"},
		{SDKAnthropicJava, "2.19.0", "e.errorType()"},
		{SDKVercelAI, "0.0.33", "value?.error?.type"},
		{SDKVercelAI, "2.0.49", "part.type === 'error'"},
		{SDKVercelAI, "2.0.50", "an overload in the first chunk"},
		{SDKOpenAIPython, "1.0.0", "e.code or e.type"},
		{SDKOpenAINode, "4.12.1", "(chunk as any).error"},
		{SDKOpenAINode, "4.12.2", "e.status === undefined"},
		{SDKOpenAIGo, "3.16.0", `"received error while streaming: "`},
		{SDKOpenAIGo, "3.17.0", "*ssestream.StreamError"},
	}
	for _, tt := range tests {
		t.Run(tt.sdk+"@"+tt.version, func(t *testing.T) {
			_, code := snippetFor(tt.sdk, mustVersion(tt.version), situation{kind: sitStreamErr})
			if !strings.Contains(code, "delivered") {
				t.Errorf("snippet does not track delivered content:\n%s", code)
			}
			if !strings.Contains(code, tt.want) {
				t.Errorf("snippet lacks %q:\n%s", tt.want, code)
			}
		})
	}
}

// TestSnippetsTruncatedRequireStop: for a truncated stream the snippet
// checks for the terminating event; otherwise it does not track it.
func TestSnippetsTruncatedRequireStop(t *testing.T) {
	for _, sdk := range []string{SDKAnthropicPython, SDKAnthropicTypeScript, SDKAnthropicGo} {
		v := mustVersion(CurrentSDKVersions[sdk])
		_, trunc := snippetFor(sdk, v, situation{kind: sitTruncated})
		_, errSnip := snippetFor(sdk, v, situation{kind: sitStreamErr})
		if !strings.Contains(trunc, "message_stop") || !strings.Contains(trunc, "stop") {
			t.Errorf("%s truncated snippet does not require message_stop:\n%s", sdk, trunc)
		}
		if sdk != SDKAnthropicGo && strings.Contains(errSnip, "message_stop") {
			t.Errorf("%s error snippet tracks an unused stop flag:\n%s", sdk, errSnip)
		}
	}
}
