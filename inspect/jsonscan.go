package inspect

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/midstreamhq/midstream/stream"
)

// A light JSON scanner. Diagnose reads a handful of fields from every event
// of streams that can hold millions of events; decoding each payload with
// encoding/json into a struct would cost more than everything else put
// together (see bench_test.go). These helpers walk the raw bytes instead.
// They accept any JSON whitespace (real Anthropic captures pad the last
// '}' with spaces), never panic on malformed input and return "absent"
// rather than guessing when the bytes are not the shape they expect.

// isWS reports whether c is JSON whitespace.
func isWS(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i]=='"',
// or -1 when it is not closed.
func skipString(b []byte, i int) int {
	for i++; i < len(b); {
		q := indexQuote(b, i)
		if q < 0 {
			return -1
		}
		// The quote is escaped when an odd number of backslashes precede it.
		k := q - 1
		for k > i-1 && b[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
	return -1
}

// indexQuote returns the index of the first '"' at or after i, or -1.
// Strings in events are mostly short, where a word-at-a-time look beats
// the call into bytes.IndexByte; long ones go to it.
func indexQuote(b []byte, i int) int {
	for end := min(len(b), i+32); i+8 <= end; i += 8 {
		q := binary.LittleEndian.Uint64(b[i:]) ^ (swarLo * '"')
		if m := (q - swarLo) &^ q & swarHi; m != 0 {
			// The lowest flagged byte is exact (borrows only run upwards).
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if j := bytes.IndexByte(b[i:], '"'); j >= 0 {
		return i + j
	}
	return -1
}

// skipValue returns the index just past the value starting at b[i], or -1
// when the value is malformed or cut.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j := skipString(b, i)
				if j < 0 {
					return -1
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && !isWS(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// jfield returns the raw bytes of the value of key among the top-level
// members of the JSON object obj, or nil when obj is not an object or has
// no such member.
func jfield(obj []byte, key string) []byte { return jmember(obj, key, false) }

// nonEmptyString reports whether member key of the object obj is more
// than "" (as len(jfield(obj, key)) > 2 does), without skipping over a
// string value: obj is already known to be valid JSON, so a string that
// does not close at once is non-empty.
func nonEmptyString(obj []byte, key string) bool {
	v := jfieldHead(obj, key)
	if len(v) >= 2 && v[0] == '"' {
		return v[1] != '"'
	}
	return len(jfield(obj, key)) > 2
}

// jfieldHead is jfield for an object already known to be valid, except
// that the value returned runs on to the end of obj: its end is not
// looked for.
func jfieldHead(obj []byte, key string) []byte { return jmember(obj, key, true) }

// jmember finds member key of the object obj: its value, or with head the
// rest of obj from its value on (the value's end is then not looked for).
func jmember(obj []byte, key string, head bool) []byte {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil
	}
	i++
	for {
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return nil
		}
		end := skipString(obj, i)
		if end < 0 {
			return nil
		}
		name := obj[i+1 : end-1]
		i = skipWS(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return nil
		}
		i = skipWS(obj, i+1)
		match := keyEq(name, key)
		if match && head {
			return obj[i:]
		}
		vend := skipValue(obj, i)
		if vend < 0 {
			return nil
		}
		if match {
			return obj[i:vend]
		}
		i = skipWS(obj, vend)
		if i >= len(obj) || obj[i] != ',' {
			return nil
		}
		i++
	}
}

// keyEq compares a raw (still escaped) member name with key.
func keyEq(raw []byte, key string) bool {
	if string(raw) == key {
		return true
	}
	for _, c := range raw {
		if c == '\\' {
			s, ok := unquote(append(append([]byte{'"'}, raw...), '"'), -1)
			return ok && s == key
		}
	}
	return false
}

// jpath follows nested object members: jpath(b, "error", "type").
func jpath(b []byte, keys ...string) []byte {
	for _, k := range keys {
		b = jfield(b, k)
		if b == nil {
			return nil
		}
	}
	return b
}

// jstr decodes the JSON string raw; ok is false when raw is not a string.
func jstr(raw []byte) (string, bool) { return unquote(raw, -1) }

// jstring is jstr without the ok flag.
func jstring(raw []byte) string {
	s, _ := unquote(raw, -1)
	return s
}

// jint reads an integer (a JSON number without fraction).
func jint(raw []byte) (int64, bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || len(raw) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// jfirstElem returns the first element of the JSON array arr, or nil.
func jfirstElem(arr []byte) []byte {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil
	}
	i = skipWS(arr, i+1)
	end := skipValue(arr, i)
	if end < 0 {
		return nil
	}
	return arr[i:end]
}

// jelems calls f for each element of the JSON array arr.
func jelems(arr []byte, f func(elem []byte)) {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i++
	for {
		i = skipWS(arr, i)
		if i >= len(arr) || arr[i] == ']' {
			return
		}
		end := skipValue(arr, i)
		if end < 0 {
			return
		}
		f(arr[i:end])
		i = skipWS(arr, end)
		if i >= len(arr) || arr[i] != ',' {
			return
		}
		i++
	}
}

// isObject reports whether raw starts like a JSON object.
func isObject(raw []byte) bool {
	i := skipWS(raw, 0)
	return i < len(raw) && raw[i] == '{'
}

// unquote decodes the JSON string literal raw. With limit >= 0 it stops
// after limit runes (for summaries); ok is false for anything that is not
// a well-formed string literal.
func unquote(raw []byte, limit int) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	s := raw[1 : len(raw)-1]
	simple := true
	for _, c := range s {
		if c == '\\' || c == '"' || c < 0x20 {
			simple = false
			break
		}
	}
	if simple && (limit < 0 || len(s) <= limit) && utf8.Valid(s) {
		return string(s), true
	}
	out := make([]byte, 0, min(len(s), max(limit*4, 16)))
	runes := 0
	for i := 0; i < len(s); {
		if limit >= 0 && runes >= limit {
			break
		}
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			i++
			switch s[i] {
			case '"', '\\', '/':
				out = append(out, s[i])
				i++
			case 'b':
				out, i = append(out, '\b'), i+1
			case 'f':
				out, i = append(out, '\f'), i+1
			case 'n':
				out, i = append(out, '\n'), i+1
			case 'r':
				out, i = append(out, '\r'), i+1
			case 't':
				out, i = append(out, '\t'), i+1
			case 'u':
				r, n := hex4(s[i+1:])
				if n < 0 {
					return "", false
				}
				i += 5
				if utf16.IsSurrogate(r) {
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if r2, m := hex4(s[i+2:]); m >= 0 {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								r = d
								i += 6
							} else {
								r = utf8.RuneError
							}
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		case c == '"' || c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, r)
			i += n
		}
		runes++
	}
	return string(out), true
}

func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, -1
	}
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, -1
		}
	}
	return r, 4
}

