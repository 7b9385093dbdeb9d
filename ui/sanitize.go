package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Payload text is untrusted: a stream can carry escape sequences that would
// move the cursor, change colours or set the window title if printed as-is.
// Every piece of payload text goes through one of these functions before it
// is styled, and every row is cut to its pane's width by display cells.

// oneLine makes s safe for a single row: escape sequences are removed,
// other control characters (including newlines and tabs) become visible
// glyphs, and invalid UTF-8 becomes U+FFFD.
func oneLine(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(s, 0x1b) >= 0 || strings.ContainsRune(s, 0x9b) {
		s = ansi.Strip(s)
	}
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		writeVisible(&b, r, false)
	}
	return b.String()
}

// isPlain reports whether s is valid UTF-8 with no control, bidi or
// separator characters, the common case, which then costs no allocation.
func isPlain(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0xa0 || isBidiOrSeparator(r) {
			return false
		}
		i += n
	}
	return true
}

// isBidiOrSeparator reports characters that reorder, break or join a row
// in ways that cell counting cannot follow: line and paragraph separators,
// bidi controls, and the other format characters (Cf) — e.g. U+0600
// joins the following space into its grapheme — except the zero-width
// joiner that emoji sequences need.
func isBidiOrSeparator(r rune) bool {
	return r == 0x2028 || r == 0x2029 || r != 0x200d && unicode.Is(unicode.Cf, r)
}

// visibleFrame renders raw frame bytes with every control character made
// visible (␍ for CR, ␊ for LF, ␛ for ESC, …) and split into display lines
// at each LF, so that line endings and stray escapes can be read.
func visibleFrame(raw []byte) []string {
	var lines []string
	var b strings.Builder
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\\x")
			b.WriteString(hex2(raw[i]))
			i++
			continue
		}
		i += n
		writeVisible(&b, r, true)
		if r == '\n' {
			lines = append(lines, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		lines = append(lines, b.String())
	}
	return lines
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// writeVisible writes r, replacing control characters with the Unicode
// control pictures (U+2400 block) or a \u escape for C1 controls.
func writeVisible(b *strings.Builder, r rune, frame bool) {
	switch {
	case r == utf8.RuneError:
		b.WriteRune('\uFFFD')
	case r == '\n':
		b.WriteRune('␊')
	case r == '\r':
		b.WriteRune('␍')
	case r == '\t':
		if frame {
			b.WriteRune('␉')
		} else {
			b.WriteByte(' ')
		}
	case r == 0x1b:
		b.WriteRune('␛')
	case r < 0x20:
		b.WriteRune(0x2400 + r)
	case r == 0x7f:
		b.WriteRune('␡')
	case r >= 0x80 && r < 0xa0:
		b.WriteString("\\u00")
		b.WriteString(hex2(byte(r)))
	case isBidiOrSeparator(r):
		// Line separators and bidi overrides reorder or break the row.
		b.WriteRune('\uFFFD')
	default:
		b.WriteRune(r)
	}
}

// cut shortens s (plain or already styled: escapes take no cells) to at
// most w display cells, marking a cut with "…"; wide and combining
// characters are measured as the terminal draws them.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && isASCII(s) {
		return s
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// fit cuts s to w cells and pads it with spaces to exactly w cells.
func fit(s string, w int) string {
	s = cut(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// cutLeft is cut that keeps the end of s: the part that tells apart
// "…/session.har#1" and "…/session.har#2" in a narrow column.
func cutLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if w <= 0 || n <= w {
		return cut(s, w)
	}
	return ansi.TruncateLeft(s, n-w+1, "…")
}

// fitRight is fit with the text aligned right.
func fitRight(s string, w int) string {
	s = cut(s, w)
	if n := ansi.StringWidth(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// width is the display width of s (styled or not).
func width(s string) int { return ansi.StringWidth(s) }
