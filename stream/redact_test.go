package stream

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	const canary = "sk-ant-URLCANARY123456789" // 25 bytes
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"key param keeps the public prefix and the length", "http://h/v1/messages?key=" + canary,
			"http://h/v1/messages?key=sk-ant-[REDACTED len=25]"},
		{"api_key among other params keeps their order and encoding", "http://h/p?z=1&api_key=" + canary + "&a=x%20y",
			"http://h/p?z=1&api_key=sk-ant-[REDACTED len=25]&a=x%20y"},
		{"redacting twice reports the key's length, not the hint's", "http://h/p?api_key=" + canary, ""},
		{"no secret params left untouched", "http://h/p?beta=true&b=2", "http://h/p?beta=true&b=2"},
		{"x-goog-api-key and auth_token params", "http://h/p?x-goog-api-key=AIzaSyCANARY0123456789&auth_token=TOKCANARY0123456789&alt=sse",
			"http://h/p?x-goog-api-key=AIza[REDACTED len=22]&auth_token=[REDACTED len=19]&alt=sse"},
		{"camelCase apiKey", "http://h/p?openaiApiKey=OPENAICANARY0123456", "http://h/p?openaiApiKey=[REDACTED len=19]"},
		{"short key keeps only its length", "http://h/p?key=abc", "http://h/p?key=[REDACTED len=3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			if tc.want == "" { // idempotence case
				tc.want = got
				got = RedactURL(RedactURL(got))
			}
			if got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.Contains(got, "CANARY") {
				t.Errorf("canary survived: %q", got)
			}
		})
	}
}

func TestRedactRequestBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"api_key member", `{"model":"m","api_key":"BODYFIELDCANARY0123456789"}`, `{"model":"m","api_key":"[REDACTED len=25]"}`},
		{"camelCase and spacing kept", `{"apiKey" : "BODYFIELDCANARY0123456789"}`, `{"apiKey" : "[REDACTED len=25]"}`},
		{"token and secret members", `{"access_token":"TOKCANARY0123456","client_secret":"abc"}`, `{"access_token":"[REDACTED len=16]","client_secret":"[REDACTED len=3]"}`},
		{"sk- key in a message", `{"content":"my key is sk-ant-api03-USERMSGCANARY0123456789"}`, `{"content":"my key is sk-ant-api03-[REDACTED len=36]"}`},
		{"numeric token counts untouched", `{"max_tokens":1024,"stream":true}`, `{"max_tokens":1024,"stream":true}`},
		{"escaped quotes stay inside the value", `{"api_key":"CANARY\"QUOTED0123456"}`, `{"api_key":"[REDACTED len=21]"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := FromBody("t", nil)
			x.Request = &Request{Method: "POST", URL: "http://h/v1/messages", Body: []byte(tc.body)}
			got := string(Redact(x).Request.Body)
			if got != tc.want {
				t.Errorf("body = %s, want %s", got, tc.want)
			}
			if strings.Contains(got, "CANARY0") || strings.Contains(got, "QUOTED") || !json.Valid([]byte(got)) {
				t.Errorf("canary survived: %s", got)
			}
		})
	}
}
