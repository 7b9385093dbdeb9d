package stream

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/internal/heavytest"
)

// bigEvent is one event of the bodies the memory tests generate.
const bigEvent = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there, streaming world\"}}\n\n"

// writeBig writes a capture of about size bytes to a file: head, then
// pieces made by piece(i) until size, then tail. It returns the file and
// the number of pieces.
func writeBig(t *testing.T, name string, size int64, head string, piece func(i int) string, tail string) (path string, pieces int64) {
	t.Helper()
	path = filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(head)
	var n int64
	for i := 0; n < size; i++ {
		p := piece(i)
		w.WriteString(p)
		n += int64(len(p))
		pieces++
	}
	w.WriteString(tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, pieces
}

// peakHeap runs f and returns the most heap in use above what was in use
// before, sampled every millisecond, and what stays in use after it.
func peakHeap(f func()) (peak, kept uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var top atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > top.Load() {
				top.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	sub := func(a uint64) uint64 {
		if a < base {
			return 0
		}
		return a - base
	}
	return sub(top.Load()), sub(ms.HeapInuse)
}

// TestReadMemoryBounded reads a large capture of each format that streams
// and checks that the heap stays far below the body's size: the body is a
// region of the file or a spool on disk, never a []byte.
func TestReadMemoryBounded(t *testing.T) {
	heavytest.Skip(t, "writes 256 MiB captures")
	const size = 256 << 20
	chunk4k := strings.Repeat(bigEvent, 4096/len(bigEvent))
	tests := []struct {
		name  string
		head  string
		piece func(i int) string
		tail  string
		body  int    // body bytes a piece holds
		bound uint64 // most heap in use above the start, whatever the size
	}{
		{"bare SSE", "", func(int) string { return bigEvent }, "", len(bigEvent), 16 << 20},
		{"midstream JSONL, 4 KiB chunks", `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":{"status":200,"status_text":"OK","headers":{},"at_us":5}}` + "\n",
			func(i int) string { return fmt.Sprintf(`{"t":"chunk","at_us":%d,"text":%q}`+"\n", 10+i, chunk4k) },
			`{"t":"end","at_us":99999999,"reason":"eof"}` + "\n", len(chunk4k), 32 << 20},
		{"curl -i, chunked framing", "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
			func(int) string { return fmt.Sprintf("%x\r\n%s\r\n", len(chunk4k), chunk4k) }, "0\r\n\r\n", len(chunk4k), 32 << 20},
		{"curl -v", "*   Trying 127.0.0.1:8080...\n> GET /v1/messages HTTP/1.1\n> Host: x\n>\n< HTTP/1.1 200 OK\n< Content-Type: text/event-stream\n<\n",
			func(int) string { return bigEvent }, "* Connection #0 to host x left intact\n", len(bigEvent), 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, pieces := writeBig(t, "big", size, tt.head, tt.piece, tt.tail)
			body := pieces * int64(tt.body)
			var xs []*Exchange
			var err error
			var got int64
			peak, _ := peakHeap(func() {
				xs, err = ReadFile(path)
				if err != nil {
					return
				}
				err = xs[0].EachChunk(func(c Chunk) error { got += int64(len(c.Data)); return nil })
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != body {
				t.Errorf("body has %d bytes, want %d", got, body)
			}
			t.Logf("%s: %d MiB read with a heap peak of %.1f MiB", tt.name, body>>20, float64(peak)/(1<<20))
			if peak > tt.bound {
				t.Errorf("heap peaked %.1f MiB above the start reading %d MiB; want under %d MiB", float64(peak)/(1<<20), body>>20, tt.bound>>20)
			}
			runtime.KeepAlive(xs)
		})
	}
}
