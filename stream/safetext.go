package stream

import (
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The one output boundary for text. Anything a stream or a capture
// supplies (an error type, a model name, a header, a note, an event name)
// is untrusted: printed as-is, ESC ] 52 writes the user's clipboard,
// ESC ] 2 retitles the window, CR overprints a line and a bidi override
// reorders it. Every human-readable sink (reports, log lines, stderr notes,
// the inspector and its copies) passes its text through SafeText, SafeLine
// or SafeJSON, which share the single rule of Unsafe and AppendSafeRune:
//
//   - ESC becomes ␛, the other C0 controls their control pictures
//     (U+2400 + c: ␍, ␊, ␇, …), DEL becomes ␡;
//   - C1 controls U+0080–U+009F become `\u0085`-style escapes;
//   - format characters (Cf: bidi overrides and isolates U+202A–U+202E,
//     U+2066–U+2069, U+200B, U+FEFF, …, but not the zero-width joiner that
//     emoji need) and the separators U+2028/U+2029 become `\u202e`-style
//     escapes;
//   - invalid UTF-8 becomes U+FFFD.
//
// Plain text (the common case) is returned as it is, without allocating.

// Unsafe reports whether r must not reach a terminal as itself: a C0 or
// C1 control, DEL, a format character other than the zero-width joiner,
// or a line or paragraph separator.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r < 0xa0:
		return true
	}
	return r == 0x2028 || r == 0x2029 || r != 0x200d && unicode.Is(unicode.Cf, r)
}

// AppendSafeRune appends r to dst, or its visible stand-in when Unsafe(r)
// (␛ for ESC, ␊ for LF, ␡ for DEL, `\u0085` for a C1 control, `\u202e`
// for a format character). utf8.RuneError appends U+FFFD. Callers that keep
// newlines or tabs test for them first.
func AppendSafeRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x20:
		return utf8.AppendRune(dst, 0x2400+r)
	case r == 0x7f:
		return utf8.AppendRune(dst, '␡')
	case Unsafe(r):
		return appendUEscape(dst, r)
	}
	return utf8.AppendRune(dst, r)
}

// appendUEscape appends `\uXXXX` (or `\UXXXXXXXX` above the BMP).
func appendUEscape(dst []byte, r rune) []byte {
	const digits = "0123456789abcdef"
	n := 4
	dst = append(dst, '\\', 'u')
	if r > 0xffff {
		n = 8
		dst[len(dst)-1] = 'U'
	}
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, digits[(r>>(4*i))&15])
	}
	return dst
}

// SafeText makes multi-line text safe to print: newlines and tabs are
// kept, every other unsafe character is made visible (see Unsafe), and
// invalid UTF-8 becomes U+FFFD. CR is shown as ␍: it would overprint the
// line. Text with nothing to change is returned as is, without allocating.
func SafeText(s string) string { return safe(s, true) }

// SafeLine makes text safe to print as (part of) one line: a tab becomes a
// space, a newline ␊ and a CR ␍, and everything else is as in SafeText, so
// a value can neither break the line nor forge a new one.
func SafeLine(s string) string { return safe(s, false) }

func safe(s string, multi bool) string {
	i := plainPrefix(s, multi)
	if i == len(s) {
		return s
	}
	out := make([]byte, i, len(s)+16)
	copy(out, s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\n' && multi, r == '\t' && multi:
			out = append(out, byte(r))
		case r == '\t':
			out = append(out, ' ')
		case r == utf8.RuneError && n == 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		default:
			out = AppendSafeRune(out, r)
		}
	}
	return string(out)
}

// plainPrefix returns the length of the longest prefix of s that is valid
// UTF-8 without unsafe characters (newlines and tabs allowed when multi).
func plainPrefix(s string, multi bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(multi && (c == '\n' || c == '\t')) || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || Unsafe(r) {
			return i
		}
		i += n
	}
	return len(s)
}

// SafeJSON returns encoded JSON with the same meaning and no raw code
// point a terminal acts on: encoding/json already escapes C0 controls
// inside strings, but not DEL, C1 controls or bidi and other format
// characters, which SafeJSON rewrites as \u escapes (surrogate pairs above
// the BMP). Those can only occur inside strings in valid JSON, where an
// escape means the same character. Newlines, tabs and CRs are left alone
// (the indentation between tokens); other raw C0 controls and invalid
// UTF-8 (which valid encoder output never holds) are escaped as \u00XX and
// \ufffd. b is returned unchanged when nothing needs escaping.
func SafeJSON(b []byte) []byte {
	i := plainJSONPrefix(b)
	if i == len(b) {
		return b
	}
	out := make([]byte, i, len(b)+32)
	copy(out, b[:i])
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		i += n
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			out = append(out, byte(r))
		case r == utf8.RuneError && n == 1:
			out = append(out, `\ufffd`...)
		case r > 0xffff && Unsafe(r):
			hi, lo := utf16.EncodeRune(r)
			out = appendUEscape(appendUEscape(out, hi), lo)
		case Unsafe(r):
			out = appendUEscape(out, r)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

func plainJSONPrefix(b []byte) int {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || Unsafe(r) {
			return i
		}
		i += n
	}
	return len(b)
}

// HasUnsafe reports whether s holds a character SafeText would change,
// newlines and tabs aside: what tests of every output path assert against.
func HasUnsafe(s string) bool { return plainPrefix(s, true) != len(s) }

// SafeWriter passes everything written through SafeText (or SafeJSON)
// on its way to W, so that a machine format written to a terminal shows
// its control characters instead of acting on them. A rune cut by the end
// of one Write is held back until the next, so escaping never depends on
// where writes happen to split the text.
type SafeWriter struct {
	W    io.Writer
	JSON bool // JSON text: escape with SafeJSON, keeping it valid JSON
	tail []byte
}

// Write escapes p and writes it to W; it reports len(p) on success.
func (s *SafeWriter) Write(p []byte) (int, error) {
	b := append(s.tail, p...)
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if err := s.emit(b[:cut]); err != nil {
		return 0, err
	}
	s.tail = append(s.tail[:0:0], b[cut:]...)
	return len(p), nil
}

// Close writes a rune still held back (as U+FFFD: it never completed).
func (s *SafeWriter) Close() error {
	b := s.tail
	s.tail = nil
	return s.emit(b)
}

func (s *SafeWriter) emit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if s.JSON {
		b = SafeJSON(b)
	} else {
		b = []byte(SafeText(string(b)))
	}
	_, err := s.W.Write(b)
	return err
}
