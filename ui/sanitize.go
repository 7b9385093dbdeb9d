package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/stream"
)

// Payload text is untrusted: a stream can carry escape sequences that would
// move the cursor, change colours or set the window title if printed as-is.
// Every piece of payload text goes through one of these functions before it
// is styled, and every row is cut to its pane's width by display cells.
// The rule of what is shown how lives in stream (SafeLine, AppendSafeRune),
// shared with the reports, the copies and the command line.

// oneLine makes s safe for a single row: ESC and the other control
// characters (newlines included) become visible glyphs (␛, ␊, ␍), a tab a
// space, C1 controls and bidi or other format characters \u escapes, and
// invalid UTF-8 U+FFFD; an escape sequence thus shows as text instead of
// acting on the terminal.
func oneLine(s string) string { return stream.SafeLine(s) }

// visibleFrame renders raw frame bytes with every control character made
// visible (␍ for CR, ␊ for LF, ␉ for a tab, ␛ for ESC, …) and split into
// display lines at each LF, so that line endings and stray escapes can be
// read. An invalid byte shows as \xNN: a frame view is about bytes.
func visibleFrame(raw []byte) []string {
	var lines []string
	var b []byte
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, '\\', 'x', hexDigits[raw[i]>>4], hexDigits[raw[i]&15])
			i++
			continue
		}
		i += n
		b = stream.AppendSafeRune(b, r)
		if r == '\n' {
			lines = append(lines, string(b))
			b = b[:0]
		}
	}
	if len(b) > 0 {
		lines = append(lines, string(b))
	}
	return lines
}

const hexDigits = "0123456789abcdef"

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
