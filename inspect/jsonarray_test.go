package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// arrayVerdict diagnoses body as Gemini's streamed JSON array (no alt=sse,
// application/json).
func arrayVerdict(body string) *Verdict {
	x := withRequest(stream.FromBody("a", []byte(body)), "POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent", "")
	withResponse(x, 200, "Content-Type", "application/json; charset=UTF-8")
	return Diagnose(x, Options{})
}

const (
	arrElem1 = "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"The sky [is] {blue} \\\"because\\\"\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"index\": 0\n    }\n  ]\n}\n"
	arrElem2 = "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \" of scattering.\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"finishReason\": \"STOP\",\n      \"index\": 0\n    }\n  ],\n  \"usageMetadata\": {\"promptTokenCount\": 4, \"candidatesTokenCount\": 9, \"totalTokenCount\": 13}\n}\n"
)

// TestJSONArrayStream: the streamed array is read as its elements, with
// the Gemini grammar and without the SSE findings a JSON body used to get.
func TestJSONArrayStream(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		outcome  Outcome
		events   int
		errType  string
		mapped   int
		findings []string
	}{
		{"whole, CRLF separators", "[" + arrElem1 + ",\r\n" + arrElem2 + "]", OutcomeComplete, 2, "", 0, nil},
		{"whole, leading space and newlines", " \n[ " + arrElem1 + "\n,\n" + arrElem2 + "\n]\n", OutcomeComplete, 2, "", 0, nil},
		{"error element", "[" + arrElem1 + ",\r\n{\"error\": {\"code\": 503, \"message\": \"high demand\", \"status\": \"UNAVAILABLE\"}}\n]", OutcomeErrorEvent, 2, "UNAVAILABLE", 503, []string{"GM-error-chunk"}},
		{"cut between elements", "[" + arrElem1 + ",\r\n", OutcomeTruncated, 1, "", 0, []string{"GM-truncated", "S-array-unclosed"}},
		{"cut inside an element", "[" + arrElem1 + ",\r\n" + arrElem2[:40], OutcomeTruncated, 2, "", 0, []string{"GM-truncated", "S-unterminated-event"}},
		{"finish arrived, ] did not", "[" + arrElem1 + ",\r\n" + arrElem2, OutcomeComplete, 2, "", 0, []string{"S-array-unclosed"}},
		{"empty array", "[]", OutcomeEmpty, 0, "", 0, []string{"S-no-events"}},
		{"garbage after an element", "[" + arrElem1 + " x", OutcomeTransportError, 1, "", 0, []string{"GM-truncated", "S-decode-error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := arrayVerdict(tt.body)
			if v.Provider != ProviderGemini || v.Dialect != "gemini" {
				t.Errorf("provider/dialect = %s/%s", v.Provider, v.Dialect)
			}
			if v.Outcome != tt.outcome || v.EventCount != tt.events || v.MappedStatus != tt.mapped {
				t.Errorf("outcome/events/mapped = %s/%d/%d, want %s/%d/%d", v.Outcome, v.EventCount, v.MappedStatus, tt.outcome, tt.events, tt.mapped)
			}
			if typ := errType(v); typ != tt.errType {
				t.Errorf("error type %q, want %q", typ, tt.errType)
			}
			got := codes(v)
			slices.Sort(got)
			if !slices.Equal(got, tt.findings) {
				t.Errorf("findings %v, want exactly %v", got, tt.findings)
			}
			for i := range v.EventCount {
				if e := v.Events.At(i); !e.Raw || e.Offset < 1 || e.Length < 1 {
					t.Errorf("event %d = %+v, want a raw element", i, e)
				}
			}
		})
	}
	v := arrayVerdict("[" + arrElem1 + ",\r\n" + arrElem2 + "]")
	if s := v.Events.At(0).Summary; !strings.Contains(s, "The sky") {
		t.Errorf("summary of element 0 = %q", s)
	}
	if m := Assemble(v, 1); m.Blocks[0].Text != `The sky [is] {blue} "because" of scattering.` || m.StopReason != "STOP" {
		t.Errorf("assembled %+v", m)
	}
}

func errType(v *Verdict) string {
	if v.Error == nil {
		return ""
	}
	return v.Error.Type
}

// TestJSONArrayElementBound: an element past maxArrayElem is reported
// with its offset instead of being held in memory.
func TestJSONArrayElementBound(t *testing.T) {
	huge := "[{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"" + strings.Repeat("a", maxArrayElem) + "\"}]}}]}]"
	v := arrayVerdict(huge)
	f := finding(v, "S-decode-error")
	if f == nil || !strings.Contains(f.Detail, "at byte 1") || !strings.Contains(f.Detail, "longer than") {
		t.Fatalf("findings %v, S-decode-error = %+v", codes(v), f)
	}
}

// TestJSONArrayBodyDetect: only a body opening with '[' then '{' is read
// as an array stream.
func TestJSONArrayBodyDetect(t *testing.T) {
	for body, want := range map[string]bool{
		"[{":                 true,
		" \r\n[ \n{\"a\":1}": true,
		"[":                  true,
		"[1,2]":              false,
		"[ ]":                true,
		"data: [\n\n":        false,
		"{\"error\":{}}":     false,
		"":                   false,
	} {
		if got := jsonArrayBody(stream.FromBody("t", []byte(body))); got != want {
			t.Errorf("jsonArrayBody(%q) = %v, want %v", body, got, want)
		}
	}
}

