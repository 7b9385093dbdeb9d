package stream

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	canaries "github.com/midstreamhq/midstream/internal/canary"
)

// TestRedactShapes: every canary shape is replaced by its public prefix
// and its length, alone, in prose, after "Bearer", in quotes, after an
// escaped '=' — and again, unchanged.
func TestRedactShapes(t *testing.T) {
	for _, c := range canaries.Shaped {
		hint := c.Prefix + "[REDACTED len=" + itoa(len(c.Value)) + "]"
		for _, tc := range []struct{ name, in, want string }{
			{"alone", c.Value, hint},
			{"in prose", "my key is " + c.Value + ", sorry", "my key is " + hint + ", sorry"},
			{"bearer", "Authorization: Bearer " + c.Value, "Authorization: Bearer " + hint},
			{"quoted", `"` + c.Value + `"`, `"` + hint + `"`},
			{"after a dash flag", "--key " + c.Value, "--key " + hint},
			{"url-escaped", "q%3D" + c.Value + "%26", "q%3D" + hint + "%26"},
		} {
			t.Run(c.Name+"/"+tc.name, func(t *testing.T) {
				got := RedactText(tc.in)
				if got != tc.want {
					t.Errorf("RedactText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
				}
				if again := RedactText(got); again != got {
					t.Errorf("not idempotent: %q → %q", got, again)
				}
			})
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestRedactTextCases: named cases, including text that must stay.
func TestRedactTextCases(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// must stay
		{"model names", "claude-sonnet-4-5 gpt-4o-mini gemini-2.5-pro grok-4", ""},
		{"sk- inside a word", "see task-sk-abcdefghijklmnopqrstuvwxyz and risk-sk-0123456789abcdef0123", ""},
		{"short sk- words", "sk-learn and sk-1234", ""},
		{"request and message ids", "request_id req_011CSHeqzAbCdEfGhIjKlMnOp msg_01XFDUDYJgAACzvnptvVoYEL toolu_01A09q90qw90lq917835lq9", ""},
		{"hf_transfer and xai model", "pip install hf_transfer; model xai-grok-beta", ""},
		{"token counts", "max_tokens=1024 input_tokens: 12 token_count=5", ""},
		{"bearer in prose", "use a Bearer token or Basic auth", ""},
		{"lower-case aws-like word", "AKIAlowercaseletters0", ""},
		{"SSE lines", "event: error\ndata: {\"type\":\"error\"}\n\n", ""},
		{"a hint", "sk-ant-api03-[REDACTED len=108] Bearer [REDACTED len=40] key=[REDACTED len=3]", ""},
		// must go
		{"bearer opaque", "got Bearer abcdefghijklmnop0123 back", "got Bearer [REDACTED len=20] back"},
		{"basic", "Proxy-Authorization: Basic dXNlcjpwYXNzd29yZDEyMzQ=", "Proxy-Authorization: Basic [REDACTED len=24]"},
		{"key param in a bad url", "parse \"http://h:bad/p?key=abc123&alt=sse\": invalid port", "parse \"http://h:bad/p?key=[REDACTED len=6]&alt=sse\": invalid port"},
		{"sas sig", "https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026&sig=AbC%2Bdef%3D", "https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026&sig=[REDACTED len=12]"},
		{"several secret params", "?api_key=a1&access_token=b2&password=c3&X-Amz-Signature=d4", "?api_key=[REDACTED len=2]&access_token=[REDACTED len=2]&password=[REDACTED len=2]&X-Amz-Signature=[REDACTED len=2]"},
		{"aws credentials file", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
			"[default]\naws_access_key_id = AKIA[REDACTED len=20]\naws_secret_access_key = [REDACTED len=40]\n"},
		{"quoted env value", `PASSWORD="correct horse"`, `PASSWORD="[REDACTED len=13]"`},
		{"scheme in a param", "authorization=Bearer abc123&x=1", "authorization=Bearer [REDACTED len=6]&x=1"},
		{"code quoted in a JSON string", `{"content":"client = Anthropic(api_key=\"abc123\")"}`, `{"content":"client = Anthropic(api_key=\"[REDACTED len=6]\")"}`},
		{"header lines", "Ocp-Apim-Subscription-Key: 0123456789abcdef0123456789abcdef\r\nX-Auth-Key: k\r\nAccept: */*",
			"Ocp-Apim-Subscription-Key: [REDACTED len=32]\r\nX-Auth-Key: [REDACTED len=1]\r\nAccept: */*"},
		{"legacy hint in a header line", "X-Api-Key: abcdefg…[REDACTED len=32]", "X-Api-Key: [REDACTED len=32]"},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U.",
			"token eyJ[REDACTED len=92]."},
		{"anthropic kinds", "sk-ant-oat01-abcdefghijklmnopqrstuvwxyz sk-ant-weird-abcdefghijklmnopqr",
			"sk-ant-oat01-[REDACTED len=39] sk-ant-[REDACTED len=31]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				tc.want = tc.in
			}
			got := RedactText(tc.in)
			if got != tc.want {
				t.Errorf("RedactText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := RedactText(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

// TestIsSecretName is the name rule, for headers, parameters and JSON
// members alike.
func TestIsSecretName(t *testing.T) {
	secret := []string{
		"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "x-api-key", "api-key", "X-Goog-Api-Key",
		"Ocp-Apim-Subscription-Key", "X-Auth-Key", "Helicone-Auth", "cf-aig-authorization", "X-Portkey-Api-Key",
		"x-portkey-virtual-key", "X-Amz-Security-Token", "X-CSRF-Token", "api_key", "apiKey", "openaiApiKey", "apikey",
		"access_token", "accessToken", "refresh_token", "client_secret", "aws_secret_access_key", "aws_access_key_id",
		"private_key", "private_key_id", "password", "passwd", "db_pwd", "credentials", "auth", "key", "AUTH_TOKEN",
		"x-subscriptionkey", "jwt",
	}
	public := []string{
		"max_tokens", "input_tokens", "output_tokens", "cache_creation_input_tokens", "token_count", "max_completion_tokens",
		"x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-limit", "keys", "key_type", "token_type", "monkey",
		"keyboard", "tokenizer", "prompt_cache_key", "idempotency_key", "thoughtSignature", "author", "authors", "WWW-Authenticate", "Idempotency-Key", "Content-Type", "model",
		"user_id", "signature", "design", "secret_name", "x-stainless-retry-count", "", "Keep-Alive",
	}
	for _, n := range secret {
		if !IsSecretName(n) {
			t.Errorf("IsSecretName(%q) = false, want true", n)
		}
	}
	for _, n := range public {
		if IsSecretName(n) {
			t.Errorf("IsSecretName(%q) = true, want false", n)
		}
	}
}

// TestRedactHeaderValues: secret names lose their whole value, Bearer and
// Basic keep the scheme anywhere, innocent names are scanned for shapes.
func TestRedactHeaderValues(t *testing.T) {
	h := http.Header{
		"Helicone-Auth":                {"Bearer sk-abcdefghijklmnopqrstuvwxyz012345"},
		"Cf-Aig-Authorization":         {"Bearer opaqueGatewayToken"},
		"Ocp-Apim-Subscription-Key":    {"0123456789abcdef0123456789abcdef"},
		"X-Custom":                     {"Bearer abc"},
		"X-Jwt-Carrier":                {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"},
		"X-Plan":                       {"Basic tier, two seats"},
		"Request-Id":                   {"req_011CSHeqzAbCdEfGhIjKlMnOp"},
		"X-Ratelimit-Remaining-Tokens": {"1000"},
		"Authorization":                {"Bearer [REDACTED len=40]"},
		"Cookie":                       {""},
		"Www-Authenticate":             {`Basic realm="api"`},
	}
	want := map[string]string{
		"Helicone-Auth":                "Bearer sk-[REDACTED len=35]",
		"Cf-Aig-Authorization":         "Bearer [REDACTED len=18]",
		"Ocp-Apim-Subscription-Key":    "[REDACTED len=32]",
		"X-Custom":                     "Bearer [REDACTED len=3]",
		"X-Jwt-Carrier":                "eyJ[REDACTED len=52]",
		"X-Plan":                       "Basic tier, two seats",
		"Request-Id":                   "req_011CSHeqzAbCdEfGhIjKlMnOp",
		"X-Ratelimit-Remaining-Tokens": "1000",
		"Authorization":                "Bearer [REDACTED len=40]",
		"Cookie":                       "",
		"Www-Authenticate":             `Basic realm="api"`,
	}
	got := RedactHeader(h)
	for k, w := range want {
		if g := got.Get(k); g != w {
			t.Errorf("%s: %q, want %q", k, g, w)
		}
	}
	if h.Get("X-Custom") != "Bearer abc" {
		t.Error("RedactHeader changed its argument")
	}
}

// TestRedactBodyCases: JSON members by name (string values only), shapes
// in any string, the JSON still valid.
func TestRedactBodyCases(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"counts and model stay", `{"model":"claude-sonnet-4-5","max_tokens":1024,"usage":{"input_tokens":5,"token_count":"7"},"keys":["a"]}`, ""},
		{"thinking signature stays", `{"type":"thinking","thinking":"hm","signature":"EqQBCkgIARABGAIiQL"}`, ""},
		{"nested aws and gcp", `{"a":{"aws_secret_access_key":"wJalr/K7+EXAMPLEKEY","aws_access_key_id":"AKIAIOSFODNN7EXAMPLE"},"b":[{"private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n"}]}`,
			`{"a":{"aws_secret_access_key":"[REDACTED len=19]","aws_access_key_id":"AKIA[REDACTED len=20]"},"b":[{"private_key":"[REDACTED len=35]"}]}`},
		{"numbers and objects under secret names stay", `{"token":12,"secret":{"name":"x"},"auth":null,"password":true}`, ""},
		{"escaped quote inside a secret", `{"password":"a\"b"}`, `{"password":"[REDACTED len=4]"}`},
		{"form body", `grant_type=client_credentials&client_id=app&client_secret=s3cr3t`, `grant_type=client_credentials&client_id=app&client_secret=[REDACTED len=6]`},
		{"not json at all", `"unterminated "api_key": "x`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				tc.want = tc.in
			}
			got := string(RedactBody([]byte(tc.in)))
			if got != tc.want {
				t.Errorf("RedactBody(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			if json.Valid([]byte(tc.in)) && !json.Valid([]byte(got)) {
				t.Errorf("invalid JSON: %s", got)
			}
			if again := string(RedactBody([]byte(got))); again != got {
				t.Errorf("not idempotent: %s → %s", got, again)
			}
		})
	}
}

// TestRedactedHint: the hint never shows a character of an unknown secret.
func TestRedactedHint(t *testing.T) {
	for in, want := range map[string]string{
		"hunter2":                           "[REDACTED len=7]",
		"0123456789abcdef0123456789abcdef":  "[REDACTED len=32]",
		"sk-abc":                            "[REDACTED len=6]",
		"sk-abcdefghijklmnopqrstuvwxyz0123": "sk-[REDACTED len=33]",
		"sk-proj-abc def ghi jkl mno pqr":   "[REDACTED len=31]",
		"[REDACTED len=12]":                 "[REDACTED len=12]",
		"AIza[REDACTED len=39]":             "AIza[REDACTED len=39]",
		"sk-ant-…[REDACTED len=108]":        "[REDACTED len=108]",
		"":                                  "[REDACTED len=0]",
	} {
		if got := Redacted(in); got != want {
			t.Errorf("Redacted(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(Redacted("password123456789"), "pass") {
		t.Error("hint shows the secret's first characters")
	}
}
