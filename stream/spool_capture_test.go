package stream

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// backedBodies are bodies whose bytes a proxied exchange's spool reads
// back from its capture: SSE text (text lines), bytes that are not UTF-8
// (base64 lines) and text the encoder escapes (control, DEL, C1, U+2028).
func backedBodies() []struct {
	name   string
	chunks [][]byte
} {
	sse := func(n int) [][]byte {
		var cs [][]byte
		for i := range n {
			cs = append(cs, []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"chunk "+strings.Repeat("x", i%97)+"\"}}\n\n"))
		}
		return cs
	}
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([][]byte, 40)
	for i := range binary {
		binary[i] = make([]byte, 8<<10)
		for j := range binary[i] {
			binary[i][j] = byte(rng.Uint32())
		}
	}
	var escaped [][]byte
	for i := range 300 {
		escaped = append(escaped, []byte(strings.Repeat("a\"b\\c\x01\x7f\u0085\u2028\t\n", 100)+string(rune('A'+i%26))))
	}
	return []struct {
		name   string
		chunks [][]byte
	}{
		{"sse text past SpillAt", sse(3000)},
		{"bytes that are not UTF-8", binary},
		{"text the encoder escapes", escaped},
		{"one chunk", [][]byte{[]byte("data: [DONE]\n\n")}},
		{"empty chunks between", [][]byte{[]byte("a"), {}, []byte(strings.Repeat("b", 100<<10)), {}}},
	}
}

// recordBacked records chunks as the proxy does, to a capture file made
// by CreateNew through a batched writer, and returns the recorder.
func recordBacked(t testing.TB, chunks [][]byte, delay time.Duration, mid func(i int, o *Output, s *Spool)) *recorder {
	t.Helper()
	o, err := CreateNew(filepath.Join(t.TempDir(), "c.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	x := &Exchange{Source: "proxy#1", Format: FormatJSONL, Started: time.Now(),
		Request: &Request{Method: "POST", URL: "http://127.0.0.1:1/v1/messages", Proto: "HTTP/1.1", Header: http.Header{}, Spool: NewSpool()}}
	r := newRecorder(1, x, NewBatchedCaptureWriter(o, delay), nil)
	r.response(&http.Response{Proto: "HTTP/1.1", StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"text/event-stream"}}})
	for i, c := range chunks {
		if mid != nil {
			mid(i, o, x.Spool)
		}
		r.chunk(c)
	}
	r.end(nil)
	t.Cleanup(func() { o.Commit(); x.Spool.Close() })
	return r
}

// A body recorded to a capture is read back from it whole and byte-exact
// (through the inspector's readers: ReadAt at any offset, Each, Reader),
// with its chunk boundaries, and was never copied to a spill file; its
// capture reads back as the same body.
func TestSpoolReadsBodyBackFromCapture(t *testing.T) {
	for _, tc := range backedBodies() {
		t.Run(tc.name, func(t *testing.T) {
			r := recordBacked(t, tc.chunks, time.Millisecond, nil)
			want := bytes.Join(tc.chunks, nil)
			s := r.x.Spool
			if r.err != nil {
				t.Fatal(r.err)
			}
			got, err := io.ReadAll(s.Reader())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("body read back: %d bytes, err %v; want %d bytes", len(got), err, len(want))
			}
			var each [][]byte
			if err := s.Each(func(c Chunk) error { each = append(each, bytes.Clone(c.Data)); return nil }); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.Join(each, nil), want) || s.Chunks() != len(tc.chunks) {
				t.Fatalf("Each: %d chunks, %d bytes; want %d chunks", s.Chunks(), len(bytes.Join(each, nil)), len(tc.chunks))
			}
			checkRandomReads(t, s, want)
			st := s.st
			if len(want) >= SpillAt && (st.spilled != nil || len(st.mem) != 0 || st.backEnd != int64(len(want))) {
				t.Errorf("body kept besides its capture: spilled %v, %d bytes in memory, %d read back", st.spilled != nil, len(st.mem), st.backEnd)
			}
		})
	}
}

