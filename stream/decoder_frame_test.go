package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// framePieces are the lines FuzzDecoderFrames and TestDecoderFramePieces
// build streams from: the shapes the whole-frame path takes, their near
// misses, and lines that must send a frame back to the line-by-line path.
var framePieces = []string{
	"event: content_block_delta", "event: content_block_delt", "event: content_block_deltb",
	"event: xontent_block_delta", "event: content_clock_delta", "event: message_stop",
	"event: ping", "event: pinh", "event: ", "event:", "event:ping", "event:  ping",
	"event: abcdefgh", "event: abcdefghi", "event: abcdefghijklmnop", "event: abcdefghijklmnopq",
	"event: abcdefghijklmnopqrstuvwx", "event: abcdefghijklmnopqrstuvwxy", "event: error",
	"event: " + strings.Repeat("t", 33), "event: " + strings.Repeat("t", 100), "event: response.output_text.delta",
	"id: 1", "id: 12", "id: 1234567", "id: 12345678", "id: 123456789", "id: ", "id:",
	"id: 1\x002", "id:7", "id: msg_01XFDUDYJgAACzvnptvVoYEL",
	`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`,
	"data: x", "data:x", "data:  x", "data:", "data: ", `data: {"a":1,`, `data: "b":2}`,
	"data: [DONE]", ":", ": keepalive", "retry: 1500", "foo: bar", "data: a\rb",
}

// frameStream builds a stream from choices: each byte picks a piece (or a
// blank line) and a line ending (LF, CRLF, or now and then a lone CR).
func frameStream(choices []byte) []byte {
	var b bytes.Buffer
	for _, c := range choices {
		if int(c)%(len(framePieces)+3) < 3 {
			b.WriteString("\n") // a blank line, more often than any piece
		} else {
			b.WriteString(framePieces[int(c)%(len(framePieces)+3)-3])
		}
		switch c >> 6 {
		case 0, 1:
			b.WriteString("\n")
		case 2:
			b.WriteString("\r\n")
		default:
			if c&7 == 0 {
				b.WriteString("\r")
			} else {
				b.WriteString("\n")
			}
		}
	}
	return b.Bytes()
}

// checkAgainstReference decodes in whole, through buffers of several
// sizes and in random chunks, and compares each with refDecode.
func checkAgainstReference(t *testing.T, in []byte, sizes []int) {
	t.Helper()
	want := refDecode(in)
	sameEvents(t, in, "whole", decodeWith(t, NewDecoder(bytes.NewReader(in))), want, len(in) > initialBuffer)
	// A reader without Len: the decoder keeps its 64 KiB buffer, so
	// frames near the end of the input take the whole-frame path too.
	sameEvents(t, in, "plain reader", decodeWith(t, NewDecoder(struct{ io.Reader }{bytes.NewReader(in)})), want, len(in) > initialBuffer)
	for _, size := range sizes {
		sameEvents(t, in, fmt.Sprintf("buffer %d", size), decodeWith(t, newDecoderSize(bytes.NewReader(in), size)), want, true)
	}
	for seed := range uint64(3) {
		sameEvents(t, in, "chunks", decodeWith(t, NewDecoder(randomChunks(in, seed))), want, true)
	}
}

