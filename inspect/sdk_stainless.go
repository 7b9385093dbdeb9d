package inspect

import (
	"net/http"
	"strings"
)

// What the Stainless-generated SDKs (the Anthropic and OpenAI SDKs of
// Python, TypeScript, Go and Java) share: the retry rule, the status error
// classes, and how their X-Stainless-* headers name them.

// stainlessRetries is the retry rule of the official (Stainless-generated)
// SDKs for an HTTP error: x-should-retry decides when present, else 408,
// 409, 429 and every 5xx are retried (domain.md §1.3, A2).
func stainlessRetries(status int, shouldRetry string) bool {
	switch shouldRetry {
	case "true":
		return true
	case "false":
		return false
	}
	return status == 408 || status == 409 || status == 429 || status >= 500
}

// stainlessStatusClass is the status error class shared by the
// Stainless-generated Python and TypeScript SDKs (anthropic and openai
// alike), without its package prefix; "" for a status with no class of
// its own.
func stainlessStatusClass(status int) string {
	switch {
	case status == 400:
		return "BadRequestError"
	case status == 401:
		return "AuthenticationError"
	case status == 403:
		return "PermissionDeniedError"
	case status == 404:
		return "NotFoundError"
	case status == 409:
		return "ConflictError"
	case status == 422:
		return "UnprocessableEntityError"
	case status == 429:
		return "RateLimitError"
	case status >= 500:
		return "InternalServerError"
	}
	return ""
}

// pythonStatusClass is the class a Python SDK (pkg "anthropic" or
// "openai") raises for an HTTP error status.
func pythonStatusClass(pkg string, status int, v version, async bool) string {
	// anthropic 0.47.0 added RequestTooLargeError and OverloadedError;
	// AsyncAnthropic mapped them only from 0.85.0.
	own413And529 := pkg == "anthropic" && v.atLeast("0.47.0") && (!async || v.atLeast("0.85.0"))
	c := stainlessStatusClass(status)
	switch {
	case status == 413 && own413And529:
		c = "RequestTooLargeError"
	case status == 529 && own413And529:
		c = "OverloadedError"
	case c == "":
		c = "APIStatusError"
	}
	return pkg + "." + c
}

// tsStatusClass is the class a TypeScript SDK (pkg "Anthropic" or
// "OpenAI") throws for an HTTP error status.
func tsStatusClass(pkg string, status int, v version) string {
	c := stainlessStatusClass(status)
	switch {
	case pkg == "Anthropic" && status == 529 && v.atLeast("1.14.0"):
		c = "OverloadedError"
	case pkg == "Anthropic" && status == 529 && v.atLeast("0.137.1"):
		// sdk-matrix: InternalServerError in 0.137.0, OverloadedError in 1.14.0.
		return "Anthropic.InternalServerError or Anthropic.OverloadedError (changed between 0.137.0 and 1.14.0)"
	case c == "":
		c = "APIError"
	}
	return pkg + "." + c
}

// detectStainless names a Stainless-generated SDK from X-Stainless-Lang
// and X-Stainless-Package-Version; the request's headers, URL and
// provider decide between the Anthropic and the OpenAI SDK of a language.
func detectStainless(h http.Header, url string, provider Provider) *detected {
	lang := strings.ToLower(strings.TrimSpace(h.Get("X-Stainless-Lang")))
	ver := strings.TrimPrefix(strings.TrimSpace(h.Get("X-Stainless-Package-Version")), "v")
	if lang == "" {
		return nil
	}
	if _, err := parseVersion(ver); err != nil {
		return nil
	}
	anthropic := h.Get("Anthropic-Version") != "" || h.Get("X-Api-Key") != "" && h.Get("Authorization") == ""
	openai := false
	lu := strings.ToLower(url)
	switch {
	case anthropic:
	case strings.Contains(lu, "anthropic") || strings.Contains(lu, "/v1/messages"):
		anthropic = true
	case strings.Contains(lu, "openai") || strings.Contains(lu, "/chat/completions") || strings.Contains(lu, "/responses"):
		openai = true
	case provider == ProviderAnthropic:
		anthropic = true
	case provider == ProviderOpenAIChat || provider == ProviderOpenAIResponses || provider == ProviderOpenRouter:
		openai = true
	}
	if !anthropic && !openai {
		return nil
	}
	byLang := map[string][2]string{
		"python": {SDKAnthropicPython, SDKOpenAIPython},
		"js":     {SDKAnthropicTypeScript, SDKOpenAINode},
		"go":     {SDKAnthropicGo, SDKOpenAIGo},
		"java":   {SDKAnthropicJava, ""},
		"kotlin": {SDKAnthropicJava, ""},
	}
	names, ok := byLang[lang]
	if !ok {
		return nil
	}
	name := names[0]
	if openai {
		name = names[1]
	}
	if name == "" {
		return nil
	}
	return &detected{name: name, version: ver}
}
