package inspect_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/ssegen"
	"github.com/midstreamhq/midstream/stream"
)

// verdictText is the JSON report and the text report of one Diagnose.
func verdictText(t *testing.T, body []byte, opt inspect.Options) string {
	v := inspect.Diagnose(stream.FromBody("gen.sse", body), opt)
	d := &inspect.Diagnosis{ToolVersion: "diff", Runtime: "diff", Exchanges: []*inspect.Verdict{v}}
	var b bytes.Buffer
	if err := inspect.WriteJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	if err := inspect.WriteText(&b, d); err != nil {
		t.Fatal(err)
	}
	for i := range v.Events.Len() {
		if v.Events.Kept(i) {
			e := v.Events.At(i)
			b.WriteString(e.Type + " " + e.DataType + " " + e.Summary + "\n")
		}
	}
	return b.String()
}

// TestTemplatesSameVerdictsGenerated runs the benchmark's generated
// stream, and copies of it with bytes changed inside delta payloads, with
// and without the template fast path: the reports must be identical.
func TestTemplatesSameVerdictsGenerated(t *testing.T) {
	base := ssegen.Anthropic(256<<10, 5)
	defer func() { *inspect.UseTemplates = true }()
	r := rand.New(rand.NewPCG(5, 6))
	findings := map[string]bool{}
	edits := []string{" ", "0", "01", "\\", "\\q", "\"", "\x01", "\t", "}", ",\"x\":1", "-", "1e3"}
	for n := range 60 {
		body := append([]byte(nil), base...)
		if n > 0 {
			for range 1 + r.IntN(4) {
				// Pick a content_block_delta payload and edit a byte in it.
				at := r.IntN(len(body))
				j := bytes.Index(body[at:], []byte("data: {\"type\":\"content_block_delta\""))
				if j < 0 {
					continue
				}
				p := at + j + len("data: ") + r.IntN(90)
				e := edits[r.IntN(len(edits))]
				body = append(body[:p], append([]byte(e), body[p+1:]...)...)
			}
		}
		for _, f := range inspect.Diagnose(stream.FromBody("gen.sse", body), inspect.Options{}).Findings {
			findings[f.Code] = true
		}
		for _, opt := range []inspect.Options{{}, {Window: inspect.ReportWindow}} {
			*inspect.UseTemplates = false
			want := verdictText(t, body, opt)
			*inspect.UseTemplates = true
			if got := verdictText(t, body, opt); got != want {
				t.Fatalf("variant %d window %d: reports differ with the template fast path", n, opt.Window)
			}
		}
	}
	// The edits must reach the checks, or the test compares nothing.
	for _, code := range []string{"A-data-not-json", "A-W6-delta-block"} {
		if !findings[code] {
			t.Errorf("no variant produced %s (saw %v)", code, findings)
		}
	}
}
