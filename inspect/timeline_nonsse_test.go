package inspect

import (
	"path/filepath"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// TestTimelineNonSSEIncremental: the bodies that are not SSE — Gemini's
// streamed JSON array (no alt=sse) and Bedrock's binary event-stream
// frames — show each event in the very feed that completes it, fed in
// pieces of any size, and end with exactly the verdict's events.
func TestTimelineNonSSEIncremental(t *testing.T) {
	const (
		geminiURL   = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent"
		converseURL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1:0/converse-stream"
	)
	gemErr := `{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}`
	array := func(body, url string) *stream.Exchange {
		x := stream.FromBody("array.json", []byte(body))
		if url != "" {
			withRequest(x, "POST", url, "")
		}
		return x
	}
	file := func(name, url string) *stream.Exchange {
		x := loadExchange(t, filepath.Join("testdata", name))
		if url != "" {
			withRequest(x, "POST", url, "")
		}
		return x
	}
	cases := []struct {
		name      string
		x         *stream.Exchange
		events    int    // events of the verdict
		lastType  string // data type of the last event
		lastCut   bool   // the last event is cut by the end of the body
		firstSumm string // summary of the first event
	}{
		{name: "Gemini array, CRLF separators", x: array("["+arrElem1+",\r\n"+arrElem2+"]", geminiURL),
			events: 2, firstSumm: "The sky [is] {blue} \"because\""},
		{name: "Gemini array named by its elements, no URL", x: array("["+arrElem1+",\r\n"+arrElem2+"]", ""),
			events: 2, firstSumm: "The sky [is] {blue} \"because\""},
		{name: "Gemini array ending in an error element", x: array("["+arrElem1+"\n,\r\n"+gemErr+"\n]", geminiURL),
			events: 2, firstSumm: "The sky [is] {blue} \"because\""},
		{name: "Gemini array cut inside its second element", x: array("["+arrElem1+",\r\n"+arrElem2[:40], geminiURL),
			events: 2, lastCut: true, firstSumm: "The sky [is] {blue} \"because\""},
		{name: "Converse frames, Amazon Nova", x: file("bedrock-converse-nova-complete.http", converseURL), events: 6, lastType: "metadata"},
		{name: "Converse frames named by the frames, no URL", x: file("bedrock-converse-nova-complete.http", ""), events: 6, lastType: "metadata"},
		{name: "Converse throttlingException frame", x: file("bedrock-converse-llama-throttling.http", ""), lastType: "throttlingException"},
		{name: "Converse cut between frames", x: file("bedrock-converse-nova-cut.http", ""), lastType: "contentBlockDelta"},
		{name: "InvokeModelWithResponseStream chunk frames", x: file("bedrock-invoke-claude-complete.http", ""), lastType: "message_stop"},
	}
	for _, c := range cases {
		want := infos(Diagnose(c.x, Options{}).Events)
		if len(want) == 0 || c.events != 0 && len(want) != c.events {
			t.Fatalf("%s: the verdict has %d events, want %d", c.name, len(want), c.events)
		}
		last := want[len(want)-1]
		if c.lastType != "" && last.DataType != c.lastType || last.Unterminated != c.lastCut {
			t.Errorf("%s: last verdict event %+v, want type %q cut %v", c.name, last, c.lastType, c.lastCut)
		}
		if c.firstSumm != "" && want[0].Summary != c.firstSumm {
			t.Errorf("%s: first summary %q, want %q", c.name, want[0].Summary, c.firstSumm)
		}
		for _, piece := range []int{1, 7, 64, 1 << 20} {
			got := feedCounting(t, c.name, c.x, piece, want)
			sameTimeline(t, got, want)
		}
	}
}

// feedCounting feeds x's body to a live Timeline in pieces and checks
// that each of the verdict's events (all) arrives in the feed that
// completes its bytes (a cut last element at Finish); it returns the
// events in order.
func feedCounting(t *testing.T, name string, x *stream.Exchange, piece int, all []EventInfo) []EventInfo {
	t.Helper()
	body := x.Body()
	hdr := *x
	hdr.Chunks = nil
	tl := NewTimeline(&hdr)
	var out Events
	fed := 0
	for fed < len(body) {
		n := min(piece, len(body)-fed)
		c := stream.Chunk{Data: body[fed : fed+n]}
		hdr.Chunks = append(hdr.Chunks, c)
		before := out.Len()
		out = out.Append(tl.Feed(c))
		lo := fed
		fed += n
		for i := before; i < out.Len(); i++ {
			if end := out.Meta(i).Offset + out.Meta(i).Length; end > int64(fed) {
				t.Fatalf("%s, piece %d: event %d (ends at %d) returned when only %d bytes were fed", name, piece, i, end, fed)
			}
		}
		// Every event whose last byte came in this feed must be here.
		for i, e := range all {
			end := e.Offset + e.Length
			if !e.Unterminated && end > int64(lo) && end <= int64(fed) && i >= out.Len() {
				t.Fatalf("%s, piece %d: event %d (ends at %d) not returned by the feed that completed it (%d..%d)", name, piece, i, end, lo, fed)
			}
		}
	}
	return infos(out.Append(tl.Finish()))
}
