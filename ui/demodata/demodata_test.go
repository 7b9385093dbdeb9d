package demodata

import (
	"bytes"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

func TestDemosAreTimedRealisticExchanges(t *testing.T) {
	if All[0].Name != "overloaded" {
		t.Errorf("the default demo is %q, want the mid-stream overload", All[0].Name)
	}
	seen := map[string]bool{}
	for _, d := range All {
		t.Run(d.Name, func(t *testing.T) {
			if seen[d.Name] {
				t.Fatalf("duplicate demo name")
			}
			seen[d.Name] = true
			x := d.Exchange()
			if !x.Timed || x.Request == nil || x.Response == nil || len(x.Chunks) == 0 {
				t.Fatalf("incomplete exchange: timed=%v req=%v resp=%v chunks=%d", x.Timed, x.Request != nil, x.Response != nil, len(x.Chunks))
			}
			if x.Response.At <= 0 {
				t.Error("headers must arrive after the request")
			}
			prev := x.Response.At
			for i, c := range x.Chunks {
				if c.At < prev {
					t.Errorf("chunk %d at %v before %v", i, c.At, prev)
				}
				prev = c.At
			}
			if x.End.At < prev {
				t.Errorf("end at %v before the last chunk %v", x.End.At, prev)
			}
			if !bytes.Equal(x.Body(), d.Body()) && d.file[len(d.file)-5:] != ".http" {
				t.Error("the chunks do not add up to the embedded body")
			}
			// The demo survives midstream's own capture format.
			var buf bytes.Buffer
			if err := stream.WriteJSONL(&buf, x); err != nil {
				t.Fatal(err)
			}
			back, err := stream.Parse(d.Name+".jsonl", buf.Bytes())
			if err != nil || len(back) != 1 || !bytes.Equal(back[0].Body(), x.Body()) {
				t.Fatalf("JSONL round trip: %v", err)
			}
			if bytes.Contains(buf.Bytes(), []byte("DEMOcanary")) {
				t.Error("the canary key is not redacted in the capture")
			}
		})
	}
	if _, ok := Find("nope"); ok {
		t.Error("Find invented a demo")
	}
	if len(Names()) != len(All) {
		t.Error("Names and All differ")
	}
}
