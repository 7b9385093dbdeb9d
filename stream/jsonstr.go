package stream

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// jsonPiece is how many bytes of a JSON string jsonString decodes at once.
const jsonPiece = 64 << 10

// jsonString decodes the JSON string raw and hands its bytes to write in
// pieces, so that a huge string is never held decoded whole. Each piece is
// decoded by encoding/json itself (same unescaping, same replacement of
// invalid UTF-8), cut where that cannot change the result: outside escape
// sequences, not inside a UTF-8 sequence, not between a surrogate pair.
func jsonString(raw []byte, write func([]byte) error) error {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return fmt.Errorf("text should be a string, not a JSON %s", jsonValueKind(raw))
	}
	body := raw[1 : len(raw)-1]
	q := make([]byte, 0, jsonPiece+16)
	for len(body) > 0 {
		n := jsonCut(body, jsonPiece)
		q = append(append(append(q[:0], '"'), body[:n]...), '"')
		var s string
		if err := json.Unmarshal(q, &s); err != nil {
			return err
		}
		if err := write([]byte(s)); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}

// jsonCut returns where the inside of a JSON string b may be cut at or
// after want bytes (len(b) when nowhere).
func jsonCut(b []byte, want int) int {
	if len(b) <= want {
		return len(b)
	}
	for i := 0; i < len(b); {
		safe := true
		if b[i] == '\\' && i+1 < len(b) && b[i+1] == 'u' && i+6 <= len(b) {
			h := b[i+2 : i+6]
			safe = !(h[0] == 'd' || h[0] == 'D') || !(h[1] >= '8' && h[1] <= '9' || h[1] >= 'a' && h[1] <= 'b' || h[1] >= 'A' && h[1] <= 'B')
			i += 6
		} else if b[i] == '\\' {
			i += 2
		} else {
			i++
		}
		if safe && i >= want && i < len(b) && b[i]&0xC0 != 0x80 {
			return i
		}
	}
	return len(b)
}

// jsonValueKind names the kind of the JSON value raw for people.
func jsonValueKind(raw []byte) string {
	if len(raw) == 0 {
		return "value"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '"':
		return "string"
	}
	return "number"
}

// b64Writer decodes standard base64 written to it in pieces of any size,
// skipping line breaks as base64.StdEncoding does.
type b64Writer struct {
	pending []byte // undecoded characters, fewer than 4 between writes
	n       int64  // characters decoded before pending, for error offsets
	out     []byte
}

// write decodes p into bb; last flushes what is pending.
func (d *b64Writer) write(bb *bodyBuilder, p []byte, last bool) error {
	for _, c := range p {
		if c != '\r' && c != '\n' {
			d.pending = append(d.pending, c)
		}
	}
	k := len(d.pending)
	if !last {
		k -= k % 4
	}
	if k == 0 {
		return nil
	}
	if cap(d.out) < base64.StdEncoding.DecodedLen(k) {
		d.out = make([]byte, base64.StdEncoding.DecodedLen(k))
	}
	m, err := base64.StdEncoding.Decode(d.out[:cap(d.out)], d.pending[:k])
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		return base64.CorruptInputError(d.n + int64(ce))
	}
	if err != nil {
		return err
	}
	if err := bb.grow(d.out[:m]); err != nil {
		return err
	}
	d.n += int64(k)
	d.pending = append(d.pending[:0], d.pending[k:]...)
	return nil
}
