package stream

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// oldChunkLine is the reflection-based encoding appendChunkLine replaces:
// the oracle it must match byte for byte.
func oldChunkLine(c Chunk) []byte {
	l := jsonlLine{T: "chunk", AtUS: micros(c.At)}
	l.Text, l.B64 = encodeBytes(c.Data)
	b, _ := marshalLine(l)
	return b
}

func TestAppendChunkLineMatchesEncodingJSON(t *testing.T) {
	cases := [][]byte{nil, []byte(""), []byte("data: {\"a\":\"<&>\\\"\"}\n\n"), []byte("\x00\x01\b\f\t\r\n\x1f\x7f"),
		[]byte("\u2028\u2029 é 😀 \ufffd"), {0xff, 'a'}, []byte(strings.Repeat("plain text ", 20) + "\"q\"\x01" + strings.Repeat("~", 17) + "\x7f\x80"), []byte("ab\xe2\x82"), []byte("\xed\xa0\x80"),
		[]byte("12345678\x7f2345678 DEL inside a plain word"), []byte("bidi \u202e and C1 \u0085\u009b, tag \U000e0001 in text")}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\\n\x00\x1f\x7f<>&\xe2\x80\xa8\xc3\xa9\xc2\x85\xff")
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, b)
	}
	// One byte to escape (or not ASCII) at every offset of a plain run:
	// the encoder jumps 8 bytes at a time to the first such byte.
	for _, special := range []string{"\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "\u2028", "\xff", " ", "~"} {
		for pos := range 20 {
			cases = append(cases, []byte(strings.Repeat("x", pos)+special+strings.Repeat("y", 11)+special))
		}
	}
	for _, b := range cases {
		c := Chunk{At: time.Duration(r.IntN(1e9)), Data: b}
		if got, want := appendChunkLine([]byte("prefix"), c), append([]byte("prefix"), oldChunkLine(c)...); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", b, got, want)
		}
	}
}

// A spooled request body is written into the header line: redacted in
// full when small, scrubbed of key shapes as it streams when large, and
// read back byte for byte otherwise.
func TestWriteHeaderSpooledRequestBody(t *testing.T) {
	key := "sk-ant-api03-" + strings.Repeat("K", 40)
	small := `{"model":"m","api_key":"hunter2-secret-value","note":"` + key + `"}`
	filler := strings.Repeat(`{"role":"user","content":"hello \"there\" é"},`, 40000) // ~1.8 MiB
	large := `{"model":"m","messages":[` + filler + `"` + key + `","Bearer ` + key + `"]}`
	binary := append([]byte{0xff, 0xfe}, []byte(large)...)
	for _, tc := range []struct {
		name, body string
		want       func(string) string
	}{
		{"small", small, func(s string) string { return redactJSONFields(RedactText(s)) }},
		{"large", large, RedactText},
		{"large binary", string(binary), RedactText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpool()
			for b := []byte(tc.body); len(b) > 0; {
				n := min(len(b), 1000+len(b)%7777)
				s.Append(0, b[:n])
				b = b[n:]
			}
			x := &Exchange{Source: "proxy#1", Started: time.Now(), Request: &Request{Method: "POST", URL: "http://h/v1", Spool: s}}
			var buf bytes.Buffer
			if err := WriteJSONL(&buf, x); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte(key)) || bytes.Contains(buf.Bytes(), []byte("hunter2-secret-value")) {
				t.Fatal("a key reached the capture")
			}
			xs, err := ReadJSONL("c.jsonl", buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(xs[0].Request.Body), tc.want(tc.body); got != want {
				t.Fatalf("body read back differs: %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

// A batched writer gathers chunk lines but writes them within its delay,
// whole, and everything at End.
func TestBatchedCaptureWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x := canaryExchange()
	cw := NewBatchedCaptureWriter(f, 20*time.Millisecond)
	if err := cw.Begin(x); err != nil {
		t.Fatal(err)
	}
	for _, c := range x.Chunks {
		if err := cw.Chunk(c); err != nil {
			t.Fatal(err)
		}
	}
	read := func() *Exchange {
		b, _ := os.ReadFile(path)
		xs, err := ReadJSONL("c.jsonl", b)
		if err != nil {
			t.Fatal(err)
		}
		return xs[0]
	}
	if n := len(read().Chunks); n != 0 {
		t.Logf("%d chunks written before the delay (a slow machine)", n)
	}
	time.Sleep(100 * time.Millisecond)
	if got := read(); len(got.Chunks) != len(x.Chunks) || got.End.Reason != EndIncomplete {
		t.Fatalf("after the delay: %d chunks, end %q", len(got.Chunks), got.End.Reason)
	}
	if err := cw.End(x.End); err != nil {
		t.Fatal(err)
	}
	if got := read(); !bytes.Equal(got.Body(), x.Body()) || got.End.Reason != x.End.Reason {
		t.Fatalf("complete capture differs: %+v", got.End)
	}
}

// BenchmarkChunkLine compares the chunk line encoder with the reflection
// based one it replaced, on a typical SSE event.
func BenchmarkChunkLine(b *testing.B) {
	c := Chunk{At: 1234567 * time.Microsecond, Data: []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there, how are you doing today?\"}}\n\n")}
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(c.Data)))
		for b.Loop() {
			oldChunkLine(c)
		}
	})
	b.Run("append", func(b *testing.B) {
		b.SetBytes(int64(len(c.Data)))
		var buf []byte
		for b.Loop() {
			buf = appendChunkLine(buf[:0], c)
		}
	})
}

