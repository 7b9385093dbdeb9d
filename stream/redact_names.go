package stream

import "strings"

// This file recognises credentials by the name they are given: a header,
// a query or form parameter, a "name=value" or "Name: value" pair in text,
// a JSON member of a request body. Such values are secret whatever they
// look like (an Azure key is 32 hex digits, a password anything).

// The name rule. A name is cut into words at '-', '_', '.', other
// non-alphanumerics and lower-to-upper case changes (apiKey → api, key);
// it is secret when one word is a credential word, unless its last word
// says the value is about a credential, not one (token_count, key_type),
// or it is a well-known non-secret name.
var (
	// credentialWords are secret by themselves. Plurals of counters
	// ("tokens", as in max_tokens or x-ratelimit-remaining-tokens) are not.
	credentialWords = map[string]bool{
		"key": true, "apikey": true, "token": true, "secret": true, "password": true, "passwd": true,
		"pwd": true, "passphrase": true, "credential": true, "credentials": true, "cookie": true,
		"auth": true, "authn": true, "authz": true, "oauth": true, "jwt": true,
	}
	// credentialHeads qualify a credential word written as one word
	// ("accesstoken", "x-subscriptionkey"); "monkey" or "turkey" are not keys.
	credentialHeads = map[string]bool{
		"api": true, "access": true, "secret": true, "private": true, "auth": true, "subscription": true,
		"master": true, "session": true, "refresh": true, "id": true, "bearer": true, "client": true,
		"app": true, "user": true, "service": true, "account": true, "signing": true, "x": true,
	}
	// metaWords, as the last word, make a name describe a credential.
	metaWords = map[string]bool{
		"count": true, "counts": true, "type": true, "types": true, "limit": true, "limits": true,
		"usage": true, "length": true, "len": true, "size": true, "remaining": true, "reset": true,
		"used": true, "budget": true, "name": true, "names": true,
	}
	// publicNames carry a credential word but no credential.
	publicNames = map[string]bool{
		"www-authenticate": true, "proxy-authenticate": true, "authentication-info": true,
		"idempotency-key": true, "idempotency_key": true, "sec-websocket-key": true,
		"prompt_cache_key": true, "cache_key": true, // OpenAI's cache routing hint

	}
)

// credentialWord reports whether the lower-case word w names a credential.
func credentialWord(w string) bool {
	if credentialWords[w] || strings.HasPrefix(w, "authoriz") || strings.HasPrefix(w, "authentic") {
		return true
	}
	for _, suffix := range [...]string{"key", "token", "secret", "password"} {
		if strings.HasSuffix(w, suffix) && credentialHeads[w[:len(w)-len(suffix)]] {
			return true
		}
	}
	return false
}

// mayNameSecret is the cheap test secretName starts with: every credential
// word contains one of these.
func mayNameSecret(lower string) bool {
	for _, n := range [...]string{"key", "token", "secret", "pass", "pwd", "credential", "cookie", "auth", "jwt"} {
		if strings.Contains(lower, n) {
			return true
		}
	}
	return false
}

// IsSecretName reports whether a header, parameter or JSON member called
// name carries a credential: Authorization, Cookie, x-api-key, api-key,
// x-goog-api-key, Ocp-Apim-Subscription-Key, X-Auth-Key, Helicone-Auth,
// cf-aig-authorization, api_key, apiKey, client_secret, access_token,
// aws_secret_access_key, private_key, password… but not max_tokens,
// input_tokens, token_count, key_type or x-ratelimit-remaining-tokens.
func IsSecretName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	lower := strings.ToLower(name)
	if !mayNameSecret(lower) || publicNames[lower] {
		return false
	}
	if len(lower) != len(name) { // non-ASCII: no case boundaries to use
		name = lower
	}
	secret, last := false, ""
	for i := 0; i < len(name); {
		if !isAlnum(name[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(name) && isAlnum(name[j]) && !(isUpper(name[j]) && !isUpper(name[j-1])) {
			j++
		}
		last = lower[i:j]
		secret = secret || credentialWord(last)
		i = j
	}
	return secret && !metaWords[last]
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// secretParam reports whether a query or form parameter carries a
// credential: the name rule, plus the signatures that make a URL a
// credential (Azure SAS "sig", S3 "X-Amz-Signature").
func secretParam(name string) bool {
	if IsSecretName(name) {
		return true
	}
	n := strings.ToLower(name)
	return n == "sig" || strings.HasSuffix(n, "signature")
}

// isParamNameByte reports whether c can be part of a parameter name.
func isParamNameByte(c byte) bool { return isKeyByte(c) || c == '.' }

// isValueEnd reports whether c ends an unquoted name=value value: blanks,
// query and list separators, quotes and brackets, a JSON escape.
func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '&', '#', '"', '\'', '<', '>', ',', ';', ')', ']', '}', '\\', '`':
		return true
	}
	return c < 0x20 || c == 0x7f
}

