package stream

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// appendChunkLine appends the JSONL chunk line of c to dst: the bytes
// marshalLine(jsonlLine{T: "chunk", …}) gives, without reflection or an
// allocation per chunk (the proxy writes one line per read it forwards).
func appendChunkLine(dst []byte, c Chunk) []byte {
	dst = append(dst, `{"t":"chunk","at_us":`...)
	dst = strconv.AppendInt(dst, micros(c.At), 10)
	start := len(dst)
	dst = append(dst, `,"text":"`...)
	d, ok := appendJSONText(dst, c.Data)
	if ok {
		return append(d, "\"}\n"...)
	}
	dst = append(d[:start], `,"b64":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, c.Data)
	return append(dst, "\"}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONText appends b escaped as the inside of a JSON string exactly
// as encoding/json escapes it without HTML escaping, then SafeJSON (DEL,
// C1 and format characters as \u escapes). ok is false (and the
// appended bytes are garbage past len(dst)) when b is not valid UTF-8: the
// format writes such bytes as base64.
//
// This loop is most of what recording a chunk costs the proxy (issue #10:
// it was a quarter of the proxy's CPU under load), and SSE text has a
// quote or a newline every few words. So it looks at 8 bytes at a time
// and handles every flagged byte of a word from the word's mask, instead
// of leaving the word at the first one and loading it again after it;
// plain bytes are copied in runs, never one by one.
func appendJSONText(dst, b []byte) (_ []byte, ok bool) {
	// Room for the bytes and one escape in 16 up front: most chunks then
	// never grow dst while escaping.
	dst = slices.Grow(dst, len(b)+len(b)>>4+8)
	start, i := 0, 0
	for i+8 <= len(b) {
		m := special8(binary.LittleEndian.Uint64(b[i:]))
		if m == 0 {
			i += 8
			continue
		}
		next := i + 8
		for m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			m &= m - 1
			c := b[j]
			if c >= utf8.RuneSelf {
				// Not ASCII: the rune may run past this word, so the scan
				// goes on after it, whatever else this word flagged.
				var size int
				if dst, start, size, ok = appendRune(dst, b, start, j); !ok {
					return dst, false
				}
				next = j + size
				break
			}
			if e := jsonEscapes[c]; e != 0 { // 0: a byte flagged only by the bit trick's carry
				dst = appendEscape(append(dst, b[start:j]...), c, e)
				start = j + 1
			}
		}
		i = next
	}
	for i < len(b) {
		c := b[i]
		if c >= utf8.RuneSelf {
			var size int
			if dst, start, size, ok = appendRune(dst, b, start, i); !ok {
				return dst, false
			}
			i += size
			continue
		}
		if e := jsonEscapes[c]; e != 0 {
			dst = appendEscape(append(dst, b[start:i]...), c, e)
			start = i + 1
		}
		i++
	}
	return append(dst, b[start:]...), true
}

// appendEscape appends the escape of ASCII byte c, whose jsonEscapes entry
// is e (not 0).
func appendEscape(dst []byte, c, e byte) []byte {
	if e == 'u' {
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
	}
	return append(dst, '\\', e)
}

// appendRune handles the non-ASCII rune at b[i] for appendJSONText, where
// b[start:i] is not yet appended: an unsafe rune (C1, bidi, U+2028/9) is
// escaped as SafeJSON does, others stay in the run. It returns the new
// dst and run start and the rune's size; ok is false for invalid UTF-8.
func appendRune(dst, b []byte, start, i int) (_ []byte, _, size int, ok bool) {
	r, size := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && size == 1 {
		return dst, start, size, false
	}
	if !Unsafe(r) {
		return dst, start, size, true
	}
	dst = append(dst, b[start:i]...)
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		dst = appendUEscape(appendUEscape(dst, hi), lo)
	} else {
		dst = appendUEscape(dst, r)
	}
	return dst, i + size, size, true
}

// special8 returns, for the 8 bytes packed little-endian in x, a mask
// with the high bit set of every byte that needs escaping in a JSON string
// or is outside ASCII (< 0x20, '"', '\\', DEL, >= 0x80): 0 if none does.
// These "has zero byte" bit tricks can also flag a byte just above (later
// than) a flagged one, never one below, so the lowest flag is exact.
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - lo) &^ v }
	return ((x | (x - lo*0x20)) | hasZero(x^(lo*'"')) | hasZero(x^(lo*'\\')) | hasZero(x^(lo*0x7f))) & hi
}

// jsonEscapes holds, for each ASCII byte, 0 if it goes into a JSON string
// as it is, the letter of its short escape (\n, \") or 'u' for \u00XX.
var jsonEscapes = func() (t [utf8.RuneSelf]byte) {
	for c := range 0x20 {
		t[c] = 'u'
	}
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	t['"'], t['\\'], t[0x7f] = '"', '\\', 'u'
	return t
}()

// writeHeader writes the header line of x to w. A spooled request body of
// up to redactBodyLimit bytes is read in and redacted like any other; a
// larger one is streamed into the line from a snapshot of its spool with
// key shapes scrubbed (scrubPieces), so the line costs no memory however
// long it is. Only a large body's line is written in more than one Write.
func writeHeader(w io.Writer, x *Exchange, timed bool) error {
	x = heldRequest(x, redactBodyLimit)
	if x.Request == nil || x.Request.Spool == nil {
		b, err := headerLine(x, timed)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	body := x.Request.Spool.Snapshot()
	y, q := *x, *x.Request
	q.Spool = nil
	y.Request = &q
	h := headerOf(&y, timed)
	text, err := readerIsUTF8(body.Reader())
	if err != nil {
		return err
	}
	var nonce [8]byte
	rand.Read(nonce[:])
	ph := fmt.Sprintf("\x00midstream-body-%x\x00", nonce)
	if text {
		h.Request.Body = &ph
	} else {
		h.Request.BodyB64 = &ph
	}
	line, err := marshalLine(h)
	if err != nil {
		return err
	}
	quoted, _ := json.Marshal(ph)
	i := bytes.Index(line, quoted)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(line[:i+1]) // up to the opening quote
	if text {
		var esc []byte
		err = scrubPieces(body.Reader(), func(p []byte) error {
			esc, _ = appendJSONText(esc[:0], p)
			_, err := bw.Write(esc)
			return err
		})
	} else {
		enc := base64.NewEncoder(base64.StdEncoding, bw)
		if err = scrubPieces(body.Reader(), func(p []byte) error { _, err := enc.Write(p); return err }); err == nil {
			err = enc.Close()
		}
	}
	if err != nil {
		return err
	}
	bw.Write(line[i+len(quoted)-1:]) // from the closing quote
	return bw.Flush()
}

// scrubWindow is how much of a streamed body scrubPieces looks at at once.
const scrubWindow = 1 << 20

// scrubPieces reads r to its end and calls f with its bytes, piece by
// piece, each passed through RedactText. A piece ends only after a byte
// no key shape can contain (ASCII punctuation other than the token
// characters, see keyBreaker), so a key is never cut in two and scrubbing
// piece by piece gives the bytes scrubbing the whole would; a window
// without such a byte is cut at a rune start.
func scrubPieces(r io.Reader, f func([]byte) error) error {
	buf := make([]byte, scrubWindow)
	have := 0
	for {
		m, err := io.ReadFull(r, buf[have:])
		have += m
		last := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !last {
			return err
		}
		cut := have
		if !last {
			cut = safeCut(buf[:have])
		}
		if cut > 0 {
			if err := f([]byte(RedactText(string(buf[:cut])))); err != nil {
				return err
			}
		}
		have = copy(buf, buf[cut:have])
		if last {
			return nil
		}
	}
}

// safeCut returns where to end a piece of b: after its last key breaker,
// else at its last rune start.
func safeCut(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if keyBreaker(b[i]) {
			return i + 1
		}
	}
	for i := len(b) - 1; i > 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return len(b)
}

// keyBreaker reports whether c can occur in no match of keyPattern: an
// ASCII byte that is neither a token character (letters, digits and
// "_-.~+/=") nor the white space between "Bearer" and its token.
func keyBreaker(c byte) bool {
	switch {
	case c >= utf8.RuneSelf, 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return false
	}
	switch c {
	case '_', '-', '.', '~', '+', '/', '=', ' ', '\t', '\n', '\r', '\f':
		return false
	}
	return true
}

// readerIsUTF8 reports whether r reads as valid UTF-8, through a window.
func readerIsUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 256<<10)
	have := 0
	for {
		m, err := io.ReadFull(r, buf[have:])
		have += m
		last := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !last {
			return false, err
		}
		n := have
		if !last { // more follows: keep a rune the read cut for the next window
			n = completeRunes(buf[:have])
		}
		if !utf8.Valid(buf[:n]) {
			return false, nil
		}
		have = copy(buf, buf[n:have])
		if last {
			return true, nil
		}
	}
}
