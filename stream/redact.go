package stream

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Redaction works by value and by name. By value: every header value, URL,
// request body and free text is scanned for credential shapes (see
// redact_shapes.go). By name: the values of secret-named headers, query
// and form parameters, "name=value" pairs, "Name: value" lines and request
// JSON members are replaced whatever they look like (redact_names.go).
//
// A secret is replaced by a hint that shows its length and, for a known
// key shape, the shape's public prefix and nothing else:
// "sk-ant-api03-[REDACTED len=108]", "Bearer [REDACTED len=40]",
// "[REDACTED len=32]". Redacting a hint changes nothing, so the length is
// always the original secret's.

// Redacted returns the hint that replaces secret: the public prefix of its
// key shape, if it has one ("sk-proj-", "AIza", "ghp_", "eyJ"), and its
// length, never a character of the secret itself. A hint is returned as is.
func Redacted(secret string) string {
	if isHint(secret) {
		return secret
	}
	if n, ok := legacyHint(secret); ok {
		return hintMark + strconv.Itoa(n) + "]"
	}
	return hintPrefix(secret) + hintMark + strconv.Itoa(len(secret)) + "]"
}

// IsSecretHeader reports whether a header's value is replaced whatever it
// looks like: Authorization, Cookie, x-api-key, Ocp-Apim-Subscription-Key
// and every other name IsSecretName accepts.
func IsSecretHeader(name string) bool { return IsSecretName(name) }

// redactSecretValue returns the replacement of a value known to be secret:
// its hint, after the Bearer or Basic scheme if it has one.
func redactSecretValue(v string) string {
	if v == "" || isHint(v) {
		return v
	}
	if scheme, rest, ok := cutScheme(v); ok {
		return scheme + Redacted(rest)
	}
	return Redacted(v)
}

// redactHeaderValue redacts one value of header name: all of it when the
// name is secret, the credential after a Bearer or Basic scheme in any
// header, else every credential shape in it.
func redactHeaderValue(name, v string) string {
	if IsSecretHeader(name) {
		return redactSecretValue(v)
	}
	if scheme, rest, ok := cutScheme(v); ok && wordEndFunc(rest, isToken68) == len(rest) {
		return scheme + Redacted(rest) // not a challenge's realm="…" or prose
	}
	return RedactText(v)
}

// RedactHeader returns a copy of h in which every secret is replaced by its
// hint: the values of secret-named headers (IsSecretHeader), Bearer and
// Basic credentials in any header, and keys, JWTs and secret parameters in
// every other value.
func RedactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		rv := make([]string, len(vs))
		for i, v := range vs {
			rv[i] = redactHeaderValue(k, v)
		}
		out[k] = rv
	}
	return out
}

// RedactURL returns u with the values of secret query parameters (key=,
// api_key=, sig=, token=, password=, … see secretParam), any userinfo
// password and every credential shape redacted. A URL that does not parse
// (a tab, a bad port) is scrubbed as text, by the same rules.
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
		// unreadable in a bug report ("%5BREDACTED+len%3D…").
		parts := strings.Split(p.RawQuery, "&")
		for i, part := range parts {
			k, v, ok := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if !ok || err != nil || v == "" || !secretParam(name) {
				continue
			}
			val, err := url.QueryUnescape(v)
			if err != nil {
				val = v
			}
			parts[i] = k + "=" + Redacted(val)
		}
		p.RawQuery = strings.Join(parts, "&")
	}
	return RedactText(p.String())
}

// RedactText replaces every credential in free text with its hint: keys of
// a known shape, JWTs, Bearer and Basic credentials, the values of secret
// name=value pairs (a query that did not parse, a form, a log line) and of
// "Name: value" lines with a secret header name. It is the last line of
// defence for error messages, notes, response text in reports and copies.
// Text without a credential is returned as is, without allocating.
func RedactText(s string) string {
	return redactHeaderLines(redactParams(redactShapes(s)))
}

// RedactBody returns a request body with every credential replaced by its
// hint: what RedactText replaces, plus the string values of JSON members
// with a secret name (api_key, client_secret, aws_secret_access_key,
// private_key, password…). The result is valid JSON when b was. b itself
// is returned when nothing was replaced.
func RedactBody(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	s := string(b)
	if r := redactJSONFields(RedactText(s)); r != s {
		return []byte(r)
	}
	return b
}

// Redact returns a copy of x safe to write anywhere: request URL, headers
// and body, response headers, source, the injected fault's name, notes
// and the end error are redacted. Response chunks are shared with x, not copied: the response
// body is the evidence and is kept byte-exact (keys echoed in it are
// scrubbed by reports and copies, which go through RedactText).
func Redact(x *Exchange) *Exchange {
	y := *x
	y.Source = RedactText(x.Source)
	y.Injected = RedactText(x.Injected) // copied from a capture: untrusted
	if len(x.Notes) > 0 {
		y.Notes = make([]string, len(x.Notes))
		for i, n := range x.Notes {
			y.Notes[i] = RedactText(n)
		}
	}
	y.End.Err = RedactText(x.End.Err)
	if x.Request != nil {
		r := *x.Request
		r.URL = RedactURL(r.URL)
		r.Header = RedactHeader(r.Header)
		r.Body = RedactBody(r.Body)
		y.Request = &r
	}
	if x.Response != nil {
		r := *x.Response
		r.Header = RedactHeader(r.Header)
		y.Response = &r
	}
	return &y
}
