package stream

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileSample holds the characters the output boundary must neutralise.
const hostileSample = "a\x1b]52;c;aGk=\x07b\x1b]2;pwned\x07c\x1b[2J\r\x00\x7f\u0085\u009b\u202e\u202a\u2066\u2069\u2028\u2029\u200b\ufeff\U000e0001\xff\xfe" + "d"

// forbidden reports the first code point of out no terminal should see
// raw: C0 except \n and \t, DEL, C1, bidi controls, separators.
func forbidden(out string, keepNL bool) (rune, bool) {
	for _, r := range out {
		switch {
		case (r == '\n' || r == '\t') && keepNL:
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x2028 || r == 0x2029 || r == 0x200b || r == 0xfeff || r == 0xe0001:
			return r, true
		}
	}
	return 0, false
}

func TestSafeText(t *testing.T) {
	tests := []struct {
		name, in, text, line string
	}{
		{"plain", "overloaded_error", "overloaded_error", "overloaded_error"},
		{"unicode", "漢字 e\u0301 👩\u200d💻", "漢字 e\u0301 👩\u200d💻", "漢字 e\u0301 👩\u200d💻"},
		{"newline and tab", "a\n\tb", "a\n\tb", "a␊ b"},
		{"osc 52", "x\x1b]52;c;aGk=\x07", "x␛]52;c;aGk=␇", "x␛]52;c;aGk=␇"},
		{"csi and cr", "\x1b[2J\rok", "␛[2J␍ok", "␛[2J␍ok"},
		{"nul del", "\x00\x7f", "␀␡", "␀␡"},
		{"c1", "\u0085\u009b", `\u0085\u009b`, `\u0085\u009b`},
		{"bidi", "\u202eevil\u202c \u2066x\u2069", `\u202eevil\u202c \u2066x\u2069`, `\u202eevil\u202c \u2066x\u2069`},
		{"separators and Cf", "\u2028\u2029\u200b\ufeff\U000e0001", `\u2028\u2029\u200b\ufeff\U000e0001`, `\u2028\u2029\u200b\ufeff\U000e0001`},
		{"invalid utf-8", "a\xffb\xe2\x82", "a\ufffdb\ufffd\ufffd", "a\ufffdb\ufffd\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeText(tt.in); got != tt.text {
				t.Errorf("SafeText(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := SafeLine(tt.in); got != tt.line {
				t.Errorf("SafeLine(%q) = %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}

func TestSafeTextHostile(t *testing.T) {
	for name, f := range map[string]func(string) string{"SafeText": SafeText, "SafeLine": SafeLine} {
		out := f(hostileSample)
		if r, bad := forbidden(out, true); bad {
			t.Errorf("%s keeps %U: %q", name, r, out)
		}
		if !utf8.ValidString(out) || !HasUnsafe(hostileSample) || HasUnsafe(out) {
			t.Errorf("%s: %q", name, out)
		}
		for _, want := range []string{"␛]52;c;aGk=␇", "␛]2;pwned␇", `\u202e`, `\u0085`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s(%q) = %q lacks %q", name, hostileSample, out, want)
			}
		}
	}
}

// Plain text costs nothing: the same string comes back, unallocated.
func TestSafeTextPlainDoesNotAllocate(t *testing.T) {
	s := strings.Repeat("overloaded_error: Overloaded — 漢字\t\n", 20)
	if n := testing.AllocsPerRun(100, func() { _ = SafeText(s) }); n != 0 {
		t.Errorf("SafeText allocates %v times on plain text", n)
	}
	l := "claude-sonnet-4-5 req_011CXyz"
	if n := testing.AllocsPerRun(100, func() { _ = SafeLine(l) }); n != 0 {
		t.Errorf("SafeLine allocates %v times on plain text", n)
	}
	b := []byte(`{"a": "b\u001b"}`)
	if n := testing.AllocsPerRun(100, func() { _ = SafeJSON(b) }); n != 0 {
		t.Errorf("SafeJSON allocates %v times on clean JSON", n)
	}
}

// SafeJSON keeps the meaning of the document and leaves no raw C1, DEL
// or format character in it.
func TestSafeJSON(t *testing.T) {
	in := map[string]string{"type": hostileSample, "plain": "ok\n"}
	enc, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := SafeJSON(enc)
	if r, bad := forbidden(string(out), true); bad {
		t.Fatalf("SafeJSON keeps %U: %s", r, out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("not JSON any more: %v\n%s", err, out)
	}
	var orig map[string]string
	json.Unmarshal(enc, &orig)
	if back["type"] != orig["type"] || back["plain"] != "ok\n" {
		t.Errorf("meaning changed: %q, want %q", back["type"], orig["type"])
	}
	for _, want := range []string{`\u0085`, `\u202e`, `\u007f`, `\udb40\udc01`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("SafeJSON output lacks %s: %s", want, out)
		}
	}
}

func FuzzSafeText(f *testing.F) {
	f.Add(hostileSample)
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		text, line := SafeText(s), SafeLine(s)
		if r, bad := forbidden(text, true); bad {
			t.Fatalf("SafeText(%q) keeps %U", s, r)
		}
		if r, bad := forbidden(line, false); bad {
			t.Fatalf("SafeLine(%q) keeps %U", s, r)
		}
		if HasUnsafe(text) || !utf8.ValidString(text) || !utf8.ValidString(line) {
			t.Fatalf("SafeText(%q) = %q", s, text)
		}
		if SafeText(text) != text || SafeLine(line) != line {
			t.Fatalf("not idempotent on %q", s)
		}
		if !HasUnsafe(s) && (text != s || line != strings.NewReplacer("\t", " ", "\n", "␊").Replace(s)) {
			t.Fatalf("safe %q changed: %q / %q", s, text, line)
		}
		enc, _ := json.Marshal(s)
		out := SafeJSON(enc)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("SafeJSON(%s) = %s: %v", enc, out, err)
		}
		var want string
		json.Unmarshal(enc, &want)
		if back != want {
			t.Fatalf("SafeJSON changed the meaning of %s", enc)
		}
		if r, bad := forbidden(string(out), false); bad {
			t.Fatalf("SafeJSON(%s) keeps %U", enc, r)
		}
	})
}

func BenchmarkSafeTextPlain(b *testing.B) {
	s := strings.Repeat("event: content_block_delta data: hello world\n", 50)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = SafeText(s)
	}
}
