package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/internal/heavytest"
	"github.com/midstreamhq/midstream/stream"
)

// pushExchanges pushes n exchanges of a 1 MiB body through the feed into
// m as the proxy's recorder does (the Start shares the spool the chunks
// are appended to; each chunk update carries a copy), applying each one
// and its decoding and diagnoses before the next. The first recorded ones
// are also written to capture files in dir, as proxy --save does.
// It returns the number of events in each.
func pushExchanges(t *testing.T, m *Model, f *stream.Feed, n, recorded int, dir string, names *CaptureNames) int {
	t.Helper()
	text := strings.Repeat("x", 900)
	frame := fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%q}}\n\n", text)
	body := []byte(strings.Repeat(frame, (1<<20)/len(frame)))
	for seq := 1; seq <= n; seq++ {
		x := &stream.Exchange{Source: fmt.Sprintf("proxy#%d", seq), Format: stream.FormatJSONL, Timed: true, Spool: stream.NewSpool(),
			Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{}}}
		shell := *x
		f.Publish(stream.Update{Seq: seq, Start: &shell})
		x.Response = &stream.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, At: time.Millisecond}
		f.Publish(stream.Update{Seq: seq, Response: x.Response})
		for off, i := 0, 0; off < len(body); off, i = off+64<<10, i+1 {
			c := stream.Chunk{At: time.Duration(i+2) * time.Millisecond, Data: body[off:min(off+64<<10, len(body))]}
			x.Spool.Append(c.At, c.Data)
			c.Data = bytes.Clone(c.Data)
			f.Publish(stream.Update{Seq: seq, Chunk: &c})
		}
		x.End = stream.End{Reason: stream.EndEOF, At: time.Second}
		f.Publish(stream.Update{Seq: seq, End: &x.End})
		if seq <= recorded {
			path := filepath.Join(dir, fmt.Sprintf("%04d.jsonl", seq))
			w, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := stream.WriteJSONL(w, x); err != nil {
				t.Fatal(err)
			}
			w.Close()
			names.Add(x.Source, path)
		}
		pump(m)
	}
	return (1 << 20) / len(frame)
}

// heapAfterGC is the live Go heap.
func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestLongProxySessionStaysBounded: 300 exchanges of 1 MiB through the
// feed leave the bodies on disk and only the policy's exchanges in memory;
// an evicted exchange reopens from its capture, and one never recorded
// says so.
func TestLongProxySessionStaysBounded(t *testing.T) {
	dir := t.TempDir()
	names := NewCaptureNames()
	f := stream.NewFeed()
	m, _ := newLiveModel(f, Options{Title: "proxy", Captures: names})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m.keep = evictPolicy{events: 20_000, count: 16}
	before := heapAfterGC()
	per := pushExchanges(t, m, f, 300, 5, dir, names)
	heap := heapAfterGC()
	count, events := m.residency()
	t.Logf("300 × 1 MiB: heap %.1f MiB after GC (%.1f MiB before), %d exchanges / %d events resident",
		float64(heap)/(1<<20), float64(before)/(1<<20), count, events)
	if heap > before+32<<20 {
		t.Errorf("heap grew by %d MiB for 300 MiB of traffic", (heap-before)>>20)
	}
	if count > 16 || events > 20_000 {
		t.Errorf("%d exchanges, %d events resident: over the policy", count, events)
	}
	if s := screen(m.openList()); !contains(s, "Exchanges (300)", "proxy#3 ", fmt.Sprintf("%d ev", per)) {
		t.Errorf("the list must keep every row, evicted or not:\n%s", s)
	}

	st := m.xs[2]
	if !st.evicted {
		t.Fatal("exchange 3 should have been evicted")
	}
	m.open(2)
	settle(m)
	if st.evicted || !st.done || st.events.Len() != per || st.verdict == nil || st.verdict.Exchange == nil {
		t.Fatalf("reopened: evicted=%v done=%v %d events, verdict %v", st.evicted, st.done, st.events.Len(), st.verdict != nil)
	}
	if s := screen(m); !strings.Contains(s, fmt.Sprintf("Timeline · %d events", per)) {
		t.Errorf("the reopened timeline is not shown:\n%s", s)
	}

	m.open(19)
	settle(m)
	if s := screen(m); !strings.Contains(s, "evicted; not recorded") {
		t.Errorf("an evicted exchange with no capture must say so:\n%s", s)
	}
}

// TestLongProxySessionDefaultPolicy measures the same session under the
// default policy (every exchange's timeline fits it): the heap then holds
// timelines and verdicts only, never bodies.
func TestLongProxySessionDefaultPolicy(t *testing.T) {
	heavytest.Skip(t, "300 MiB through the inspector")
	f := stream.NewFeed()
	m, _ := newLiveModel(f, Options{Title: "proxy"})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	before := heapAfterGC()
	pushExchanges(t, m, f, 300, 0, "", nil)
	heap := heapAfterGC()
	count, events := m.residency()
	t.Logf("300 × 1 MiB, default policy: heap %.1f MiB after GC, %d exchanges / %d events resident",
		float64(heap-before)/(1<<20), count, events)
	if heap > before+128<<20 {
		t.Errorf("heap grew by %d MiB for 300 MiB of traffic", (heap-before)>>20)
	}
}

// openList shows the exchange list.
func (m *Model) openList() *Model {
	m.mode = modeList
	m.layout()
	return m
}
