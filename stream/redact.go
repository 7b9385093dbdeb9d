package stream

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Redacted returns the non-secret hint that replaces a secret: its first 7
// characters (enough to tell "sk-ant-" from "sk-proj") and its length. Short
// values keep nothing but their length.
func Redacted(secret string) string {
	if len(secret) <= 12 {
		return fmt.Sprintf("[REDACTED len=%d]", len(secret))
	}
	return fmt.Sprintf("%s…[REDACTED len=%d]", secret[:7], len(secret))
}

// IsSecretHeader reports whether a header's value must never be written:
// x-api-key, Authorization, Proxy-Authorization, Cookie, Set-Cookie, and any
// header whose name contains "api-key", "token" or "secret".
func IsSecretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	return strings.Contains(n, "api-key") || strings.Contains(n, "api_key") ||
		strings.Contains(n, "token") || strings.Contains(n, "secret")
}

// RedactHeader returns a copy of h with every secret header value replaced
// by its hint. For Authorization-style values the scheme ("Bearer") is kept.
func RedactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		if !IsSecretHeader(k) {
			out[k] = append([]string(nil), vs...)
			continue
		}
		rv := make([]string, len(vs))
		for i, v := range vs {
			if scheme, rest, ok := strings.Cut(v, " "); ok && (strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "basic")) {
				rv[i] = scheme + " " + Redacted(rest)
			} else {
				rv[i] = Redacted(v)
			}
		}
		out[k] = rv
	}
	return out
}

// secretParam matches query parameters that carry keys.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	// Same rule as headers (x-goog-api-key, x-api-key, auth_token, …) plus
	// the bare "key" Google and OpenRouter-style links use.
	return n == "key" || n == "apikey" || strings.HasSuffix(n, "apikey") || IsSecretHeader(n) || strings.Contains(n, "password")
}

// RedactURL returns u with key=, api_key= and similar query parameters (and
// any userinfo password) redacted. Unparseable URLs are scrubbed as text.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return RedactText(u)
	}
	if p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), "REDACTED")
		}
	}
	if p.RawQuery != "" {
		// Rewrite only the secret parameters, in place: re-encoding the whole
		// query would reorder it and percent-encode the hint into something
		// unreadable in a bug report ("sk-ant-%E2%80%A6%5BREDACTED…").
		parts := strings.Split(p.RawQuery, "&")
		for i, part := range parts {
			k, v, ok := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if !ok || err != nil || !secretParam(name) {
				continue
			}
			val, err := url.QueryUnescape(v)
			if err != nil {
				val = v
			}
			// Already a hint (a capture we redacted before): redacting it
			// again would report the hint's length, not the key's.
			if !strings.Contains(val, "[REDACTED len=") {
				val = Redacted(val)
			}
			parts[i] = k + "=" + val
		}
		p.RawQuery = strings.Join(parts, "&")
	}
	return RedactText(p.String())
}

// keyPattern matches API keys that may appear anywhere in text: Anthropic
// (sk-ant-…), OpenAI (sk-…, sk-proj-…), OpenRouter (sk-or-…), and bearer
// tokens in headers quoted inside bodies or logs.
var keyPattern = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{16,}|(?i:bearer)\s+[A-Za-z0-9._~+/\-]{16,}=*`)

// RedactText replaces every API-key-looking token in s with its hint. It is
// the last line of defence for free text (bodies, error messages, reports).
func RedactText(s string) string {
	if !strings.Contains(s, "sk-") && !strings.Contains(strings.ToLower(s), "bearer") {
		return s
	}
	return keyPattern.ReplaceAllStringFunc(s, func(m string) string {
		if scheme, rest, ok := strings.Cut(m, " "); ok && strings.EqualFold(scheme, "bearer") {
			return scheme + " " + Redacted(strings.TrimSpace(rest))
		}
		return Redacted(m)
	})
}

// jsonSecretField matches a JSON string member whose name says it holds a
// credential ("api_key": "…", "apiKey", "x-api-key", "token", "secret",
// "password"): gateways such as LiteLLM accept keys in the request body,
// where RedactText's key shapes do not catch them.
var jsonSecretField = regexp.MustCompile(`"((?i)[a-z0-9_\-]*(?:api[_\-]?key|secret|token|password)|key)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)

// redactJSONFields replaces the values of credential-named string members
// of a JSON text with their hints, leaving every other byte as it was.
func redactJSONFields(s string) string {
	if !strings.Contains(s, "\"") {
		return s
	}
	return jsonSecretField.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonSecretField.FindStringSubmatch(m)
		if strings.Contains(sub[3], "[REDACTED len=") {
			return m
		}
		hint := Redacted(sub[3])
		if strings.Contains(sub[3], `\`) { // a hint cut inside an escape would break the JSON
			hint = fmt.Sprintf("[REDACTED len=%d]", len(sub[3]))
		}
		return `"` + sub[1] + `"` + sub[2] + `"` + hint + `"`
	})
}

// Redact returns a copy of x safe to write anywhere: secret headers,
// secret query parameters and key-looking tokens in the request body are
// redacted. Response chunks are shared with x, not copied (bodies from the
// API carry no caller secrets; keys echoed in them are scrubbed by reports).
func Redact(x *Exchange) *Exchange {
	y := *x
	if x.Request != nil {
		r := *x.Request
		r.URL = RedactURL(r.URL)
		r.Header = RedactHeader(r.Header)
		if len(r.Body) > 0 {
			if s := redactJSONFields(RedactText(string(r.Body))); s != string(r.Body) {
				r.Body = []byte(s)
			}
		}
		y.Request = &r
	}
	if x.Response != nil {
		r := *x.Response
		r.Header = RedactHeader(r.Header)
		y.Response = &r
	}
	return &y
}
