package stream

import (
	"strconv"
	"strings"
)

// This file recognises credentials by their shape, wherever they are: a key
// prefix that providers publish (sk-ant-api03-, AIza, ghp_, …) followed by
// enough key characters, a JWT, or a Bearer/Basic credential. It is a hand
// scanner, not a regexp: it looks once at the start of every word, so text
// without a secret costs one pass over its bytes and no allocation.

// minKeyBody is how many key characters must follow a public prefix for the
// word to be taken as a key: real keys carry 20 to 160, and "sk-learn",
// "hf_transfer" or "xai-grok-beta" must stay readable.
const minKeyBody = 16

// keyPrefixes are the public markers of key formats, tried in order (the
// longer of two prefixes sharing a start comes first). Anthropic's
// "sk-ant-<kind><version>-" prefixes are recognised in keyPrefix.
var keyPrefixes = [...]string{
	"sk-proj-", "sk-svcacct-", "sk-admin-", "sk-or-v1-", "sk-or-", "sk_live_", "sk_test_", "sk-", // OpenAI, OpenRouter, Stripe
	"rk_live_", "rk_test_", "r8_", // Stripe restricted, Replicate
	"AIza", "AKIA", "ASIA", // Google API keys, AWS access key ids
	"xai-", "xoxb-", "xoxa-", "xoxp-", "xoxr-", // xAI, Slack
	"gsk_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", // Groq, GitHub
	"hf_", // Hugging Face
}

// hintMark opens every hint; a value that is already a hint is left alone.
const hintMark = "[REDACTED len="

// isKeyByte reports whether c can be part of a key: an ASCII letter or
// digit, '_' or '-'.
func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// isToken68 reports whether c can be part of an HTTP credential (RFC 9110
// token68: base64 and base64url characters, '.', '~').
func isToken68(c byte) bool {
	return isKeyByte(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// keyPrefix returns the public prefix of the key at the start of word (a
// run of key bytes) and whether the word is a key of a known shape.
func keyPrefix(word string) (string, bool) {
	if len(word) < 3+minKeyBody {
		return "", false
	}
	if strings.HasPrefix(word, "sk-ant-") {
		p := len("sk-ant-") + anthropicKind(word[len("sk-ant-"):])
		return word[:p], len(word)-p >= minKeyBody
	}
	for _, p := range keyPrefixes {
		if !strings.HasPrefix(word, p) || len(word)-len(p) < minKeyBody {
			continue
		}
		if (p == "AKIA" || p == "ASIA") && !upperDigits(word[4:20]) {
			continue
		}
		return p, true
	}
	return "", false
}

// anthropicKind returns the length of the "api03-", "admin01-" or
// "oat01-" segment at the start of s (letters, digits, '-'), or 0.
func anthropicKind(s string) int {
	i := 0
	for i < len(s) && i < 10 && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	j := i
	for j < len(s) && j < 12 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if i == 0 || j == i || j >= len(s) || s[j] != '-' {
		return 0
	}
	return j + 1
}

func upperDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// jwtEnd returns the end of the JWT (eyJ….eyJ….signature) starting at i,
// or -1.
func jwtEnd(s string, i int) int {
	end := i
	for part := 0; part < 3; part++ {
		start := end
		for end < len(s) && isKeyByte(s[end]) {
			end++
		}
		if part < 2 {
			if end-start < 10 || !strings.HasPrefix(s[start:], "eyJ") || end >= len(s) || s[end] != '.' {
				return -1
			}
			end++ // the dot
		}
	}
	return end
}

// hintPrefix is the part of secret a hint may show: the public prefix of a
// known key shape ("eyJ" for a JWT), else nothing.
func hintPrefix(secret string) string {
	if p, ok := keyPrefix(secret); ok && wordEnd(secret, 0) == len(secret) {
		return p
	}
	if strings.HasPrefix(secret, "eyJ") && jwtEnd(secret, 0) == len(secret) {
		return "eyJ"
	}
	return ""
}

func wordEnd(s string, i int) int { return wordEndFunc(s[i:], isKeyByte) + i }

// wordEndFunc returns the length of the run of bytes at the start of s
// that in accepts.
func wordEndFunc(s string, in func(byte) bool) int {
	i := 0
	for i < len(s) && in(s[i]) {
		i++
	}
	return i
}

// hintAt reports whether a hint starts at s[i:]: an optional public prefix
// (key bytes) then "[REDACTED len=". An older hint's "…" is accepted too.
func hintAt(s string, i int) bool {
	j := wordEnd(s, i)
	if strings.HasPrefix(s[j:], "…") {
		j += len("…")
	}
	return strings.HasPrefix(s[j:], hintMark)
}

// isHint reports whether v is exactly one hint, with an optional Bearer or
// Basic scheme before it: redacting it again must change nothing. An older
// hint showing a secret's first characters is not one (see legacyHint).
func isHint(v string) bool {
	if _, rest, ok := cutScheme(v); ok {
		v = rest
	}
	i := wordEnd(v, 0)
	if !strings.HasPrefix(v[i:], hintMark) {
		return false
	}
	i += len(hintMark)
	j := i
	for j < len(v) && v[j] >= '0' && v[j] <= '9' {
		j++
	}
	return j > i && v[j:] == "]"
}

// legacyHint returns the length recorded in a hint written before hints
// stopped showing a secret's first characters ("abcdefg…[REDACTED len=32]").
func legacyHint(v string) (int, bool) {
	pre, rest, ok := strings.Cut(v, "…"+hintMark)
	if !ok || wordEnd(pre, 0) != len(pre) || !strings.HasSuffix(rest, "]") {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:len(rest)-1])
	return n, err == nil && n >= 0
}

// cutScheme splits "Bearer xyz" or "basic xyz" into the scheme with the
// blanks after it and the credential.
func cutScheme(v string) (scheme, rest string, ok bool) {
	i := wordEnd(v, 0)
	w := v[:i]
	if !strings.EqualFold(w, "bearer") && !strings.EqualFold(w, "basic") {
		return "", "", false
	}
	j := i
	for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
		j++
	}
	if j == i || j == len(v) {
		return "", "", false
	}
	return v[:j], v[j:], true
}