// FuzzAppendChunkLine checks the chunk line encoder against the
// reflection-based oracle on any bytes.
func FuzzAppendChunkLine(f *testing.F) {
	f.Add([]byte("event: x\ndata: {\"a\":\"b\\\\c\"}\n\n"))
	f.Add([]byte("12345678\x7f2345678\u2028\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Chunk{At: time.Second, Data: b}
		if got, want := appendChunkLine(nil, c), oldChunkLine(c); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", b, got, want)
		}
	})
}

// stallWriter blocks every Write until release is closed.
type stallWriter struct {
	release chan struct{}
	mu      sync.Mutex
	b       bytes.Buffer
}

func (w *stallWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A batched writer whose file stalls does not stall Chunk until 256 KiB
// wait behind the batch being written, and then loses no line.
func TestBatchedCaptureWriterStalledDisk(t *testing.T) {
	w := &stallWriter{release: make(chan struct{})}
	cw := NewBatchedCaptureWriter(w, time.Hour)
	data := bytes.Repeat([]byte("x"), 1000)
	var want bytes.Buffer
	chunk := func(i int) {
		c := Chunk{At: time.Duration(i) * time.Microsecond, Data: data}
		want.Write(appendChunkLine(nil, c))
		if err := cw.Chunk(c); err != nil {
			t.Error(err)
		}
	}
	done := make(chan struct{})
	go func() { // 64 KiB start a write that stalls; 256 KiB more still go
		for i := range (batchMax + maxPending) / 1100 {
			chunk(i)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Chunk waited for a stalled write below the bound")
	}
	blocked := make(chan struct{})
	go func() { // past the bound, Chunk waits for the disk
		for i := range 200 {
			chunk(1000 + i)
		}
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatal("Chunk went on past the bound while the write stalled")
	case <-time.After(50 * time.Millisecond):
	}
	close(w.release)
	<-blocked
	if err := cw.End(End{Reason: EndEOF}); err != nil {
		t.Fatal(err)
	}
	end, _ := endLine(End{Reason: EndEOF})
	want.Write(end)
	if !bytes.Equal(w.b.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes, want %d, or out of order", w.b.Len(), want.Len())
	}
}

// BenchmarkChunkLineRead encodes the line of one full proxy read: 32 KiB
// of back-to-back SSE events (the size the proxy forwards per read under
// load, see BenchmarkProxyWire), once of the benchmark origin's events and
// once of Anthropic-shaped text deltas.
func BenchmarkChunkLineRead(b *testing.B) {
	for _, tc := range []struct{ name, event string }{
		{"bench-origin", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"t\":1764862172123456789,\"text\":\"" + strings.Repeat("x", 30) + "\"}\n\n"},
		{"anthropic-delta", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there, how are you doing today? I\\u2019m fine.\"}}\n\n"},
	} {
		data := []byte(strings.Repeat(tc.event, 32<<10/len(tc.event)))
		c := Chunk{At: 1234567 * time.Microsecond, Data: data}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var buf []byte
			cpu0 := selfCPU()
			for b.Loop() {
				buf = appendChunkLine(buf[:0], c)
			}
			// CPU time per op: less skewed than wall time by the other
			// processes of a shared machine.
			b.ReportMetric((selfCPU()-cpu0)*1e9/float64(b.N), "cpu-ns/op")
		})
	}
}

// slowWriter takes a little while over every Write, as a busy disk does,
// so that batches gather behind the one being written.
type slowWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(300 * time.Microsecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Batched writers recording at the same time, each with batches queuing
// behind a slow write, write exactly their own lines: a line buffer going
// back to the shared pool must never be one still being written (it once
// was, and another exchange's lines overwrote it mid-write).
func TestBatchedCaptureWritersDoNotShareBuffers(t *testing.T) {
	const writers, chunks = 8, 60
	var wg sync.WaitGroup
	outs := make([]*slowWriter, writers)
	wants := make([][]byte, writers)
	for i := range writers {
		outs[i] = &slowWriter{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cw := NewBatchedCaptureWriter(outs[i], time.Hour)
			var want []byte
			for j := range chunks {
				c := Chunk{At: time.Duration(j) * time.Microsecond, Data: []byte(strings.Repeat(fmt.Sprintf("data: writer %d chunk %d\n\n", i, j), 800))}
				want = appendChunkLine(want, c)
				if err := cw.Chunk(c); err != nil {
					t.Error(err)
					return
				}
			}
			e := End{Reason: EndEOF}
			line, _ := endLine(e)
			wants[i] = append(want, line...)
			if err := cw.End(e); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, w := range outs {
		if got := w.b.Bytes(); !bytes.Equal(got, wants[i]) {
			t.Errorf("writer %d wrote %d bytes that differ from its %d bytes of lines", i, len(got), len(wants[i]))
		}
	}
}
