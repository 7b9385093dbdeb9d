package inspect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// seedBodies adds every fixture and a few hand-made edge cases.
func seedBodies(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		good,
		ant(evMS, evStart(0, "tool_use"), evDelta(0, "input_json_delta", "partial_json", `{"a":`)),
		"data: {\"error\":{\"code\":502}}\n\ndata: [DONE]\n\n",
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}   }\n\n",
		"\xef\xbb\xbfdata: x\r\r: c\r\ndata: {\"type\":\"\\ud83d\\ude42\"}\n\n",
		`[{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Add(join(ebChunk(evMS), ebChunk(evStart(0, "text")), ebException("throttlingException", `{"message":"slow down"}`)))
}

// FuzzDiagnose feeds arbitrary bodies, bare and under an HTTP 200 or 529
// response, timed and untimed, and checks the verdict's invariants and
// that no report of it holds a raw control, C1 or bidi character.
func FuzzDiagnose(f *testing.F) {
	seedBodies(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for variant := range 3 {
			x := stream.FromBody("fuzz", body)
			switch variant {
			case 1:
				withResponse(x, 200, "Content-Type", "text/event-stream")
				x.Timed = true
				half := len(body) / 2
				x.Chunks = []stream.Chunk{{At: time.Millisecond, Data: body[:half]}, {At: 2 * time.Second, Data: body[half:]}}
				x.End = stream.End{Reason: stream.EndReset, At: 3 * time.Second}
			case 2:
				withResponse(x, 529, "X-Should-Retry", "true")
			}
			v := Diagnose(x, Options{})
			checkInvariants(t, v)
			checkReportsSafe(t, &Diagnosis{ToolVersion: "fuzz", Exchanges: []*Verdict{v}})
			m := Assemble(v, v.Events.Len())
			if m.Events > v.Events.Len() {
				t.Fatalf("Assemble applied %d events of %d", m.Events, v.Events.Len())
			}
		}
	})
}

func checkInvariants(t *testing.T, v *Verdict) {
	t.Helper()
	if v.EventCount != v.Events.Len() {
		t.Fatalf("EventCount %d != %d events", v.EventCount, v.Events.Len())
	}
	if v.Mismatch != mismatch(v) {
		t.Fatalf("Mismatch %v inconsistent with statuses %d/%d and outcome %s", v.Mismatch, v.HTTPStatus, v.MappedStatus, v.Outcome)
	}
	if v.MappedStatus != 0 && v.MappedStatus != v.HTTPStatus && !v.Mismatch {
		t.Fatalf("mapped %d differs from HTTP %d without mismatch", v.MappedStatus, v.HTTPStatus)
	}
	switch v.Outcome {
	case OutcomeComplete, OutcomeTruncated, OutcomeTransportError, OutcomeEmpty:
		if v.Error != nil {
			t.Fatalf("outcome %s with error %+v", v.Outcome, *v.Error)
		}
	case OutcomeErrorEvent:
		if v.Error == nil || v.Error.EventIndex < 0 || v.Error.EventIndex >= v.Events.Len() {
			t.Fatalf("error_event with error %+v and %d events", v.Error, v.Events.Len())
		}
	case OutcomeHTTPError:
		if v.Error == nil || v.Error.EventIndex != -1 {
			t.Fatalf("http_error with error %+v", v.Error)
		}
	default:
		t.Fatalf("unknown outcome %q", v.Outcome)
	}
	for i, e := range infos(v.Events) {
		if e.Index != i || e.Offset < 0 || e.Length < 0 {
			t.Fatalf("event %d: %+v", i, e)
		}
		if r, bad := rawControl(e.Summary); bad || stream.HasUnsafe(e.Summary) {
			t.Fatalf("event %d summary %q has a control character (%U)", i, e.Summary, r)
		}
	}
	for _, fd := range v.Findings {
		if fd.Code == "" || fd.Title == "" || len(fd.Fixes) == 0 {
			t.Fatalf("finding without code, title or fixes: %+v", fd)
		}
		for _, ix := range fd.Events {
			if ix < 0 || ix >= v.Events.Len() {
				t.Fatalf("finding %s points at event %d of %d", fd.Code, ix, v.Events.Len())
			}
		}
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("verdict does not marshal: %v", err)
	}
}

// FuzzValidJSON checks the fast validator against encoding/json, and the
// light scanner's string decoding against json.Unmarshal.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,2.5e-3,"x\u00e9",true,null]`, `{"a":"\"}`, `-0.0E+1`, `01`, `"\ud83d"`, "\"\x01\"", `{"type":"x"  }  `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
		var want string
		if json.Unmarshal(b, &want) == nil {
			// jfield hands jstr the exact value bytes, never padded.
			got, ok := jstr(bytes.Trim(b, " \t\r\n"))
			if !ok || got != want {
				t.Fatalf("jstr(%q) = %q, %v; json.Unmarshal = %q", b, got, ok, want)
			}
		}
		_ = snippet(b)
		_ = jfield(b, "type")
	})
}
