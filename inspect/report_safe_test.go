package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	hostiletext "github.com/midstreamhq/midstream/internal/hostile"
	"github.com/midstreamhq/midstream/stream"
)

// hostile is what a hostile upstream or capture puts in a field: OSC 52
// (writes the clipboard), OSC 2 (retitles the window), C1 controls (NEL,
// CSI), bidi overrides and isolates, a line separator, DEL, NUL, and the
// Markdown characters a value might use to leave its code span or table
// cell. tag names the field, so each can be found in the output.
func hostile(tag string) string {
	return tag + "\x1b]52;c;cHduZWQ=\x07\x1b]2;" + tag + "-title\x07\u0085\u009b\u202e\u2066\u2069\u2028\x7f\x00|``<b>"
}

// shownTag is how a hostile value must still be visible: its tag and the
// OSC 52 sequence with ESC and BEL as control pictures (stream.SafeLine)
// or as Go escapes (an error message is quoted with %q).
func shownTag(out, tag string) bool {
	return strings.Contains(out, tag+"␛]52;c;cHduZWQ=␇") || strings.Contains(out, tag+`\x1b]52;c;cHduZWQ=\a`)
}

// rawControl is hostiletext.RawControl: the one check of what a terminal must
// never get raw.
var rawControl = hostiletext.RawControl

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hostileExchanges: a 200 stream with an error event, and a 529 whose
// error body holds the controls raw; every field people read is hostile.
func hostileExchanges() []*stream.Exchange {
	req := &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages/" + hostile("url"),
		Header: http.Header{"User-Agent": {hostile("ua")}, hostile("hdrkey"): {"v"}, "Anthropic-Version": {"2023-06-01"}},
		Body:   []byte(`{"model":` + jsonString(hostile("model")) + `,"stream":true}`)}
	body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"content\":[]}}\n\n" +
		"event: " + strings.NewReplacer("\x00", "", "\u2028", "").Replace(hostile("ev")) + "\ndata: {\"type\":\"ping\"}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":" + jsonString(hostile("typ")) + ",\"message\":" + jsonString(hostile("msg")) + "}}\n\n"
	a := stream.FromBody(hostile("src"), []byte(body))
	a.Request = req
	a.Response = &stream.Response{Proto: "HTTP/1.1", Status: 200, StatusText: hostile("st"),
		Header: http.Header{"Content-Type": {"text/event-stream"}, "Request-Id": {hostile("rid")}}}
	a.Notes = []string{hostile("note")}

	errBody := "{\n  \"type\": \"error\",\n  \"error\": {\"type\": \"overloaded_error\", \"message\": \"" + hostile("body") + "\"}\n}"
	b := stream.FromBody(hostile("src2"), []byte(errBody))
	b.Request = req
	b.Response = &stream.Response{Proto: "HTTP/1.1", Status: 529, StatusText: hostile("st2"),
		Header: http.Header{"Content-Type": {"application/json"}}}
	return []*stream.Exchange{a, b}
}

// TestReportsNeutraliseHostileFields: every field from a stream or capture
// × every report format. No raw control reaches the output, and each
// value is still there to read, escaped; the JSON keeps the exact value.
func TestReportsNeutraliseHostileFields(t *testing.T) {
	d := &Diagnosis{ToolVersion: "test", Runtime: "go test"}
	for _, x := range hostileExchanges() {
		d.Exchanges = append(d.Exchanges, Diagnose(x, Options{}))
	}
	formats := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return WriteText(b, d) },
		"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, d) },
		"json":     func(b *bytes.Buffer) error { return WriteJSON(b, d) },
	}
	tests := []struct {
		field   string
		formats string // the formats that show the field
	}{
		{"src", "text markdown json"},
		{"note", "text markdown"},
		{"model", "text markdown json"},
		{"rid", "text markdown json"},
		{"url", "text markdown json"},
		{"ua", "markdown"},
		{"hdrkey", "markdown"},
		{"st", "markdown"},
		{"typ", "text markdown json"},
		{"msg", "text markdown json"},
		{"ev", "markdown"},
		{"body", "text markdown"},
	}
	for name, write := range formats {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if r, bad := rawControl(out); bad {
			t.Errorf("%s report holds raw %U:\n%s", name, r, out)
		}
		for _, tt := range tests {
			if !strings.Contains(tt.formats, name) {
				continue
			}
			t.Run(name+"/"+tt.field, func(t *testing.T) {
				if name == "json" {
					if !strings.Contains(jsonStrings(t, b.Bytes()), hostile(tt.field)) {
						t.Errorf("the JSON report lost the exact value of %s", tt.field)
					}
					return
				}
				if !shownTag(out, tt.field) {
					t.Errorf("%s report does not show %s escaped:\n%s", name, tt.field, out)
				}
			})
		}
	}
}

// jsonStrings decodes a JSON document and joins every string in it.
func jsonStrings(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	var all strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			fmt.Fprintln(&all, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return all.String()
}

// A value cannot close its Markdown code span, however many backticks it
// holds.
func TestMarkdownCodeSpanOutlastsBackticks(t *testing.T) {
	for _, s := range []string{"a", "a`b", "``x``", "x```y", "`"} {
		got := code(s)
		fence := strings.Repeat("`", strings.Count(got, "`")-strings.Count(s, "`"))
		fence = fence[:len(fence)/2]
		if !strings.HasPrefix(got, fence) || !strings.HasSuffix(got, fence) || strings.Contains(s, fence) {
			t.Errorf("code(%q) = %q: the fence %q occurs inside", s, got, fence)
		}
	}
}

// checkReportsSafe renders d in every format and fails on a raw control
// character in any of them, or on JSON that does not parse: the
// assertion the fuzz targets add to their own.
func checkReportsSafe(t *testing.T, d *Diagnosis) {
	t.Helper()
	for name, write := range map[string]func(*bytes.Buffer, *Diagnosis) error{
		"text":     func(b *bytes.Buffer, d *Diagnosis) error { return WriteText(b, d) },
		"markdown": func(b *bytes.Buffer, d *Diagnosis) error { return WriteMarkdown(b, d) },
		"json":     func(b *bytes.Buffer, d *Diagnosis) error { return WriteJSON(b, d) },
	} {
		var b bytes.Buffer
		if err := write(&b, d); err != nil {
			t.Fatalf("%s report: %v", name, err)
		}
		if r, bad := rawControl(b.String()); bad {
			t.Fatalf("%s report holds raw %U:\n%s", name, r, b.String())
		}
		if name == "json" && !json.Valid(b.Bytes()) {
			t.Fatalf("JSON report does not parse:\n%s", b.String())
		}
	}
}
