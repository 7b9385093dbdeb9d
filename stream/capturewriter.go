package stream

import (
	"io"
	"sync"
	"time"
)

// batchMax is how many bytes of chunk lines a batched CaptureWriter
// gathers before it writes them without waiting for its timer.
const batchMax = 64 << 10

// lineBufs holds batched writers' line buffers between exchanges: each
// grows to batchMax once, and a proxy running many streams would otherwise
// allocate that again for every exchange.
var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, batchMax+4<<10); return &b }}

// CaptureWriter writes one live exchange at a time in midstream's JSONL
// capture format: Begin, then Chunk for every body read, then End. Lines
// are only ever written whole, so a recorder killed at any moment leaves a
// file that reads up to its last whole line. It is safe for concurrent
// use, but the lines of exchanges written concurrently to one writer would
// interleave: use one writer per exchange or serialise whole exchanges.
type CaptureWriter struct {
	mu    sync.Mutex
	w     io.Writer
	delay time.Duration // 0: every line is written at once
	buf   []byte        // whole chunk lines not written yet
	timer *time.Timer   // writes buf delay after its first line
	armed bool
	err   error // first error of a timed write, returned by the next call
}

// NewCaptureWriter returns a writer of JSONL capture lines to w that
// writes (and flushes) every line as soon as it is given.
func NewCaptureWriter(w io.Writer) *CaptureWriter { return &CaptureWriter{w: w} }

// NewBatchedCaptureWriter returns a writer of JSONL capture lines to w
// that gathers chunk lines and writes them together at most delay after
// the first of them, or as soon as 64 KiB are waiting. The header and end
// lines are written at once.
//
// Why: a streamed response arrives in many small reads, and a write (a
// system call) for each costs the proxy more than forwarding the read
// did. A proxy killed meanwhile loses at most the last delay of chunks
// from the capture, which still reads up to its last whole line.
func NewBatchedCaptureWriter(w io.Writer, delay time.Duration) *CaptureWriter {
	return &CaptureWriter{w: w, delay: delay}
}

// Begin writes the header line of x from x.Source, x.Started, x.Request
// and x.Response (nil when the upstream failed before answering). Secrets
// are redacted before anything is written. A large spooled request body
// is streamed into the line from its spool rather than held.
func (cw *CaptureWriter) Begin(x *Exchange) error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if err := cw.writeBuffered(); err != nil {
		return err
	}
	if err := writeHeader(cw.w, x, true); err != nil {
		return err
	}
	return cw.flushUser()
}

// Chunk writes one body read, or queues its line on a batched writer.
// c.Data is encoded before Chunk returns: the caller may reuse it.
func (cw *CaptureWriter) Chunk(c Chunk) error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.err != nil {
		return cw.err
	}
	if cw.buf == nil && cw.delay > 0 {
		cw.buf = (*lineBufs.Get().(*[]byte))[:0]
	}
	cw.buf = appendChunkLine(cw.buf, c)
	if cw.delay <= 0 || len(cw.buf) >= batchMax {
		return cw.writeBuffered()
	}
	if !cw.armed {
		cw.armed = true
		if cw.timer == nil {
			cw.timer = time.AfterFunc(cw.delay, cw.timed)
		} else {
			cw.timer.Reset(cw.delay)
		}
	}
	return nil
}

// timed writes what gathered since the timer was armed.
func (cw *CaptureWriter) timed() {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	cw.armed = false
	if err := cw.writeBuffered(); err != nil && cw.err == nil {
		cw.err = err
	}
}

// End writes the end line and syncs the file, if w is one.
func (cw *CaptureWriter) End(e End) error {
	b, err := endLine(e)
	if err != nil {
		return err
	}
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.timer != nil {
		cw.timer.Stop()
		cw.armed = false
	}
	if cw.err != nil {
		return cw.err
	}
	cw.buf = append(cw.buf, b...)
	err = cw.writeBuffered()
	if cw.buf != nil {
		b := cw.buf[:0]
		lineBufs.Put(&b)
		cw.buf = nil
	}
	if err != nil {
		return err
	}
	// Why not fsync every chunk: bytes handed to the kernel by Write
	// survive the death of our process, which is the failure the format
	// is built for; an fsync costs milliseconds, so it runs only once the
	// exchange is over (and the proxy calls End off the data path).
	if s, ok := cw.w.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// writeBuffered writes the gathered lines in one call, then flushes any
// user-space buffer of w. cw.mu must be held.
func (cw *CaptureWriter) writeBuffered() error {
	if len(cw.buf) == 0 {
		return nil
	}
	_, err := cw.w.Write(cw.buf)
	cw.buf = cw.buf[:0]
	if cap(cw.buf) > 4*batchMax {
		cw.buf = nil // one huge chunk grew it: do not keep that much
	}
	if err != nil {
		return err
	}
	return cw.flushUser()
}

// flushUser flushes a user-space buffer of w (a bufio.Writer, an
// http.Flusher), so written lines do not wait in it.
func (cw *CaptureWriter) flushUser() error {
	switch f := cw.w.(type) {
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }: // http.Flusher
		f.Flush()
	}
	return nil
}