// redactShapes replaces every key, JWT and Bearer/Basic credential of at
// least minKeyBody characters in s with its hint.
func redactShapes(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isKeyByte(s[i]) {
			i++
			continue
		}
		j := wordEnd(s, i)
		start, end, hint := matchWord(s, i, j)
		if end < 0 && i > 0 && s[i-1] == '%' && j-i > 2 && isHex(s[i]) && isHex(s[i+1]) {
			start, end, hint = matchWord(s, i+2, j) // a key after %3D or %20
		}
		if end < 0 {
			i = j
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:start])
		b.WriteString(hint)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// matchWord looks for a credential in the word s[i:j] (and what follows
// it, for JWTs and Bearer credentials). It returns where the secret part
// starts and ends and what replaces it, or end -1.
func matchWord(s string, i, j int) (start, end int, hint string) {
	for i < j && (s[i] == '-' || s[i] == '_') { // "--sk-…": the key starts after the dashes
		i++
	}
	if i == j {
		return 0, -1, ""
	}
	switch s[i] {
	case 'b', 'B':
		w := s[i:j]
		if !strings.EqualFold(w, "bearer") && !strings.EqualFold(w, "basic") {
			return 0, -1, ""
		}
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		e := k
		for e < len(s) && isToken68(s[e]) {
			e++
		}
		if k == j || e-k < minKeyBody || (e < len(s) && s[e] == '[') || hintAt(s, k) {
			return 0, -1, ""
		}
		return k, e, Redacted(s[k:e])
	case 'e':
		if e := jwtEnd(s, i); e > 0 {
			return i, e, Redacted(s[i:e])
		}
	case 's', 'r', 'A', 'x', 'g', 'h':
		if _, ok := keyPrefix(s[i:j]); ok {
			return i, j, Redacted(s[i:j])
		}
	}
	return 0, -1, ""
}
