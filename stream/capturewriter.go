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
// allocate that again for every exchange. They are made big enough for
// what may wait behind a batch being written (maxPending, and the line
// that crossed it): under load the batch writes lag, and growing a
// buffer by doubling copied the lines each time (issue #10: 60-100 MB of
// growth per benchmark run, a third of the proxy's allocations).
var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, bufKeep); return &b }}

// bufKeep is the capacity of a pooled line buffer, and the largest one
// kept for reuse.
const bufKeep = maxPending + batchMax

// CaptureWriter writes one live exchange at a time in midstream's JSONL
// capture format: Begin, then Chunk for every body read, then End. Lines
// are only ever written whole, so a recorder killed at any moment leaves a
// file that reads up to its last whole line. It is safe for concurrent
// use, but the lines of exchanges written concurrently to one writer would
// interleave: use one writer per exchange or serialise whole exchanges.
type CaptureWriter struct {
	mu      sync.Mutex
	idle    sync.Cond // on mu: a batch write ended or took the lines waiting
	w       io.Writer
	delay   time.Duration // 0: every line is written at once
	sync    bool          // End syncs w to stable storage (see End)
	buf     []byte        // whole chunk lines not handed to a write yet
	writing bool          // a batch is being written, outside mu
	timer   *time.Timer   // writes buf delay after its first line
	armed   bool
	err     error // first error of a batch write, returned by the next call
}

// maxPending is how many bytes of chunk lines a batched CaptureWriter
// holds while its previous batch is still being written before Chunk
// waits for that write: the bound on what a slow disk costs in memory.
const maxPending = 4 * batchMax

// NewCaptureWriter returns a writer of JSONL capture lines to w that
// writes (and flushes) every line as soon as it is given, and whose End
// syncs w to stable storage if w is a file (the single capture a user
// asked for by name, e.g. `live --save`).
func NewCaptureWriter(w io.Writer) *CaptureWriter { return newCaptureWriter(w, 0, true) }

func newCaptureWriter(w io.Writer, delay time.Duration, sync bool) *CaptureWriter {
	cw := &CaptureWriter{w: w, delay: delay, sync: sync}
	cw.idle.L = &cw.mu
	return cw
}

// NewBatchedCaptureWriter returns a writer of JSONL capture lines to w
// that gathers chunk lines and writes them together at most delay after
// the first of them, or as soon as 64 KiB are waiting. The header and end
// lines are written at once.
//
// Why: a streamed response arrives in many small reads, and a write (a
// system call) for each costs the proxy more than forwarding the read
// did. A proxy killed meanwhile loses at most the last delay of chunks
// from the capture, which still reads up to its last whole line.
//
// Batches are written by the timer, or by a goroutine started when 64 KiB
// are waiting, never by the caller of Chunk: a disk that stalls must not
// stall the stream being recorded. One batch is written at a time, in
// order, so lines stay whole and ordered. Backpressure: while a batch is
// being written, up to 256 KiB more may gather; past that, Chunk waits
// for the write (the stream is held up rather than memory grown, and no
// line is dropped).
//
// Its End does not sync w to stable storage. Why: the format is built to
// survive the death of the recording process, and bytes handed to the
// kernel do; an fsync guards only against the machine itself crashing
// (power, kernel), which a debugging capture need not survive. This is
// the proxy's writer (DirCaptures), one file per exchange: there an
// fsync per exchange was a journal commit per exchange, CPU the proxy
// and the machine spend under 100 concurrent streams (issue #10).
func NewBatchedCaptureWriter(w io.Writer, delay time.Duration) *CaptureWriter {
	return newCaptureWriter(w, delay, false)
}

// Begin writes the header line of x from x.Source, x.Started, x.Request
// and x.Response (nil when the upstream failed before answering). Secrets
// are redacted before anything is written. A large spooled request body
// is streamed into the line from its spool rather than held.
func (cw *CaptureWriter) Begin(x *Exchange) error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	cw.waitIdle()
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
	if cw.delay <= 0 {
		return cw.writeBuffered()
	}
	for len(cw.buf) >= batchMax && cw.err == nil {
		if !cw.writing {
			cw.writing = true
			go cw.writeBatches(cw.take())
			break
		}
		if len(cw.buf) < maxPending {
			break
		}
		cw.idle.Wait() // the disk is 256 KiB behind this stream
	}
	if len(cw.buf) > 0 && !cw.armed {
		cw.armed = true
		if cw.timer == nil {
			cw.timer = time.AfterFunc(cw.delay, cw.timed)
		} else {
			cw.timer.Reset(cw.delay)
		}
	}
	return cw.err
}

// timed writes what gathered since the timer was armed.
func (cw *CaptureWriter) timed() {
	cw.mu.Lock()
	cw.armed = false
	cw.waitIdle()
	if len(cw.buf) == 0 || cw.err != nil {
		cw.mu.Unlock()
		return
	}
	cw.writing = true
	b := cw.take()
	cw.mu.Unlock()
	cw.writeBatches(b)
}

// take hands the gathered lines over to a write; cw.mu must be held.
func (cw *CaptureWriter) take() []byte {
	b := cw.buf
	cw.buf = nil // the next line starts a buffer from the pool
	return b
}

// writeBatches writes b outside cw.mu, then any batch of 64 KiB that
// gathered meanwhile; cw.writing is set while it runs.
func (cw *CaptureWriter) writeBatches(b []byte) {
	for {
		_, err := cw.w.Write(b)
		if err == nil {
			err = cw.flushUser()
		}
		cw.mu.Lock()
		if err != nil && cw.err == nil {
			cw.err = err
		}
		if c := cap(b); c >= batchMax && c <= bufKeep {
			// A variable of its own for the pool to point to: b itself
			// takes the next batch below, and the pool would then hand
			// that batch, still being written, to another writer (which
			// corrupted captures under load).
			spare := b[:0]
			lineBufs.Put(&spare)
		}
		if cw.err == nil && len(cw.buf) >= batchMax {
			b = cw.take()
			cw.idle.Broadcast()
			cw.mu.Unlock()
			continue
		}
		cw.writing = false
		cw.idle.Broadcast()
		cw.mu.Unlock()
		return
	}
}

// waitIdle waits until no batch is being written; cw.mu must be held.
func (cw *CaptureWriter) waitIdle() {
	for cw.writing {
		cw.idle.Wait()
	}
}

// End writes the end line and, on a writer from NewCaptureWriter, syncs
// the file, if w is one.
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
	cw.waitIdle()
	if cw.err != nil {
		return cw.err
	}
	cw.buf = append(cw.buf, b...)
	err = cw.writeBuffered()
	if c := cap(cw.buf); c >= batchMax && c <= bufKeep {
		b := cw.buf[:0]
		lineBufs.Put(&b)
	}
	cw.buf = nil
	if err != nil {
		return err
	}
	// Why not fsync every chunk: bytes handed to the kernel by Write
	// survive the death of our process, which is the failure the format
	// is built for; an fsync costs milliseconds, so it runs only once the
	// exchange is over, and only for a capture the user named.
	if !cw.sync {
		return nil
	}
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
	if cap(cw.buf) > bufKeep {
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
