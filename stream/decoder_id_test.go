package stream

import (
	"bytes"
	"strings"
	"testing"
)

// TestDecoderShortIDs checks the id lines that the fast path reads as one
// 8-byte word against the reference decoder: every ID length around the
// word size, NULs at each position, repeated and alternating IDs, CRLF and
// lone-CR endings, and id lines cut by the end of a read or of the input.
func TestDecoderShortIDs(t *testing.T) {
	cases := map[string]string{
		"lengths 0 to 10":        "",
		"NUL at each position":   "",
		"same id repeated":       "event: a\nid: 7\ndata: x\n\nevent: a\nid: 7\ndata: y\n\nevent: a\nid: 77\ndata: z\n\n",
		"alternating ids":        "event: a\nid: 1\ndata: x\n\nevent: a\nid: 2\ndata: y\n\nevent: a\nid: 1\ndata: z\n\n",
		"one byte differs":       "event: a\nid: 1234567\ndata: x\n\nevent: a\nid: 1234568\ndata: y\n\nevent: a\nid: 0234568\ndata: z\n\n",
		"same bytes, longer":     "event: a\nid: 1234\ndata: x\n\nevent: a\nid: 12345\ndata: y\n\nevent: a\nid: 1234\ndata: z\n\n",
		"empty id resets":        "event: a\nid: 5\ndata: x\n\nevent: a\nid: \ndata: y\n\nevent: a\nid:\ndata: z\n\n",
		"no space after colon":   "event: a\nid:42\ndata: x\n\nevent: a\nid:  42\ndata: y\n\n",
		"CRLF":                   "event: a\r\nid: 9\r\ndata: x\r\n\r\nevent: a\r\nid: 12345678\r\ndata: y\r\n\r\n",
		"lone CR after the id":   "event: a\nid: 12\rdata: x\n\nevent: a\nid: 3\r\rdata: y\n\n",
		"CR inside the word":     "event: a\nid: 1\r2\ndata: x\n\nevent: a\nid: 1234567\r\ndata: y\n\n",
		"id last in the input":   "event: a\ndata: x\n\nevent: a\nid: 123",
		"id line without LF yet": "event: a\nid: 12\n",
		"id alone in a frame":    "id: 1\n\nid: 2\ndata: x\n\n",
		"id then comment":        "event: a\nid: 31\n: c\ndata: x\n\n",
	}
	var lengths, nuls strings.Builder
	for n := range 11 {
		lengths.WriteString("event: a\nid: " + strings.Repeat("9", n) + "\ndata: x\n\n")
	}
	for n := 1; n <= 9; n++ {
		for i := range n {
			id := []byte(strings.Repeat("5", n))
			id[i] = 0
			nuls.WriteString("event: a\nid: 1\ndata: x\n\nevent: a\nid: " + string(id) + "\ndata: y\n\n")
		}
	}
	cases["lengths 0 to 10"] = lengths.String()
	cases["NUL at each position"] = nuls.String()
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			want := refDecode([]byte(in))
			sameEvents(t, []byte(in), "whole", decodeWith(t, NewDecoder(strings.NewReader(in))), want, false)
			for size := 1; size <= 40; size++ {
				d := newDecoderSize(bytes.NewReader([]byte(in)), size)
				sameEvents(t, []byte(in), "buffer", decodeWith(t, d), want, true)
			}
			for seed := range uint64(8) {
				sameEvents(t, []byte(in), "chunks", decodeWith(t, NewDecoder(randomChunks([]byte(in), seed))), want, true)
			}
		})
	}
}