// TestDecoderFrames checks the whole-frame path against the reference
// decoder on the shapes it takes and on every near miss it must hand back
// to the line-by-line path.
func TestDecoderFrames(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := map[string]string{
		"anthropic shape":           "event: message_start\ndata: {\"a\":1}\n\nevent: content_block_delta\ndata: {\"b\":2}\n\nevent: content_block_delta\ndata: {\"c\":3}\n\n",
		"openai shape":              "data: {\"id\":\"c\"}\n\ndata: {\"id\":\"d\"}\n\ndata: [DONE]\n\n",
		"with ids":                  "event: a\nid: 1\ndata: x\n\nevent: a\nid: 2\ndata: y\n\nevent: b\nid: 3\ndata: z\n\n",
		"CRLF":                      "event: a\r\nid: 1\r\ndata: x\r\n\r\nevent: a\r\ndata: y\r\n\r\nevent: b\r\ndata: z\r\n\r\n",
		"CRLF then LF blank":        "event: a\r\ndata: x\r\n\nevent: a\ndata: y\n\r\nevent: a\ndata: z\r\n\r\n",
		"multi-line data":           "event: a\ndata: 1\ndata: 2\ndata: 3\n\nevent: a\ndata: 4\ndata:\ndata: 5\n\n",
		"multi-line CRLF":           "event: a\r\ndata: 1\r\ndata: 2\r\n\r\nevent: a\r\ndata: 3\ndata: 4\r\n\r\n",
		"empty data":                "event: a\ndata:\n\nevent: a\ndata: \n\nevent: a\ndata:\ndata:\n\n",
		"no space, two spaces":      "event:a\ndata:x\n\nevent:  a\ndata:  x\n\nevent: a\ndata: x\n\n",
		"empty type":                "event: \ndata: x\n\nevent: \ndata: y\n\nevent:\ndata: z\n\n",
		"type after a longer one":   "event: content_block_delta\ndata: x\n\nevent: content_block\ndata: y\n\nevent: content_block_delta\ndata: z\n\n",
		"type one byte longer":      "event: abcdefgh\ndata: x\n\nevent: abcdefghi\ndata: y\n\nevent: abcdefgh\ndata: z\n\n",
		"long types":                "event: response.output_text.annotation.added\ndata: x\n\nevent: response.output_text.annotation.added\ndata: y\n\nevent: " + strings.Repeat("t", 100) + "\ndata: z\n\n",
		"25-byte type":              "event: abcdefghijklmnopqrstuvwxy\ndata: x\n\nevent: abcdefghijklmnopqrstuvwxy\ndata: y\n\n",
		"types differ in each word": "event: abcdefghijklmnopqrstuvwx\ndata: 1\n\nevent: Abcdefghijklmnopqrstuvwx\ndata: 2\n\nevent: abcdefghiJklmnopqrstuvwx\ndata: 3\n\nevent: abcdefghijklmnopqrstuvwX\ndata: 4\n\n",
		"lone CR in data, LF mode":  "event: a\ndata: x\n\nevent: a\ndata: 1\r2\n\nevent: a\ndata: y\n\n",
		"lone CR in data, CRLF":     "event: a\r\ndata: x\r\n\r\nevent: a\r\ndata: 1\r2\r\n\r\nevent: a\r\ndata: y\r\n\r\n",
		"lone CR ends the frame":    "event: a\ndata: x\n\nevent: a\ndata: y\r\revent: a\ndata: z\n\n",
		"lone CR blank line":        "event: a\ndata: x\n\revent: a\ndata: y\n\n\revent: a\ndata: z\n\n",
		"comment inside":            "event: a\n: ka\ndata: x\n\nevent: a\ndata: y\n:\n\n: before\nevent: a\ndata: z\n\n",
		"id after data":             "event: a\ndata: x\nid: 9\n\nevent: a\ndata: y\n\n",
		"event after data":          "data: x\nevent: a\n\ndata: y\n\n",
		"retry and unknown":         "event: a\nretry: 250\ndata: x\n\nevent: a\nfoo: bar\ndata: y\n\n",
		"id with NUL":               "event: a\nid: 5\ndata: x\n\nevent: a\nid: 6\x007\ndata: y\n\n",
		"long id":                   "event: a\nid: msg_01XFDUDYJgAACzvnptvVoYEL\ndata: x\n\nevent: a\nid: 1\ndata: y\n\n",
		"event without data":        "event: a\n\nevent: a\nid: 4\n\ndata: x\n\n",
		"last frame unterminated":   "event: a\ndata: x\n\nevent: a\ndata: " + long + "\n",
		"last line cut":             "event: a\ndata: x\n\nevent: a\ndata: " + long,
		"long data lines":           "event: a\ndata: " + long + "\n\nevent: a\ndata: " + long + "\ndata: " + long + "\n\n",
		"BOM":                       "\xEF\xBB\xBFevent: a\ndata: x\n\nevent: a\ndata: y\n\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			// Padding frames on both sides put each case in the middle
			// of a buffer, with the bytes the word loads want.
			pad := strings.Repeat("event: pad\ndata: "+long+"\n\n", 2)
			for _, s := range []string{in, pad + in, pad + in + pad} {
				checkAgainstReference(t, []byte(s), []int{1, 7, 16, 17, 31, 64, 100, 333})
			}
		})
	}
}