// checkRandomReads reads s at random offsets and lengths.
func checkRandomReads(t *testing.T, s *Spool, want []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		off := rng.IntN(len(want) + 1)
		n := rng.IntN(min(len(want)-off, 50<<10) + 1)
		p := make([]byte, n)
		m, err := s.ReadAt(p, int64(off))
		if m != n || (err != nil && !(err == io.EOF && off+n == len(want))) || !bytes.Equal(p, want[off:off+n]) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v", n, off, m, err)
		}
	}
}

// When the capture stops being written mid-body (here its file is
// closed under it), recording reports it and the spool still holds the
// whole body: what the capture has is read from it, the rest was spilled.
func TestSpoolBackedCaptureFails(t *testing.T) {
	chunks := backedBodies()[0].chunks
	want := bytes.Join(chunks, nil)
	r := recordBacked(t, chunks, time.Millisecond, func(i int, o *Output, _ *Spool) {
		if i == 2000 {
			time.Sleep(5 * time.Millisecond) // let a batch land first
			o.f.Close()
		}
	})
	if r.err == nil {
		t.Fatal("a capture whose file was closed reported no error")
	}
	s := r.x.Spool
	got, err := io.ReadAll(s.Reader())
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("body after a failed capture: %d bytes, err %v; want %d bytes", len(got), err, len(want))
	}
	checkRandomReads(t, s, want)
	if st := s.st; st.backEnd == 0 || st.spilled == nil {
		t.Errorf("read back %d bytes from the capture, spilled %v: want both", st.backEnd, st.spilled != nil)
	}
}

// Through the proxy: the exchange OnDone hands over (what `proxy
// --no-tui` diagnoses and the inspector opens) has the whole body,
// read back from its capture file, and the capture holds the same body.
func TestProxyBodyReadBackFromCapture(t *testing.T) {
	chunks := backedBodies()[0].chunks
	want := bytes.Join(chunks, nil)
	e := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i, c := range chunks {
			w.Write(c)
			if i%100 == 0 {
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer e.close(t)
	resp, err := e.client.Post(e.srv.URL+"/v1/messages", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, want) {
		t.Fatalf("client got %d bytes, want %d", len(got), len(want))
	}
	f := e.next(t)
	body, err := io.ReadAll(f.x.BodyReader())
	if err != nil || !bytes.Equal(body, want) {
		t.Fatalf("exchange body: %d bytes, %v; want %d", len(body), err, len(want))
	}
	if st := f.x.Spool.st; st.spilled != nil || st.backEnd != int64(len(want)) {
		t.Errorf("body spilled besides its capture (%v) or not read back from it (%d bytes)", st.spilled != nil, st.backEnd)
	}
	cx, _ := readCapture(t, f.capture)
	if cb, _ := io.ReadAll(cx.BodyReader()); !bytes.Equal(cb, want) {
		t.Fatalf("capture body: %d bytes, want %d", len(cb), len(want))
	}
}

// FuzzSpoolBackedRead records any bytes, cut into chunks at the given
// sizes, through a capture the spool reads back, and reads it whole.
func FuzzSpoolBackedRead(f *testing.F) {
	f.Add([]byte("event: a\ndata: {\"x\":1}\n\n\xff\xfe"), []byte{3, 0, 7, 200})
	f.Add([]byte("\u2028\x7f\x00plain"), []byte{1})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var chunks [][]byte
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(cuts) > 0 {
				n = min(int(cuts[i%len(cuts)]), len(rest))
			}
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
			if len(chunks) > 1000 {
				chunks = append(chunks, rest)
				break
			}
		}
		r := recordBacked(t, chunks, 0, nil)
		got, err := io.ReadAll(r.x.Spool.Reader())
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %q, %v; want %q", got, err, data)
		}
	})
}

