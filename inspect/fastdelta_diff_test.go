package inspect

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// renderAll is everything a user reads of one Diagnose of x with opt:
// the three reports and the timeline.
func renderAll(t testing.TB, x *stream.Exchange, opt Options) string {
	t.Helper()
	v := Diagnose(x, opt)
	d := &Diagnosis{ToolVersion: "diff", Runtime: "diff", Exchanges: []*Verdict{v}}
	var b bytes.Buffer
	for _, w := range []func(*bytes.Buffer, *Diagnosis) error{
		func(b *bytes.Buffer, d *Diagnosis) error { return WriteJSON(b, d) },
		func(b *bytes.Buffer, d *Diagnosis) error { return WriteText(b, d) },
		func(b *bytes.Buffer, d *Diagnosis) error { return WriteMarkdown(b, d) },
	} {
		if err := w(&b, d); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintf(&b, "%+v\n", infos(v.Events))
	return b.String()
}

// checkTemplatesInvisible asserts that Diagnose reads the same with the
// template fast path as without it, with and without a window.
func checkTemplatesInvisible(t testing.TB, name string, mk func() *stream.Exchange) {
	t.Helper()
	defer func() { useTemplates = true }()
	for _, opt := range []Options{{}, {Window: ReportWindow}} {
		useTemplates = false
		want := renderAll(t, mk(), opt)
		useTemplates = true
		if got := renderAll(t, mk(), opt); got != want {
			t.Fatalf("%s (window %d): Diagnose differs with the template fast path:\n%s\nwithout:\n%s", name, opt.Window, got, want)
		}
	}
}

// TestTemplatesSameVerdicts checks every fixture, every shared sample
// (when present), the seed bodies and random mutations of them.
func TestTemplatesSameVerdicts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	if dir := samplesDir(); dirExists(dir) {
		s, _ := filepath.Glob(filepath.Join(dir, "*.*"))
		files = append(files, s...)
	} else {
		t.Logf("shared samples not present at %s: fixtures only", dir)
	}
	var bodies [][]byte
	for _, p := range files {
		if filepath.Ext(p) == ".md" {
			continue
		}
		checkTemplatesInvisible(t, p, func() *stream.Exchange { return loadExchange(t, p) })
		if filepath.Ext(p) != ".http" {
			b, _ := os.ReadFile(p)
			bodies = append(bodies, b)
		}
	}
	bodies = append(bodies, []byte(good), []byte(templatedStream()))
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("\"\\{}:, \n0123456789x\x01")
	for k, b := range bodies {
		checkTemplatesInvisible(t, fmt.Sprint("body ", k), body(string(b)))
		for n := range 40 {
			m := mutate(r, b, alphabet)
			checkTemplatesInvisible(t, fmt.Sprintf("body %d mutation %d: %q", k, n, m), body(string(m)))
		}
	}
}

// templatedStream is a short Anthropic stream of every templated delta
// type, with findings: a delta for a closed block, a bad escape, a
// delta that does not fit its block, a leading-zero index.
func templatedStream() string {
	return ant(evMS,
		evStart(0, "thinking"), evDelta(0, "thinking_delta", "thinking", "hm \"q\""), evDelta(0, "text_delta", "text", "wrong"), evStop(0),
		evStart(1, "text"), evText(1, ""), evText(1, "a\nb"), evText(2, "closed?"),
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"bad \q"}}`,
		`{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"zero"}}`,
		evStop(1),
		`{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}`,
		evDelta(2, "input_json_delta", "partial_json", `{"a":`), evDelta(2, "input_json_delta", "partial_json", `"\u00e9"}`), evStop(2),
		evMD("end_turn", 9), evMStop)
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
