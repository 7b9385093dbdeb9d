// Package canary holds fake credentials of every shape midstream redacts,
// for tests that put them in every place a request can carry one and grep
// every output for them. Nothing outside tests imports it.
package canary

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Canary is one fake secret. Its body (the part after Prefix) is Marker
// repeated, so that any leak of the body's first characters, or of any 11
// characters of it, contains Marker.
type Canary struct {
	Name   string // what it stands for: "anthropic", "azure-key"…
	Prefix string // the public prefix a hint may keep ("" for no shape)
	Value  string // the whole secret
	Marker string // unique to this canary; must never appear in an output
}

// Leaked reports whether out shows any of this canary beyond its prefix.
func (c Canary) Leaked(out string) bool { return strings.Contains(out, c.Marker) }

// mk builds a canary whose body is n characters of marker mNN, in the
// case the shape wants.
func mk(name, prefix string, n int, id int, upper bool) Canary {
	m := fmt.Sprintf("Qz%02dKx", id)
	if upper {
		m = strings.ToUpper(m)
	}
	body := strings.Repeat(m, n/len(m)+1)[:n]
	return Canary{Name: name, Prefix: prefix, Value: prefix + body, Marker: m}
}

// Shaped are keys recognised by their shape wherever they are.
var Shaped = []Canary{
	mk("anthropic-api", "sk-ant-api03-", 95, 1, false),
	mk("anthropic-admin", "sk-ant-admin01-", 93, 2, false),
	mk("openai-legacy", "sk-", 48, 3, false),
	mk("openai-project", "sk-proj-", 156, 4, false),
	mk("openai-service-account", "sk-svcacct-", 120, 5, false),
	mk("openai-admin", "sk-admin-", 100, 6, false),
	mk("openrouter", "sk-or-v1-", 64, 7, false),
	mk("google", "AIza", 35, 8, false),
	mk("aws-access-key-id", "AKIA", 16, 9, true),
	mk("aws-sts-key-id", "ASIA", 16, 10, true),
	mk("xai", "xai-", 80, 11, false),
	mk("groq", "gsk_", 52, 12, false),
	mk("huggingface", "hf_", 34, 13, false),
	mk("replicate", "r8_", 37, 14, false),
	mk("github-pat-classic", "ghp_", 36, 15, false),
	mk("github-oauth", "gho_", 36, 16, false),
	mk("github-user", "ghu_", 36, 17, false),
	mk("github-server", "ghs_", 36, 18, false),
	mk("github-refresh", "ghr_", 36, 19, false),
	mk("github-fine-grained", "github_pat_", 82, 20, false),
	mk("stripe-live", "sk_live_", 99, 21, false),
	mk("stripe-restricted", "rk_live_", 99, 22, false),
	mk("stripe-test", "sk_test_", 99, 23, false),
	mk("slack-bot", "xoxb-", 50, 24, false),
	mk("slack-user", "xoxp-", 50, 25, false),
	mk("slack-app", "xoxa-", 50, 26, false),
	mk("slack-refresh", "xoxr-", 50, 27, false),
	jwt(28),
}

// jwt is a three-part JSON Web Token: "eyJ" is its only public part.
func jwt(id int) Canary {
	m := fmt.Sprintf("Qz%02dKx", id)
	v := "eyJhbGciOiJIUzI1NiJ9" + m + ".eyJzdWIiOiIx" + strings.Repeat(m, 3) + "." + strings.Repeat(m, 7)
	return Canary{Name: "jwt", Prefix: "eyJ", Value: v, Marker: m}
}

// Unshaped secrets are caught only by the name they are given (a secret
// header, parameter or JSON member) or the scheme before them (Bearer,
// Basic): a hint must keep none of their characters.
var (
	Opaque    = mk("bearer-opaque", "", 40, 40, false)
	Basic     = mk("basic", "", 24, 41, false)
	AzureKey  = mk("azure-key", "", 32, 42, false)
	AWSSecret = mk("aws-secret-access-key", "", 40, 43, false)
	Password  = mk("password", "", 12, 44, false)
	SASSig    = mk("azure-sas-sig", "", 44, 45, false)
	Cookie    = mk("cookie", "", 30, 46, false)
	AuthKey   = mk("x-auth-key", "", 37, 47, false)
	Private   = mk("private-key", "", 64, 48, false)
	ClientSec = mk("client-secret", "", 30, 49, false)
)

// Unshaped lists every unshaped canary.
var Unshaped = []Canary{Opaque, Basic, AzureKey, AWSSecret, Password, SASSig, Cookie, AuthKey, Private, ClientSec}