// Readers reading while the body is being recorded (the inspector in
// the proxy's TUI) see every chunk appended so far, byte-exact.
func TestSpoolBackedReadWhileRecording(t *testing.T) {
	chunks := backedBodies()[0].chunks
	want := bytes.Join(chunks, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var bad error
	var mu sync.Mutex
	var spool *Spool
	ready := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ready
		for {
			select {
			case <-stop:
				return
			default:
			}
			snap := spool.Snapshot()
			got, err := io.ReadAll(snap.Reader())
			if err != nil || !bytes.Equal(got, want[:len(got)]) || int64(len(got)) != snap.Len() {
				mu.Lock()
				bad = err
				if bad == nil {
					bad = io.ErrUnexpectedEOF
				}
				mu.Unlock()
				return
			}
		}
	}()
	recordBacked(t, chunks, 2*time.Millisecond, func(i int, _ *Output, s *Spool) {
		if i == 1 {
			spool = s
			close(ready)
		}
		if i%200 == 0 {
			time.Sleep(time.Millisecond) // let batches land between reads
		}
	})
	close(stop)
	wg.Wait()
	if bad != nil {
		t.Fatalf("a reader during recording saw wrong bytes: %v", bad)
	}
}

// FuzzDecodeChunkLine: every chunk line appendChunkLine writes decodes
// back to its bytes (fast path or encoding/json), and any other line is
// decoded or refused without a panic.
func FuzzDecodeChunkLine(f *testing.F) {
	f.Add([]byte("data: {\"a\":\"b\\\\c\"}\n\n\x7f\u0085\u2028\U000E0001\xff"))
	f.Add([]byte(`{"t":"chunk","at_us":1,"text":"\ud83d\ude00"}` + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		line := appendChunkLine(nil, Chunk{At: time.Millisecond, Data: b})
		got, err := decodeChunkLine(nil, line)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%q: line %s decoded to %q, %v", b, line, got, err)
		}
		decodeChunkLine(nil, b) // untrusted: must not panic
	})
}

// Lines the fast path does not take are still decoded as the capture
// reader decodes them.
func TestDecodeChunkLineFallback(t *testing.T) {
	cases := []struct{ name, line, want string }{
		{"surrogate pair", `{"t":"chunk","at_us":1,"text":"\ud83d\ude00"}` + "\n", "\U0001F600"},
		{"fields reordered", `{"text":"hi","t":"chunk","at_us":1}`, "hi"},
		{"base64", `{"t":"chunk","at_us":1,"b64":"/w=="}` + "\n", "\xff"},
		{"escapes", `{"t":"chunk","at_us":1,"text":"a\"\\\/\n\u0085"}` + "\n", "a\"\\/\n\u0085"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeChunkLine(nil, []byte(tc.line))
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := decodeChunkLine(nil, []byte(`{"t":"end","at_us":1}`)); err == nil {
		t.Error("an end line decoded as a chunk")
	}
}

// BenchmarkSpoolReadBack reads a 16 MiB SSE body back whole, from its
// capture (backed) and from the spill file (spilled), as a diagnosis
// reads it (each pass of inspect.Diagnose is one such read).
func BenchmarkSpoolReadBack(b *testing.B) {
	ev := []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + strings.Repeat("z", 100) + "\"}}\n\n")
	chunk := bytes.Repeat(ev, 32<<10/len(ev))
	chunks := make([][]byte, 16<<20/len(chunk))
	for i := range chunks {
		chunks[i] = chunk
	}
	backed := recordBacked(b, chunks, time.Millisecond, nil).x.Spool
	spilled := NewSpool()
	for _, c := range chunks {
		spilled.Append(0, c)
	}
	b.Cleanup(func() { spilled.Close() })
	for _, s := range []struct {
		name string
		s    *Spool
	}{{"backed", backed}, {"spilled", spilled}} {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(s.s.Len())
			for b.Loop() {
				if _, err := io.Copy(io.Discard, s.s.Reader()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
