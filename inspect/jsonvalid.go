package inspect

import (
	"encoding/binary"
	"math/bits"
)

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

// validJSON reports whether b is one valid JSON value (with optional
// surrounding whitespace), exactly as json.Valid does, several times
// faster: Diagnose validates every event, and json.Valid's byte-at-a-time
// state machine was the largest cost on long streams. FuzzValidJSON
// checks it against json.Valid; BenchmarkValidJSON measures the speed-up.
func validJSON(b []byte) bool {
	i := skipWS(b, 0)
	i = validValue(b, i, 0)
	if i < 0 {
		return false
	}
	return skipWS(b, i) == len(b)
}

// validValue returns the index after the valid value at b[i], or -1.
func validValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return validString(b, i)
	case c == '{':
		if depth >= maxJSONDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			if i = validString(b, i); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			if i = validValue(b, skipWS(b, i+1), depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == '}' {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = skipWS(b, i+1)
		}
	case c == '[':
		if depth >= maxJSONDepth {
			return -1
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		for {
			if i = validValue(b, i, depth+1); i < 0 {
				return -1
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			if b[i] == ']' {
				return i + 1
			}
			if b[i] != ',' {
				return -1
			}
			i = skipWS(b, i+1)
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return validNumber(b, i)
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// validString returns the index after the valid string at b[i]=='"', or -1.
func validString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		i = plainRun(b, i)
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, n := hex4(b[i+1:]); n < 0 {
					return -1
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// SWAR constants: one in every byte, and every byte's high bit.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// plainRun returns the index of the first quote, backslash or control
// character at or after i, found eight bytes at a time (the "has zero
// byte" and "has byte less than" bit tricks); past the last whole word it
// stops and returns the index of the tail (fewer than eight bytes) for a
// look byte by byte. The bytes it skips need no look in a string. The
// lowest flagged byte of a word is exact (a borrow only runs upwards from
// a true hit), so the caller lands on the special byte itself.
func plainRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q := w ^ (swarLo * '"')
		s := w ^ (swarLo * '\\')
		if m := ((q-swarLo)&^q | (s-swarLo)&^s | (w-swarLo*0x20)&^w) & swarHi; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validNumber returns the index after the valid number at b[i], or -1.
func validNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}