// redactParams replaces the value of every "name=value" in s whose name is
// secret (key=, api_key=, sig=, token=, password=, aws_secret_access_key =
// …): queries of URLs that do not parse, form bodies, logs, .env lines.
func redactParams(s string) string {
	if strings.IndexByte(s, '=') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for from := 0; from < len(s); {
		e := strings.IndexByte(s[from:], '=')
		if e < 0 {
			break
		}
		e += from
		from = e + 1
		ne := e
		for ne > last && (s[ne-1] == ' ' || s[ne-1] == '\t') {
			ne--
		}
		ns := ne
		for ns > last && isParamNameByte(s[ns-1]) {
			ns--
		}
		if ns > 0 && s[ns-1] == '%' && ne-ns > 2 && isHex(s[ns]) && isHex(s[ns+1]) {
			ns += 2 // "%26key=": the name after an escaped '&'
		}
		if ns == ne || !secretParam(s[ns:ne]) {
			continue
		}
		vs := e + 1
		for vs < len(s) && (s[vs] == ' ' || s[vs] == '\t') {
			vs++
		}
		vs, ve := quotedValue(s, vs)
		if ve < 0 {
			continue
		}
		if ve == vs || hintAt(s, vs) {
			continue
		}
		hint := Redacted(s[vs:ve])
		if w := s[vs:ve]; (strings.EqualFold(w, "bearer") || strings.EqualFold(w, "basic")) && ve < len(s) && s[ve] == ' ' {
			// authorization=Bearer xyz: the credential is the word after
			k := ve
			for k < len(s) && s[k] == ' ' {
				k++
			}
			e := k + wordEndFunc(s[k:], isToken68)
			if e == k || hintAt(s, k) {
				continue
			}
			hint, vs, ve = Redacted(s[k:e]), k, e
		}
		b.WriteString(s[last:vs])
		b.WriteString(hint)
		last, from = ve, ve
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// quotedValue returns where the value starting at s[vs] starts and ends:
// inside its quotes when it is quoted ("a b", 'a b', or \"a b\" inside a
// JSON string), else up to the first isValueEnd byte. ve is -1 when a
// quote is not closed on its line.
func quotedValue(s string, vs int) (int, int) {
	q := ""
	switch {
	case strings.HasPrefix(s[vs:], `\"`):
		q = `\"`
	case strings.HasPrefix(s[vs:], `"`), strings.HasPrefix(s[vs:], "'"):
		q = s[vs : vs+1]
	}
	if q == "" {
		ve := vs
		for ve < len(s) && !isValueEnd(s[ve]) {
			ve++
		}
		return vs, ve
	}
	vs += len(q)
	end := strings.Index(s[vs:], q)
	if nl := strings.IndexByte(s[vs:], '\n'); end < 0 || (nl >= 0 && nl < end) {
		return vs, -1
	}
	return vs, vs + end
}

// redactHeaderLines replaces the value of every line of s that reads
// "Name: value" with a secret name: headers quoted in notes, logs or dumps
// ("Ocp-Apim-Subscription-Key: 0123…", "Cookie: …").
func redactHeaderLines(s string) string {
	if strings.IndexByte(s, ':') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for ls := 0; ls < len(s); {
		le := strings.IndexByte(s[ls:], '\n')
		if le < 0 {
			le = len(s)
		} else {
			le += ls
		}
		line := strings.TrimSuffix(s[ls:le], "\r")
		n := 0
		for n < len(line) && isParamNameByte(line[n]) {
			n++
		}
		c := n
		for c < len(line) && (line[c] == ' ' || line[c] == '\t') {
			c++
		}
		if n > 0 && c < len(line) && line[c] == ':' && IsSecretName(line[:n]) {
			vs := c + 1
			for vs < len(line) && (line[vs] == ' ' || line[vs] == '\t') {
				vs++
			}
			if v := line[vs:]; v != "" {
				if r := redactSecretValue(v); r != v {
					b.WriteString(s[last : ls+vs])
					b.WriteString(r)
					last = ls + len(line)
				}
			}
		}
		ls = le + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactJSONFields replaces the string value of every JSON member whose
// name is secret (api_key, apiKey, client_secret, aws_secret_access_key,
// private_key, password, auth…) with its hint, leaving every other byte as
// it was. Numbers, booleans, objects and arrays are never replaced.
func redactJSONFields(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			break
		}
		q += i
		end := stringEnd(s, q)
		if end < 0 { // not JSON here: look on after the stray quote
			i = q + 1
			continue
		}
		i = end + 1
		k := skipJSONSpace(s, end+1)
		if k >= len(s) || s[k] != ':' {
			continue
		}
		k = skipJSONSpace(s, k+1)
		if k >= len(s) || s[k] != '"' {
			continue
		}
		vend := stringEnd(s, k)
		if vend < 0 {
			i = k + 1
			continue
		}
		i = vend + 1
		if !IsSecretName(s[q+1 : end]) {
			continue
		}
		v := s[k+1 : vend]
		r := redactSecretValue(v)
		if r == v {
			continue
		}
		b.WriteString(s[last : k+1])
		b.WriteString(r)
		last = vend
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// stringEnd returns the index of the quote closing the JSON string whose
// opening quote is at s[q], or -1.
func stringEnd(s string, q int) int {
	for i := q + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		case '\n':
			return -1
		}
	}
	return -1
}

func skipJSONSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
