package inspect

// A template fast path for the hot event of Anthropic streams. Nearly
// every event of a long stream is a content_block_delta shaped exactly
//
//	{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}
//
// (or a thinking_delta or input_json_delta of the same layout). Validating
// such a payload with validJSON and then scanning it again for "type",
// "index", "delta", its "type" and its string cost about two thirds of
// Diagnose. matchDelta recognises the template instead: it compares the
// fixed bytes, reads the index digits and validates only the string body,
// eight bytes at a time, with the general validator's own validString.
// Anything that deviates by one byte (whitespace, key order, another
// member, an escape in a key, a number JSON forbids) is not matched and
// takes the general path, so the verdict stays exactly the one validJSON
// and the light scanner give; FuzzDeltaTemplate checks that they agree.

// useTemplates turns the template fast path on; tests turn it off to
// check that Diagnose gives the same verdicts and reports without it.
var useTemplates = true

// fastDelta is what matchDelta reads from a matched payload: everything
// the checks need from a content_block_delta.
type fastDelta struct {
	ok    bool   // the payload matched the template (and is valid JSON)
	index int64  // the "index" member
	typ   string // delta.type: one of deltaTemplates' types
	// payload is the raw JSON string (quotes included) of the delta's
	// text, thinking or partial_json member.
	payload []byte
}

// deltaPrefix is the fixed start of a templated content_block_delta; the
// index digits follow it.
const deltaPrefix = `{"type":"content_block_delta","index":`

// deltaTemplates are the fixed bytes after the index, up to and including
// the opening quote of the string member, for each delta type matched.
var deltaTemplates = [...]struct{ typ, head string }{
	{"text_delta", `,"delta":{"type":"text_delta","text":"`},
	{"thinking_delta", `,"delta":{"type":"thinking_delta","thinking":"`},
	{"input_json_delta", `,"delta":{"type":"input_json_delta","partial_json":"`},
}

// maxIndexDigits is the longest index matched: jint reads at most 18
// digits, and a longer one must get jint's answer (not an int).
const maxIndexDigits = 18

// matchDelta matches data against the content_block_delta template and
// fills fd; fd.ok is false when data does not match, and then data may or
// may not be valid JSON. fd is filled in place (not returned) because the
// copy showed in profiles.
func matchDelta(data []byte, fd *fastDelta) {
	fd.ok = false
	if len(data) < len(deltaPrefix)+1 || string(data[:len(deltaPrefix)]) != deltaPrefix {
		return
	}
	i := len(deltaPrefix)
	start := i
	var n int64
	for ; i < len(data) && i-start <= maxIndexDigits && isDigit(data[i]); i++ {
		n = n*10 + int64(data[i]-'0')
	}
	digits := i - start
	// JSON allows no leading zero; jint reads 1–18 digits.
	if digits == 0 || digits > maxIndexDigits || (digits > 1 && data[start] == '0') {
		return
	}
	rest := data[i:]
	for _, t := range deltaTemplates {
		if len(rest) < len(t.head) || string(rest[:len(t.head)]) != t.head {
			continue
		}
		q := i + len(t.head) - 1 // the opening quote
		end := validString(data, q)
		if end < 0 || len(data)-end != 2 || data[end] != '}' || data[end+1] != '}' {
			return
		}
		fd.ok, fd.index, fd.typ, fd.payload = true, n, t.typ, data[q:end]
		return
	}
}