// TestDecoderFramePieces runs the differential check over streams built
// from framePieces by a fixed pseudo-random walk: tens of thousands of
// frames with every piece next to every other, in one buffer and across
// buffer boundaries.
func TestDecoderFramePieces(t *testing.T) {
	for seed := range uint64(4) {
		choices := make([]byte, 20000)
		x := seed*0x9E3779B97F4A7C15 + 1
		for i := range choices {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			choices[i] = byte(x)
		}
		in := frameStream(choices)
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			checkAgainstReference(t, in, []int{37, 1000})
		})
	}
}

// FuzzDecoderFrames is FuzzDecoderReference over streams built from
// framePieces, so that the fuzzer reaches the whole-frame path's edges
// (type lengths, ID lengths, line endings, lines that break the shape)
// far more often than with raw bytes.
func FuzzDecoderFrames(f *testing.F) {
	f.Add([]byte{3, 40, 60, 0, 3, 40, 60, 0})
	f.Add([]byte{3, 25, 29, 0, 0x83, 0x99, 0x9d, 0x80})
	f.Add([]byte{4, 36, 37, 0, 4, 38, 0, 0xc0})
	f.Fuzz(func(t *testing.T, choices []byte) {
		in := frameStream(choices)
		checkAgainstReference(t, in, []int{1 + len(choices)%23})
	})
}

// TestDecoderFrameLimit checks that the whole-frame path keeps the line
// limit: with a limit of n, a stream whose longest line has n bytes
// decodes as without one, and a line of n+1 bytes fails with its offset.
func TestDecoderFrameLimit(t *testing.T) {
	for n := 1; n <= 48; n++ {
		t.Run(fmt.Sprint("limit ", n), func(t *testing.T) {
			data := "data: " + strings.Repeat("d", max(n-6, 0))
			for _, first := range []string{"event: t\nid: 1\n", "event: t\n", ""} {
				frame := first + data + "\n\n"
				longest := len(data)
				for _, l := range strings.Split(first, "\n") {
					longest = max(longest, len(l))
				}
				in := strings.Repeat(frame, 40)
				d := NewDecoder(strings.NewReader(in))
				d.SetMaxLineLength(longest)
				sameEvents(t, []byte(in), "at the limit", decodeWith(t, d), refDecode([]byte(in)), false)

				// Over the limit, in the fourth frame, after three
				// short ones.
				if longest <= 9 {
					continue
				}
				in = strings.Repeat("data: x\n\n", 3) + frame
				d = NewDecoder(strings.NewReader(in))
				d.SetMaxLineLength(longest - 1)
				var err error
				for err == nil {
					_, err = d.Next()
				}
				var tooLong *LineTooLongError
				at, off := int64(-1), 0 // the first line over the limit
				for _, l := range strings.SplitAfter(in, "\n") {
					if at < 0 && len(l)-1 > longest-1 {
						at = int64(off)
					}
					off += len(l)
				}
				if !errors.As(err, &tooLong) || tooLong.Limit != longest-1 || tooLong.Offset != at {
					t.Fatalf("%q with limit %d: err = %v, want *LineTooLongError at byte %d", in, longest-1, err, at)
				}
			}
		})
	}
}

// TestPrefixWords checks the little-endian words fast and frame compare
// line starts with.
func TestPrefixWords(t *testing.T) {
	for _, c := range []struct {
		prefix     string
		word, mask uint64
	}{
		{"data:", wordData, mask5},
		{"id: ", wordID, mask4},
		{"event: ", wordEvent, mask7},
	} {
		var b [8]byte
		copy(b[:], c.prefix+"\xff\xff\xff\xff")
		if got := binary.LittleEndian.Uint64(b[:]) & c.mask; got != c.word {
			t.Errorf("%q: constant %#x, but the prefix reads as %#x", c.prefix, c.word, got)
		}
	}
}
