package stream

import (
	"strings"
	"testing"

	canaries "github.com/midstreamhq/midstream/internal/canary"
)

// FuzzRedactText inserts a canary of any shape into random text (between
// blanks, since a key glued to a word, as in "task-sk-…", is not one) and
// checks that RedactText removes it, and that redacting its output again
// changes nothing. RedactBody must hold the same for the text as a body.
func FuzzRedactText(f *testing.F) {
	for _, s := range []string{
		"", "hello", "key=", "Authorization: Bearer", "x-api-key: ", "password=\"", "{\"api_key\":\"",
		"http://h:bad/p?sig=", "Cookie: a=b\n", "eyJ.eyJ.", "sk-ant-api03-[REDACTED len=3]", "%3D", "--",
		"data: {\"type\":\"error\",\"error\":{\"message\":\"",
	} {
		f.Add(s, uint8(0), uint16(0))
	}
	all := append(append([]canaries.Canary(nil), canaries.Shaped...), canaries.Opaque)
	f.Fuzz(func(t *testing.T, s string, which uint8, at uint16) {
		c := all[int(which)%len(all)]
		value := c.Value
		if c.Prefix == "" { // unshaped: only as a Bearer credential
			value = "Bearer " + value
		}
		p := int(at) % (len(s) + 1)
		in := s[:p] + " " + value + " " + s[p:]
		out := RedactText(in)
		if c.Leaked(out) {
			t.Fatalf("canary %s survived:\n in %q\nout %q", c.Name, in, out)
		}
		if again := RedactText(out); again != out {
			t.Fatalf("not idempotent:\n 1st %q\n 2nd %q", out, again)
		}
		if again := RedactText(RedactText(s)); again != RedactText(s) {
			t.Fatalf("not idempotent on the random text %q", s)
		}
		body := string(RedactBody([]byte(in)))
		if c.Leaked(body) {
			t.Fatalf("canary %s survived RedactBody: %q", c.Name, body)
		}
		if again := string(RedactBody([]byte(body))); again != body {
			t.Fatalf("RedactBody not idempotent:\n 1st %q\n 2nd %q", body, again)
		}
		if strings.Count(out, hintMark) < 1 {
			t.Fatalf("no hint in %q", out)
		}
	})
}
