package stream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// recordingRewrite passes every event on and remembers what it was shown.
type recordingRewrite struct {
	frames []string
	ns     []int
}

func (r *recordingRewrite) Name() string                             { return "record" }
func (r *recordingRewrite) Head(*Exchange, int, http.Header) *Answer { return nil }
func (r *recordingRewrite) Finish(int, time.Duration) Step           { return Step{} }
func (r *recordingRewrite) Rate() int                                { return 0 }
func (r *recordingRewrite) Event(n int, frame []byte, _ time.Duration) Step {
	r.frames = append(r.frames, string(frame))
	r.ns = append(r.ns, n)
	return Step{Send: frame}
}

// runFaultWriter feeds body to a faultWriter in pieces of size n and
// returns what it sent.
func runFaultWriter(t *testing.T, rw Rewrite, body []byte, n int) []byte {
	t.Helper()
	var out bytes.Buffer
	fw := newFaultWriter(context.Background(), rw, func(b []byte) error { out.Write(b); return nil })
	for len(body) > 0 {
		k := min(n, len(body))
		if e, err := fw.write(body[:k]); e != Continue || err != nil {
			t.Fatalf("write: %v %v", e, err)
		}
		body = body[k:]
	}
	if e, err := fw.finish(); e != Continue || err != nil {
		t.Fatalf("finish: %v %v", e, err)
	}
	return out.Bytes()
}

// The fault writer finds every event whatever the read boundaries (CRLF
// split across reads included), counts only frames with fields, and a
// rewrite that passes everything sends the body unchanged.
func TestFaultWriterFrames(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		frames []string
	}{
		{"lf", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"event: a\ndata: 1\n\n", "data: 2\n\n"}},
		{"crlf", "data: 1\r\n\r\ndata: 2\r\n\r\n", []string{"data: 1\r\n\r\n", "data: 2\r\n\r\n"}},
		{"cr", "data: 1\r\rdata: 2\r\r", []string{"data: 1\r\r", "data: 2\r\r"}},
		{"comments are not events", ": keep-alive\n\ndata: 1\n\n: OPENROUTER PROCESSING\n\n", []string{"data: 1\n\n"}},
		{"leading blank lines", "\n\ndata: 1\n\n", []string{"data: 1\n\n"}},
		{"last frame without its blank line", "data: 1\n\ndata: 2", []string{"data: 1\n\n", "data: 2"}},
		{"not sse", `{"error":{"code":503}}`, []string{`{"error":{"code":503}}`}},
	}
	for _, tt := range tests {
		for _, n := range []int{1, 2, 3, 7, 1 << 20} {
			t.Run(tt.name, func(t *testing.T) {
				rw := &recordingRewrite{}
				out := runFaultWriter(t, rw, []byte(tt.body), n)
				if string(out) != tt.body {
					t.Errorf("reads of %d: sent %q, want the body unchanged %q", n, out, tt.body)
				}
				if strings.Join(rw.frames, "|") != strings.Join(tt.frames, "|") {
					t.Errorf("reads of %d: events %q, want %q", n, rw.frames, tt.frames)
				}
				for i, k := range rw.ns {
					if k != i+1 {
						t.Errorf("event %d numbered %d", i+1, k)
					}
				}
			})
		}
	}
}

// A body that never ends a frame is passed on once the buffer limit is
// reached: memory does not grow with it.
func TestFaultWriterBoundsItsBuffer(t *testing.T) {
	rw := &recordingRewrite{}
	var sent int
	fw := newFaultWriter(context.Background(), rw, func(b []byte) error { sent += len(b); return nil })
	piece := bytes.Repeat([]byte("x"), 64<<10)
	for range 64 { // 4 MiB without a line end
		if _, err := fw.write(piece); err != nil {
			t.Fatal(err)
		}
		if cap(fw.buf) > 2*maxFaultFrame+len(piece) {
			t.Fatalf("buffer grew to %d bytes", cap(fw.buf))
		}
	}
	fw.finish()
	if sent != 64*len(piece) {
		t.Errorf("sent %d bytes, want %d", sent, 64*len(piece))
	}
}

// An event longer than the buffer limit is passed on whole and untouched:
// its end is never shown to the rewrite as an event of its own (a fault
// at that number would otherwise replace or cut it mid-event), and it
// still counts, so the events after it keep the numbers a client sees.
func TestFaultWriterLongEvent(t *testing.T) {
	long := "data: " + strings.Repeat("x", 2*maxFaultFrame) + "\n\n"
	tests := []struct {
		name   string
		body   string
		frames []string
		ns     []int
	}{
		{"long event between two", "data: 1\n\n" + long + "data: 3\n\n", []string{"data: 1\n\n", "data: 3\n\n"}, []int{1, 3}},
		{"long event first", long + "data: 2\n\n", []string{"data: 2\n\n"}, []int{2}},
		{"two long events", long + long + "data: 3\n\n", []string{"data: 3\n\n"}, []int{3}},
		{"long last event without its blank line", "data: 1\n\n" + long[:len(long)-2], []string{"data: 1\n\n"}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rw := &recordingRewrite{}
			out := runFaultWriter(t, rw, []byte(tt.body), 32<<10)
			if string(out) != tt.body {
				t.Errorf("sent %d bytes, want the body (%d bytes) unchanged", len(out), len(tt.body))
			}
			if strings.Join(rw.frames, "|") != strings.Join(tt.frames, "|") {
				t.Errorf("rewrite shown %d frames (%.40q…), want %q", len(rw.frames), rw.frames, tt.frames)
			}
			if fmt.Sprint(rw.ns) != fmt.Sprint(tt.ns) {
				t.Errorf("events numbered %v, want %v", rw.ns, tt.ns)
			}
		})
	}
}

