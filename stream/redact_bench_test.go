package stream

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// typicalRequest is a 10 KB Anthropic Messages request with no secret but
// its x-api-key: a system prompt, a conversation and two tools, the body
// Redact scans for every capture the proxy writes.
func typicalRequest() *Exchange {
	var msgs []string
	for i := 0; len(strings.Join(msgs, ",")) < 8500; i++ {
		role := []string{"user", "assistant"}[i%2]
		text := strings.Repeat(fmt.Sprintf("Turn %d: the quick brown fox (task-%d) jumps over the lazy dog; max_tokens stays 1024. ", i, i), 4)
		msgs = append(msgs, fmt.Sprintf(`{"role":%q,"content":[{"type":"text","text":%q}]}`, role, text))
	}
	body := `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"temperature":0.7,` +
		`"system":"You are a helpful assistant. Answer briefly.",` +
		`"tools":[{"name":"get_weather","description":"Get the weather","input_schema":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"]}},` +
		`{"name":"search","description":"Search the web","input_schema":{"type":"object","properties":{"query":{"type":"string"},"max_results":{"type":"integer"}}}}],` +
		`"messages":[` + strings.Join(msgs, ",") + `]}`
	h := http.Header{}
	h.Set("X-Api-Key", "sk-ant-api03-"+strings.Repeat("A", 95))
	h.Set("Anthropic-Version", "2023-06-01")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Anthropic/Python 0.86.0")
	h.Set("X-Stainless-Lang", "python")
	h.Set("X-Stainless-Package-Version", "0.86.0")
	h.Set("X-Stainless-Retry-Count", "0")
	h.Set("Accept", "application/json")
	x := &Exchange{Source: "proxy#1", Request: &Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages?beta=true", Header: h, Body: []byte(body)}}
	return x
}

// BenchmarkRedactRequest measures Redact on typicalRequest (the proxy
// pays it once per capture).
func BenchmarkRedactRequest(b *testing.B) {
	x := typicalRequest()
	b.SetBytes(int64(len(x.Request.Body)))
	b.ReportAllocs()
	for b.Loop() {
		Redact(x)
	}
}

// BenchmarkRedactText measures RedactText on the same body as free text.
func BenchmarkRedactText(b *testing.B) {
	s := string(typicalRequest().Request.Body)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		RedactText(s)
	}
}
