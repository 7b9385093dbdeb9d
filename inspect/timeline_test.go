package inspect

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// runTimeline feeds x's body to a Timeline in pieces of at most piece
// bytes (0: chunk by chunk). With live set, the Timeline is created from
// x's headers only, as the inspector does for a stream still arriving,
// and each piece is appended to that exchange before it is fed.
func runTimeline(x *stream.Exchange, piece int, live bool) []EventInfo {
	return infos(runTimelineEvents(x, piece, live))
}

// runTimelineEvents is runTimeline's timeline, with the batches appended.
func runTimelineEvents(x *stream.Exchange, piece int, live bool) Events {
	hdr := x
	if live {
		cp := *x
		cp.Chunks = nil
		hdr = &cp
	}
	tl := NewTimeline(hdr)
	var out Events
	for _, c := range x.Chunks {
		n := piece
		if n <= 0 {
			n = len(c.Data)
		}
		for off := 0; off < len(c.Data); off += n {
			piece := stream.Chunk{At: c.At, Data: c.Data[off:min(off+n, len(c.Data))]}
			if live {
				hdr.Chunks = append(hdr.Chunks, piece)
			}
			out = out.Append(tl.Feed(piece))
		}
	}
	return out.Append(tl.Finish())
}

func sameTimeline(t *testing.T, got, want []EventInfo) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("timeline has %d events, verdict %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("event %d:\ntimeline %+v\n verdict %+v", i, got[i], want[i])
		}
	}
}

// TestTimelineMatchesDiagnose: for every fixture and every way of cutting
// its body, the events the inspector shows while the body arrives are the
// verdict's events, summaries and data types included.
func TestTimelineMatchesDiagnose(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.*")
	if len(files) < 10 {
		t.Fatalf("only %d fixtures", len(files))
	}
	idBody := "id: 1\nevent: message_start\ndata: " + evMS + "\n\nevent: ping\ndata: " + evPing + "\n\n"
	xs := map[string]*stream.Exchange{
		"timed anthropic": timed(good, 0, time.Second, 2*time.Second, 3*time.Second),
		"last event id":   stream.FromBody("id.sse", []byte(idBody)),
		"cut at the end":  stream.FromBody("cut.sse", []byte(good+"event: ping\ndata: {")),
		"crlf":            stream.FromBody("crlf.sse", []byte("data: {\"x\":1}\r\n\r\ndata: [DONE]\r\n\r\n")),
		// The array form is looked for in the first arrayProbeLen bytes:
		// a Timeline decides on the same bytes as Diagnose, and does not
		// hold a body of spaces waiting for a '['.
		"array after 300 spaces":  spacedArray(300),
		"array after 5000 spaces": spacedArray(5000),
	}
	for _, f := range files {
		xs[filepath.Base(f)] = loadExchange(t, f)
	}
	for name, x := range xs {
		want := infos(Diagnose(x, Options{}).Events)
		for _, piece := range []int{0, 1, 7, 64} {
			for _, live := range []bool{false, true} {
				got := runTimeline(x, piece, live)
				t.Run(name, func(t *testing.T) { sameTimeline(t, got, want) })
			}
		}
	}
}

// spacedArray is a Gemini streamed JSON array after n spaces.
func spacedArray(n int) *stream.Exchange {
	body := strings.Repeat(" ", n) + "[" + arrElem1 + ",\r\n" + arrElem2 + "]"
	return withRequest(stream.FromBody("spaced.json", []byte(body)),
		"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent", "")
}

// TestTimelineLastEventID: the last event ID persists across events (as
// in EventSource) however the body is cut, including across feeds.
func TestTimelineLastEventID(t *testing.T) {
	body := "id: 41\ndata: a\n\ndata: b\n\nid: 42\ndata: c\n\nid\ndata: d\n\n"
	want := []string{"41", "41", "42", ""}
	for _, piece := range []int{0, 1, 3, 16, 17} {
		got := runTimeline(stream.FromBody("ids.sse", []byte(body)), piece, true)
		if len(got) != len(want) {
			t.Fatalf("piece %d: %d events, want %d", piece, len(got), len(want))
		}
		for i, w := range want {
			if got[i].ID != w {
				t.Errorf("piece %d: event %d has id %q, want %q", piece, i, got[i].ID, w)
			}
		}
	}
}