// FuzzFaultWriterPassThrough: whatever the body and read size, a rewrite
// that passes every event sends exactly the body, and never panics.
func FuzzFaultWriterPassThrough(f *testing.F) {
	f.Add([]byte("event: a\ndata: 1\n\ndata: 2\r\n\r\n: c\n\n"), uint8(3))
	f.Add([]byte("data: 1\r\rdata: [DONE]\r"), uint8(1))
	f.Add([]byte("\r\n\r\n\n\r"), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, n uint8) {
		out := runFaultWriter(t, &recordingRewrite{}, body, int(n)+1)
		if !bytes.Equal(out, body) {
			t.Fatalf("sent %q, want %q", out, body)
		}
	})
}

// BenchmarkFaultWriter measures the injection path's cost per event for a
// rewrite that passes everything: 32 KiB reads of ~120-byte events.
func BenchmarkFaultWriter(b *testing.B) {
	ev := []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"text\":\"Hi\"}}\n\n")
	body := bytes.Repeat(ev, (1<<20)/len(ev))
	events := len(body) / len(ev)
	rw := passRewrite{}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		fw := newFaultWriter(context.Background(), rw, func([]byte) error { return nil })
		for p := body; len(p) > 0; {
			n := min(32<<10, len(p))
			fw.write(p[:n])
			p = p[n:]
		}
		fw.finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}

// passRewrite passes every event on, keeping nothing.
type passRewrite struct{}

func (passRewrite) Name() string                                    { return "pass" }
func (passRewrite) Head(*Exchange, int, http.Header) *Answer        { return nil }
func (passRewrite) Finish(int, time.Duration) Step                  { return Step{} }
func (passRewrite) Rate() int                                       { return 0 }
func (passRewrite) Event(_ int, frame []byte, _ time.Duration) Step { return Step{Send: frame} }

// firstOnly hits request 1 with a rewrite that ends the stream after its
// first event, with the ending given.
type firstOnly struct{ ending Ending }

func (f firstOnly) For(seq int, _ *http.Request, _ *Exchange) Rewrite {
	if seq != 1 {
		return nil
	}
	return endAfterFirst(f)
}

type endAfterFirst firstOnly

func (endAfterFirst) Name() string                             { return "end-after-first" }
func (endAfterFirst) Head(*Exchange, int, http.Header) *Answer { return nil }
func (endAfterFirst) Finish(int, time.Duration) Step           { return Step{} }
func (endAfterFirst) Rate() int                                { return 0 }
func (e endAfterFirst) Event(n int, frame []byte, _ time.Duration) Step {
	return Step{Send: frame, End: e.ending, Fired: true}
}

// Server.Inject applies the rewrite to the requests it picks, ends the
// response as the rewrite says, and Requests counts every request.
func TestServerInjectEndingsAndRequests(t *testing.T) {
	body := chatDelta + chatDelta + chatDone
	tests := []struct {
		ending  Ending
		wantErr string // "" for a clean end
	}{
		{EndClean, ""},
		{EndAbort, "unexpected EOF"},
		{EndResetConn, "connection reset"},
	}
	for _, tt := range tests {
		s := &Server{Plan: []*Exchange{FromBody("t", []byte(body))}, Instant: true, Inject: firstOnly{tt.ending}}
		url := serveOne(t, s)
		_, got, err := get(t, url)
		if string(got) != chatDelta || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ending %d: got %q, %v; want the first event and %q", tt.ending, got, err, tt.wantErr)
		}
		for range 2 {
			if _, got, err := get(t, url); err != nil || string(got) != body {
				t.Errorf("ending %d: a later request got %q, %v; want the clean body", tt.ending, got, err)
			}
		}
		if n := s.Requests(); n != 3 {
			t.Errorf("Requests() = %d, want 3", n)
		}
	}
}

// A compressed or non-2xx capture is served as it is: the rewrite never
// sees its bytes.
func TestServerInjectLeavesErrorsAndCompressedBodiesAlone(t *testing.T) {
	body := chatDelta + chatDone
	for _, tt := range []struct {
		name   string
		status int
		header http.Header
	}{
		{"429", 429, http.Header{"Content-Type": {"application/json"}}},
		{"gzip", 200, http.Header{"Content-Type": {"text/event-stream"}, "Content-Encoding": {"gzip"}}},
	} {
		x := FromBody("t", gzipped(t, []byte(body)))
		if tt.name == "429" {
			x = FromBody("t", []byte(body))
		}
		x.Response = &Response{Status: tt.status, Header: tt.header}
		url := serveOne(t, &Server{Plan: []*Exchange{x}, Instant: true, Inject: firstOnly{EndAbort}})
		c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, x.Body()) || resp.StatusCode != tt.status {
			t.Errorf("%s: got %d %q, %v; want the capture as it is", tt.name, resp.StatusCode, got, err)
		}
	}
}
