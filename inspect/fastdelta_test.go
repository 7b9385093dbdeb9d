package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// deltaMember is the string member each templated delta type carries.
var deltaMember = map[string]string{"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json"}

// checkDeltaTemplate asserts that matchDelta and the general path
// (validJSON, then the light scanner as blockDelta uses it) agree on b:
// a match is valid JSON with the same type, index, delta type and
// payload; and a canonical templated payload is matched.
func checkDeltaTemplate(t *testing.T, b []byte) {
	t.Helper()
	fd := matchDeltaOf(b)
	if !fd.ok {
		return
	}
	if !validJSON(b) || !json.Valid(b) {
		t.Fatalf("matchDelta matched %q, which is not valid JSON", b)
	}
	if typ := jstring(jfield(b, "type")); typ != "content_block_delta" {
		t.Fatalf("matchDelta matched %q, whose type is %q", b, typ)
	}
	if idx, ok := jint(jfield(b, "index")); !ok || idx != fd.index {
		t.Fatalf("%q: index %d, the scanner reads %d, %v", b, fd.index, idx, ok)
	}
	delta := jfieldHead(b, "delta")
	if dt := jstring(jfield(delta, "type")); dt != fd.typ {
		t.Fatalf("%q: delta type %q, the scanner reads %q", b, fd.typ, dt)
	}
	key := deltaMember[fd.typ]
	if p := jfield(delta, key); string(p) != string(fd.payload) {
		t.Fatalf("%q: payload %q, the scanner reads %q", b, fd.payload, p)
	}
	if got, want := len(fd.payload) > 2, nonEmptyString(delta, key); got != want {
		t.Fatalf("%q: content %v, nonEmptyString %v", b, got, want)
	}
	if _, ok := jstr(fd.payload); !ok {
		t.Fatalf("%q: payload %q does not decode", b, fd.payload)
	}
}

// matchDeltaOf returns matchDelta's result for b.
func matchDeltaOf(b []byte) fastDelta {
	var fd fastDelta
	matchDelta(b, &fd)
	return fd
}

// canonicalDelta is a payload in the exact template shape.
func canonicalDelta(typ string, index int, text string) []byte {
	s, _ := json.Marshal(text)
	return fmt.Appendf(nil, `{"type":"content_block_delta","index":%d,"delta":{"type":%q,%q:%s}}`, index, typ, deltaMember[typ], s)
}

var deltaTypes = []string{"text_delta", "thinking_delta", "input_json_delta"}

// deltaBlock are block types the deltas fit, in deltaTypes' order.
var deltaBlock = []string{"text", "thinking", "tool_use"}

// TestDeltaTemplate checks matchDelta against the general path on
// canonical payloads (which must match) and on random mutations of them.
func TestDeltaTemplate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", "hi", "say \"hi\"", `C:\path`, "line\nbreak\ttab", "naïve 日本語 🙂", "<&>", "\x01\x7f", "\xff bad utf-8", "\u2028"}
	alphabet := []byte("\"\\{}[],: \t\n\r0123456789-+.eEu/abfnrtx\x00\x1f\x7f\xc3\xa9")
	for _, typ := range deltaTypes {
		for _, text := range texts {
			for _, idx := range []int{0, 7, 123456789} {
				b := canonicalDelta(typ, idx, text)
				if !matchDeltaOf(b).ok {
					t.Fatalf("canonical %q not matched", b)
				}
				checkDeltaTemplate(t, b)
				for range 300 {
					checkDeltaTemplate(t, mutate(r, b, alphabet))
				}
			}
		}
	}
	for _, b := range []string{
		`{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"x"}}`,
		`{"type":"content_block_delta","index":1234567890123456789,"delta":{"type":"text_delta","text":"x"}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"x"}} `,
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"x\"}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"\u12"}}`,
		`{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}`,
		`{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"x"}}`,
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"\t\"}}",
	} {
		if matchDeltaOf([]byte(b)).ok {
			t.Errorf("matched %q", b)
		}
	}
}

// mutate returns a copy of b with one to three random edits.
func mutate(r *rand.Rand, b []byte, alphabet []byte) []byte {
	m := append([]byte(nil), b...)
	for range 1 + r.IntN(3) {
		if len(m) == 0 {
			break
		}
		i := r.IntN(len(m))
		c := alphabet[r.IntN(len(alphabet))]
		switch r.IntN(3) {
		case 0:
			m[i] = c
		case 1:
			m = append(m[:i], append([]byte{c}, m[i:]...)...)
		default:
			m = append(m[:i], m[i+1:]...)
		}
	}
	return m
}

// FuzzDeltaTemplate checks that the template fast path and the general
// path agree on validity and on every field read, for arbitrary payloads
// and for the canonical payload built from the input as text.
func FuzzDeltaTemplate(f *testing.F) {
	for _, typ := range deltaTypes {
		f.Add(canonicalDelta(typ, 3, "hello \"x\" \\ \n 🙂"), uint8(0))
	}
	f.Add([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\ud83d"}}`), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, k uint8) {
		checkDeltaTemplate(t, b)
		if !bytes.ContainsRune(b, '\r') {
			// The payload as a delta of a short stream: Diagnose reads the
			// same with the fast path as without it.
			data := "data: " + strings.ReplaceAll(string(b), "\n", "\ndata: ")
			s := ant(evMS, evStart(int(k%2), deltaBlock[int(k/2)%len(deltaTypes)])) +
				"event: content_block_delta\n" + data + "\n\n" + ant(evStop(0), evMD("end_turn", 1), evMStop)
			checkTemplatesInvisible(t, "fuzz", body(s))
		}
		c := canonicalDelta(deltaTypes[int(k)%len(deltaTypes)], int(k), string(b))
		if !matchDeltaOf(c).ok {
			t.Fatalf("canonical %q not matched", c)
		}
		checkDeltaTemplate(t, c)
	})
}

// TestDeltaFitsBlock checks the shortcut against anthropicDeltaFits.
func TestDeltaFitsBlock(t *testing.T) {
	dts := []string{"", "text_delta", "thinking_delta", "input_json_delta", "signature_delta", "citations_delta", "compaction_delta", "sparkle_delta"}
	bts := []string{"", "text", "thinking", "tool_use", "server_tool_use", "mcp_tool_use", "compaction", "redacted_thinking"}
	for _, dt := range dts {
		for _, bt := range bts {
			f, ok := anthropicDeltaFits[dt]
			if known, fits := deltaFitsBlock(dt, bt); known != ok || fits != f[bt] {
				t.Errorf("deltaFitsBlock(%q, %q) = %v, %v; the table says %v, %v", dt, bt, known, fits, ok, f[bt])
			}
		}
	}
}
