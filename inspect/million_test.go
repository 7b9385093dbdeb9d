package inspect

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/midstreamhq/midstream/stream"
)

// millionBody is an Anthropic stream of about n events: message_start, a
// text block of deltas and pings, and the usual end. mid, when not "",
// replaces the event at n/2 (a frame, blank line included).
func millionBody(n int, mid string) []byte {
	var b bytes.Buffer
	b.WriteString(ant(evMS, evStart(0, "text")))
	delta := ant(evText(0, "tok"))
	ping := ant(evPing)
	for i := 3; i < n-3; i++ {
		switch {
		case i == n/2 && mid != "":
			b.WriteString(mid)
		case i%10 == 0:
			b.WriteString(delta)
		default:
			b.WriteString(ping)
		}
	}
	b.WriteString(ant(evStop(0), evMD("end_turn", n), evMStop))
	return b.Bytes()
}

// allocated returns the bytes f allocates and the heap it leaves live.
func allocated(f func()) (total, live uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	total = after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		live = after.HeapAlloc - before.HeapAlloc
	}
	return total, live
}

// TestMillionEvents: a stream of 1,000,000 events diagnoses with memory
// proportional to the timeline, at most 64 bytes per event (an entry is
// 32): no event data, ID or summary is kept.
func TestMillionEvents(t *testing.T) {
	const n = 1_000_000
	body := millionBody(n, "")
	var v *Verdict
	total, live := allocated(func() { v = Diagnose(stream.FromBody("million.sse", body), Options{}) })
	if v.EventCount != n-1 || v.Events.Len() != n-1 || v.Events.kept() != n-1 {
		t.Fatalf("event count %d (%d, %d kept), want %d", v.EventCount, v.Events.Len(), v.Events.kept(), n-1)
	}
	if v.Outcome != OutcomeComplete || len(v.Findings) != 0 {
		t.Fatalf("outcome %s findings %v", v.Outcome, codes(v))
	}
	size := unsafe.Sizeof(entry{})
	t.Logf("body %d MiB; entry %d B; allocated %d B/event, %d B/event live after GC (EventInfo is %d B)",
		len(body)>>20, size, total/n, live/n, unsafe.Sizeof(EventInfo{}))
	if size > 32 {
		t.Errorf("entry is %d bytes, want at most 32", size)
	}
	if perEvent := total / n; perEvent > 64 {
		t.Errorf("allocated %d B/event, want at most 64", perEvent)
	}
	if perEvent := live / n; perEvent > 40 {
		t.Errorf("%d B/event live, want at most 40", perEvent)
	}
	if got := Assemble(v, v.Events.Len()); len(got.Blocks) != 1 || len(got.Blocks[0].Text) != 3*((n-6)/10) {
		t.Errorf("assembled %d blocks, text %d bytes", len(got.Blocks), len(got.Blocks[0].Text))
	}
	runtime.KeepAlive(v)
}

// TestWindowMillionEvents: with Options.Window, the verdict of a
// 1,000,000-event stream keeps O(window) events and allocates about the
// same whatever the length, yet its counts and reports are those of the
// full timeline.
func TestWindowMillionEvents(t *testing.T) {
	mid := "event: oops\ndata: " + evPing + "\n\n" // a W4 warning halfway: the report's focus
	for _, n := range []int{100_000, 1_000_000} {
		body := millionBody(n, mid)
		var v *Verdict
		total, _ := allocated(func() { v = Diagnose(stream.FromBody("million.sse", body), Options{Window: 16}) })
		full := Diagnose(stream.FromBody("million.sse", body), Options{})
		if v.EventCount != n-1 || v.Events.Len() != n-1 {
			t.Fatalf("n=%d: event count %d (%d)", n, v.EventCount, v.Events.Len())
		}
		if k := v.Events.kept(); k > 6*16 {
			t.Errorf("n=%d: %d events kept, want O(window)", n, k)
		}
		t.Logf("n=%d: %d events kept, %d KiB allocated", n, v.Events.kept(), total>>10)
		if total > 1<<20 {
			t.Errorf("n=%d: allocated %d KiB, want under 1 MiB whatever the length", n, total>>10)
		}
		sameReports(t, full, v)
	}
}

// sameReports checks that a windowed verdict renders as the full one.
func sameReports(t *testing.T, full, win *Verdict) {
	t.Helper()
	for _, w := range []struct {
		name  string
		write func(*bytes.Buffer, *Diagnosis) error
	}{
		{"text", func(b *bytes.Buffer, d *Diagnosis) error { return WriteText(b, d) }},
		{"markdown", func(b *bytes.Buffer, d *Diagnosis) error { return WriteMarkdown(b, d) }},
		{"json", func(b *bytes.Buffer, d *Diagnosis) error { return WriteJSON(b, d) }},
	} {
		var a, b bytes.Buffer
		if err := w.write(&a, &Diagnosis{ToolVersion: "t", Exchanges: []*Verdict{full}}); err != nil {
			t.Fatal(err)
		}
		if err := w.write(&b, &Diagnosis{ToolVersion: "t", Exchanges: []*Verdict{win}}); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: %s report differs with a window:\nfull:\n%s\nwindowed:\n%s", full.Source, w.name, a.String(), b.String())
		}
	}
}

// TestWindowReportsMatch: for every fixture and for long streams whose
// report centres on an event in the middle (an error, a stall, a bad tool
// input, a finding), the smallest window renders every report exactly as
// the full timeline does.
func TestWindowReportsMatch(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.*")
	xs := map[string]*stream.Exchange{}
	for _, f := range files {
		xs[filepath.Base(f)] = loadExchange(t, f)
	}
	long := func(mid string) string { return string(millionBody(200, mid)) }
	for name, body := range map[string]string{
		"error in the middle":    long(ant(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)),
		"name mismatch":          long("event: oops\ndata: " + evPing + "\n\n"),
		"second message_start":   long(ant(evMS)),
		"not json":               long("event: ping\ndata: {\n\n"),
		"cut mid block":          strings.TrimSuffix(long(""), ant(evStop(0), evMD("end_turn", 200), evMStop)),
		"events after the stop":  long(ant(evMStop)),
		"openai chat, long":      strings.Repeat("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n", 100) + "data: [DONE]\n\n" + strings.Repeat("data: {}\n\n", 50),
		"unterminated after 100": strings.Repeat("data: {\"a\":1}\n\n", 100) + "data: {",
	} {
		xs[name] = stream.FromBody(name+".sse", []byte(body))
	}
	var stalled strings.Builder
	var times []time.Duration
	for i := range 100 {
		stalled.WriteString("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n")
		gap := time.Duration(i) * 10 * time.Millisecond
		if i >= 50 {
			gap += 20 * time.Second
		}
		times = append(times, gap)
	}
	xs["stall in the middle"] = timed(stalled.String(), times...)
	for name, x := range xs {
		t.Run(name, func(t *testing.T) {
			win := Diagnose(x, Options{Window: 1})
			sameReports(t, Diagnose(x, Options{}), win)
			if n := win.Events.Len(); n >= 100 && win.Events.kept() >= n {
				t.Errorf("the window kept all %d events", n)
			}
		})
	}
}
