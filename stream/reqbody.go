package stream

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// redactBodyLimit is the largest spooled request body that is read into
// memory to get Redact's full treatment (credential-named JSON fields as
// well as key shapes). A larger body is streamed into the capture with key
// shapes scrubbed piece by piece (scrubKeys) but no field-level redaction:
// that needs the whole JSON text, and an upload that size is data, not a
// request document a gateway key would sit in.
const redactBodyLimit = 1 << 20

// heldRequest returns x, or a shallow copy of it whose spooled request
// body of at most max bytes (any size if max < 0) is read into
// Request.Body, so that Redact, which works on Body, redacts it. x itself
// is not changed: its request may be shared with a reader.
func heldRequest(x *Exchange, max int64) *Exchange {
	q := x.Request
	if q == nil || q.Spool == nil || (max >= 0 && q.Spool.Len() > max) {
		return x
	}
	y, r := *x, *q
	r.Body, r.Spool = q.BodyBytes(), nil
	y.Request = &r
	return &y
}

// teeBody is the request body the proxy sends upstream: it reads the
// client's body as the transport asks for it and appends every read to
// the request's spool, so the body is forwarded as it arrives and
// recorded without being held.
//
// The transport reads it on its own goroutine while the handler reads the
// response; Spool allows one appender and concurrent readers, and the
// flags are atomic for the handler's look at how far the upload got.
type teeBody struct {
	r     io.ReadCloser
	spool *Spool
	t0    time.Time
	read  atomic.Int64 // bytes read from the client
	eof   atomic.Bool  // the client's body ended cleanly
}

// Read reads from the client and records what it read.
func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		// A spool error (disk full) stops the recording, never the
		// upload: the capture then says the body is incomplete.
		_ = t.spool.Append(time.Since(t.t0), p[:n])
		t.read.Add(int64(n))
	}
	if err == io.EOF {
		t.eof.Store(true)
	}
	return n, err
}

// Close closes the client's body, as the transport does when it is done
// with it or gives up.
func (t *teeBody) Close() error { return t.r.Close() }

// errNoReplay refuses a second send of a streamed request body.
var errNoReplay = errors.New("the request body was streamed and cannot be sent again")

// noReplay is the outgoing request's GetBody. Its presence lets the
// transport retry a request it could not send on a stale pooled
// connection: the transport rewinds (calls it) only a body it already read
// from or closed, and that one cannot be replayed.
func noReplay() (io.ReadCloser, error) { return nil, errNoReplay }

// notes says, for the capture, what is missing from the recorded body
// when the response headers arrived: the upstream answered before the
// client had sent it all (the bytes after are forwarded, not recorded in
// the header line), or the spool failed. length is the client's
// Content-Length, -1 if unknown.
func (t *teeBody) notes(length int64) []string {
	var notes []string
	n := t.read.Load()
	if !t.eof.Load() && (length < 0 || n < length) {
		notes = append(notes, fmt.Sprintf("the upstream answered after %d bytes of the request body: the capture holds the body up to there", n))
	}
	if err := t.spool.Err(); err != nil {
		notes = append(notes, "the request body could not be recorded whole: "+err.Error())
	}
	return notes
}