// All is every canary.
var All = append(append([]Canary(nil), Shaped...), Unshaped...)

// Leaks returns the names of the canaries in cs that out shows.
func Leaks(out string, cs []Canary) []string {
	var names []string
	for _, c := range cs {
		if c.Leaked(out) {
			names = append(names, c.Name)
		}
	}
	return names
}

// Text is free text carrying every shaped canary, the way an error message,
// a note or a log line quotes keys.
func Text() string {
	var b strings.Builder
	b.WriteString("upstream said: invalid x-api-key; ")
	for i, c := range Shaped {
		fmt.Fprintf(&b, "key %d is %s, ", i, c.Value)
	}
	b.WriteString("Authorization: Bearer " + Opaque.Value + " and basic " + Basic.Value + "xxxxxxxx")
	return b.String()
}

// Header is a request header with every canary: shaped keys under
// innocent names, Bearer and Basic credentials, and unshaped secrets under
// the names that carry keys.
func Header() http.Header {
	h := http.Header{}
	for i, c := range Shaped {
		h.Set(fmt.Sprintf("X-Trace-%02d", i), "v=1 "+c.Value) // innocent name: by shape
	}
	h.Set("X-Api-Key", Shaped[0].Value)
	h.Set("Helicone-Auth", "Bearer "+Shaped[3].Value)
	h.Set("Cf-Aig-Authorization", "Bearer "+Opaque.Value)
	h.Set("X-Forwarded-Credential", "Bearer "+Opaque.Value)
	h.Set("X-Custom-Session", Shaped[len(Shaped)-1].Value) // a JWT under a custom name
	h.Set("Proxy-Authorization", "Basic "+Basic.Value)
	h.Set("Ocp-Apim-Subscription-Key", AzureKey.Value)
	h.Set("X-Auth-Key", AuthKey.Value)
	h.Set("Cookie", "session="+Cookie.Value)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Anthropic/Python 0.86.0")
	return h
}

// Query is a query string with secret parameters and shaped keys under
// innocent names.
func Query() string {
	return "key=" + Shaped[7].Value + "&sv=2024-05-04&sig=" + url.QueryEscape(SASSig.Value+"+/=") +
		"&api_key=" + Shaped[2].Value + "&password=" + Password.Value + "&token=" + Opaque.Value +
		"&q=" + Shaped[14].Value + "&beta=true"
}

// URL is a URL that parses, with Query.
func URL(base string) string { return base + "/v1/messages?" + Query() }

// BadURL is a URL that does not parse (a tab and a bad port), with Query.
func BadURL() string { return "http://gateway:port\t/v1/messages?" + Query() }

// Body is a JSON request body with secrets in nested members and every
// shaped key in a message, next to members that must stay as they are.
func Body() []byte {
	b, err := json.Marshal(map[string]any{
		"model":      "claude-sonnet-4-5",
		"max_tokens": 1024,
		"stream":     true,
		"metadata": map[string]any{
			"user_id": "user_123",
			"aws": map[string]any{
				"aws_access_key_id":     Shaped[8].Value,
				"aws_secret_access_key": AWSSecret.Value,
				"region":                "us-east-1",
			},
			"gcp":         map[string]any{"type": "service_account", "private_key": Private.Value, "private_key_id": Private.Value[:20]},
			"password":    Password.Value,
			"credentials": map[string]any{"client_secret": ClientSec.Value, "token_count": 12},
			"apiKey":      Shaped[10].Value,
		},
		"messages": []any{map[string]any{"role": "user", "content": Text()}},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// Echoed are keys an API echoes in its response ("invalid key sk-…"): the
// response body is kept byte-exact in captures and exports, on purpose,
// but human-readable reports and copies must not show them.
var Echoed = []Canary{
	mk("echoed-anthropic", "sk-ant-api03-", 95, 60, false),
	mk("echoed-openai", "sk-proj-", 120, 61, false),
}

// SSEError is an Anthropic stream that fails with an error event whose
// message echoes the Echoed keys.
func SSEError() string {
	return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"model\":\"claude-sonnet-4-5\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded; key " +
		Echoed[0].Value + " and Bearer " + Echoed[1].Value + " were rejected\"}}\n\n"
}

// SSEErrorJSON is SSEError as a JSON string's content, the way JSONL and
// HAR captures hold the response body: tests cut it out before grepping
// the request side.
func SSEErrorJSON() string {
	b, _ := json.Marshal(SSEError())
	return string(b[1 : len(b)-1])
}