// TestTimelineIncremental: events appear as soon as their blank line
// arrives (a CR waits one byte for a possible LF), not at Finish.
func TestTimelineIncremental(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		counts []int // events returned by each Feed
		final  int   // events returned by Finish
	}{
		{"whole events", []string{"data: 1\n\n", "data: 2\n\n"}, []int{1, 1}, 0},
		{"split inside a frame", []string{"data: ", "1\n", "\n"}, []int{0, 0, 1}, 0},
		{"CR waits for the next byte", []string{"data: 1\r\r", "data: 2\r\n\r", "\n"}, []int{0, 1, 1}, 0},
		{"unterminated at the end", []string{"data: 1\n\ndata: 2"}, []int{1}, 1},
		{"comment only", []string{": ping\n\n"}, []int{0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline(stream.FromBody("x", nil))
			for i, c := range tt.chunks {
				if n := tl.Feed(stream.Chunk{Data: []byte(c)}).Len(); n != tt.counts[i] {
					t.Errorf("feed %d (%q) returned %d events, want %d", i, c, n, tt.counts[i])
				}
			}
			if n := tl.Finish().Len(); n != tt.final {
				t.Errorf("Finish returned %d events, want %d", n, tt.final)
			}
			if n := tl.Finish().Len(); n != 0 {
				t.Errorf("second Finish returned %d events", n)
			}
		})
	}
}

// TestTimelineProviderFromEvents: with no URL or header naming the
// provider, the first event that does switches to that provider's
// summaries, as the verdict has them.
func TestTimelineProviderFromEvents(t *testing.T) {
	x := stream.FromBody("anon.sse", []byte(good))
	got := runTimeline(x, 5, true)
	want := infos(Diagnose(x, Options{}).Events)
	sameTimeline(t, got, want)
	if got[0].Summary != "claude-test" || got[3].Summary != "Hi" {
		t.Errorf("summaries %q, %q; want the model and the text", got[0].Summary, got[3].Summary)
	}
}

// TestTimelineNotAStream: a body Diagnose does not decode as a stream (an
// error document under a 4xx) shows no invented events while it arrives.
func TestTimelineNotAStream(t *testing.T) {
	errDoc, err := os.ReadFile("testdata/anthropic-429-retry-after.http")
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range map[string]*stream.Exchange{
		"4xx error document": httpExchange(t, "429.http", errDoc),
	} {
		for _, piece := range []int{0, 1, 15} {
			if got := runTimeline(x, piece, true); len(got) != 0 {
				t.Errorf("%s, piece %d: %d events, want none: %+v", name, piece, len(got), got)
			}
		}
	}
}

// FuzzTimeline: however a body is cut, the Timeline returns exactly the
// events (IDs and summaries included) a one-pass Diagnose finds, and no
// summary holds a raw control character.
func FuzzTimeline(f *testing.F) {
	f.Add([]byte(good), uint16(7), uint16(30))
	f.Add([]byte("id: 1\ndata: 1\r\n\r\ndata: {\"error\":{\"type\":\"x\",\"message\":\"m\"}}\r\r"), uint16(9), uint16(10))
	f.Add([]byte("data: a\n\n\xEF\xBB\xBFdata: {\"type\":\"b\"}\n\n:c\n\ndata:\xff\n\n"), uint16(9), uint16(12))
	f.Add([]byte("["+arrElem1+",\r\n"+arrElem2+"]"), uint16(40), uint16(200))
	f.Add([]byte("[{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"a\"}]}}]}\n,\r\n{\"error\": {\"code\": 503, \"status\": \"UNAVAILABLE\"}"), uint16(5), uint16(60))
	f.Add(join(ebChunk(evMS), ebChunk(evStart(0, "text")), ebChunk(`{"type":"message_stop"}`)), uint16(100), uint16(500))
	f.Add(join(cvEvent("messageStart", `{"role":"assistant"}`), cvEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hi"}}`), cvException("throttlingException", `{"message":"Too many tokens"}`)), uint16(30), uint16(90))
	urls := []string{"", "https://api.anthropic.com/v1/messages", "https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/responses",
		"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
		"https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1:0/converse-stream"}
	f.Fuzz(func(t *testing.T, body []byte, a, b uint16) {
		if len(body) > 1<<16 {
			return
		}
		c1, c2 := int(a)%(len(body)+1), int(b)%(len(body)+1)
		if c2 < c1 {
			c1, c2 = c2, c1
		}
		x := &stream.Exchange{Source: "fuzz", Timed: true, End: stream.End{Reason: stream.EndEOF}, Chunks: []stream.Chunk{
			{At: 1, Data: body[:c1]}, {At: 2, Data: body[c1:c2]}, {At: 3, Data: body[c2:]},
		}}
		u := urls[int(a+b)%len(urls)]
		if u != "" {
			withRequest(x, "POST", u, "")
		}
		// Without a URL the provider comes from all the leading events at
		// once, which a Timeline created before they arrive cannot match
		// event for event: give it the whole exchange, as the loader does.
		v := Diagnose(x, Options{})
		events := infos(v.Events)
		// Likewise a shape that names another grammar than the URL's
		// reaches a live Timeline only when it arrives, and the events
		// before it keep the URL dialect's summaries (see Timeline).
		live := u != "" && dialectNamed(v.Dialect, v.Provider) == dialectOf(v.Provider)
		sameTimeline(t, runTimeline(x, 0, live), events)
		for _, e := range events {
			if r, bad := rawControl(e.Summary); bad {
				t.Fatalf("summary %q holds raw %U", e.Summary, r)
			}
		}
	})
}