// summaryLimit is the length in runes of text shown in an event summary.
const summaryLimit = 48

// snippet returns a single-line summary of the JSON string raw: at most
// summaryLimit runes, line breaks and tabs replaced by a space, other
// unsafe characters shown by stream.AppendSafeRune, "…" when cut.
// It decodes, cleans and cuts in one pass with one allocation, because
// every text delta of a stream gets one.
func snippet(raw []byte) string {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return ""
	}
	s := raw[1 : len(raw)-1]
	// Fast path: short printable ASCII without escapes.
	if len(s) <= summaryLimit {
		plain := true
		for _, c := range s {
			if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
				plain = false
				break
			}
		}
		if plain {
			return string(s)
		}
	}
	var buf [summaryLimit*4 + 8]byte
	out := buf[:0]
	runes := 0
	for i := 0; i < len(s); {
		if runes == summaryLimit {
			out = append(out, "…"...)
			break
		}
		var r rune
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return ""
			}
			switch s[i+1] {
			case 'u':
				var n int
				r, n = hex4(s[i+2:])
				if n < 0 {
					return ""
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if r2, m := hex4(s[i+2:]); m >= 0 {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								r = d
								i += 6
							}
						}
					}
				}
			case '"', '\\', '/':
				r, i = rune(s[i+1]), i+2
			case 'b', 'f', 'n', 'r', 't':
				r, i = ' ', i+2
			default:
				return ""
			}
		case c < utf8.RuneSelf:
			r, i = rune(c), i+1
		default:
			var n int
			r, n = utf8.DecodeRune(s[i:])
			i += n
		}
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		out = stream.AppendSafeRune(out, r)
		runes++
	}
	return string(out)
}

// oneLine makes s safe for a one-line display, cut to limit runes with
// "…": line breaks and tabs become spaces (a summary reads as one line of
// prose) and everything else is shown by the rule of stream.SafeLine (␛ for
// ESC, \u escapes for C1 and bidi controls, U+FFFD for invalid UTF-8).
func oneLine(s string, limit int) string {
	cut := false
	if len(s) > limit {
		n := 0
		for i := range s {
			if n == limit {
				s, cut = s[:i], true
				break
			}
			n++
		}
	}
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	s = stream.SafeLine(s)
	if cut {
		s += "…"
	}
	return s
}