// FuzzArrayScanner: the scanner never panics; its elements are in order
// and within the input; and for a well-formed array of objects it yields
// exactly the array's elements and reports it closed.
func FuzzArrayScanner(f *testing.F) {
	f.Add([]byte("[" + arrElem1 + ",\r\n" + arrElem2 + "]"))
	f.Add([]byte(`[{"a":"]"},{"b":"\"}"}]`))
	f.Add([]byte(`[{"a":[{"b":{}}]} , {} ]`))
	f.Add([]byte(`[{"a":1}`))
	f.Add([]byte(`[{"a":"\`))
	f.Add([]byte(`[] x`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := newArrayScanner(bytes.NewReader(in))
		var elems [][]byte
		last := int64(-1)
		for {
			e, err := s.next()
			if err != nil {
				var fe *errArrayFormat
				if !errors.Is(err, io.EOF) && !errors.As(err, &fe) {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if e.off <= last || e.off+e.length > int64(len(in)) || !bytes.Equal(in[e.off:e.off+e.length], e.data) {
				t.Fatalf("element at %d+%d does not match the input", e.off, e.length)
			}
			last = e.off
			elems = append(elems, bytes.Clone(e.data))
			if e.cut {
				break
			}
		}
		var want []json.RawMessage
		if json.Unmarshal(in, &want) != nil {
			return
		}
		for _, w := range want {
			if len(w) == 0 || w[0] != '{' {
				return // the scanner reads arrays of objects (and arrays) only
			}
		}
		if !s.closed || len(elems) != len(want) {
			t.Fatalf("valid array: %d elements (closed %v), want %d", len(elems), s.closed, len(want))
		}
		for i := range want {
			if !bytes.Equal(bytes.TrimSpace(want[i]), elems[i]) {
				t.Fatalf("element %d = %q, want %q", i, elems[i], want[i])
			}
		}
	})
}

// FuzzRawTail: any bytes after a Gemini chunk leave Diagnose panic-free;
// when they are one JSON object with an "error" object, it becomes the
// stream's error, with the raw-tail finding and a truncated outcome.
func FuzzRawTail(f *testing.F) {
	f.Add([]byte(flexTail))
	f.Add([]byte(`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}`))
	f.Add([]byte(`[{"error":{"code":500}}]`))
	f.Add([]byte("{\"error\": \"x\"}\n\n"))
	f.Add([]byte(": c\n\n{\"error\":{}}"))
	f.Fuzz(func(t *testing.T, tail []byte) {
		if len(tail) > maxRawTail {
			return
		}
		body := gemText("Hi", "", 1) + string(tail)
		v := gemVerdict(body)
		trimmed := bytes.TrimSpace(tail)
		// A map, not a struct: encoding/json matches struct fields
		// case-insensitively, and "eRror" is no error member.
		var doc map[string]json.RawMessage
		isErr := len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) &&
			json.Unmarshal(trimmed, &doc) == nil && len(doc["error"]) > 0 && doc["error"][0] == '{'
		if isErr && (!hasCode(v, "S-raw-json-error") || v.Outcome != OutcomeTruncated || v.Error == nil) {
			t.Fatalf("raw error tail %q: outcome %s, findings %v", tail, v.Outcome, codes(v))
		}
		if hasCode(v, "S-raw-json-error") && (v.Error == nil || !v.Events.At(v.EventCount-1).Raw) {
			t.Fatalf("raw-tail finding without its error event: %+v", v.Error)
		}
	})
}

// TestJSONArrayMemory: a long streamed array is read element by element:
// the memory a windowed verdict keeps does not grow with the body, and
// the garbage per element stays small (bytes, not time: CPU-independent).
func TestJSONArrayMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20 MB body")
	}
	var b bytes.Buffer
	b.WriteString("[")
	for i := range 100_000 {
		if i > 0 {
			b.WriteString(",\r\n")
		}
		b.WriteString(arrElem1)
	}
	b.WriteString(",\r\n" + arrElem2 + "]")
	x := withRequest(stream.FromBody("big", b.Bytes()), "POST", "https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent", "")
	withResponse(x, 200, "Content-Type", "application/json")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := Diagnose(x, Options{Window: ReportWindow})
	runtime.ReadMemStats(&after)
	garbage := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	if v.EventCount != 100_001 || v.Outcome != OutcomeComplete {
		t.Fatalf("events %d outcome %s findings %v", v.EventCount, v.Outcome, codes(v))
	}
	if kept := int64(after.HeapAlloc) - int64(before.HeapAlloc); kept > 1<<20 {
		t.Errorf("the verdict keeps %d bytes for a %d-byte body", kept, b.Len())
	}
	if per := garbage / 100_001; per > 256 {
		t.Errorf("%d bytes allocated per element", per)
	}
	t.Logf("body %d B, %d elements: %d B allocated (%d B/element)", b.Len(), v.EventCount, garbage, garbage/100_001)
}

// TestJSONArrayOnlyForGemini: a JSON array that names no Gemini grammar
// (an answer of some other API) is not read as a stream of elements.
func TestJSONArrayOnlyForGemini(t *testing.T) {
	x := withResponse(stream.FromBody("a", []byte(`[{"id":1},{"id":2}]`)), 200, "Content-Type", "application/json")
	v := Diagnose(x, Options{})
	if v.Dialect != "generic" || v.Outcome != OutcomeEmpty || StreamedJSONArray(x) {
		t.Errorf("dialect %s outcome %s (streamed %v), want generic and empty", v.Dialect, v.Outcome, StreamedJSONArray(x))
	}
	g := withRequest(stream.FromBody("g", []byte("["+arrElem2+"]")), "POST", "https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent", "")
	if !StreamedJSONArray(g) {
		t.Error("a Gemini array stream is not recognised")
	}
}
