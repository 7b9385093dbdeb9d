package stream

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// Exchange is one captured HTTP request and its streamed response. The
// response body is kept as the raw chunks that arrived, so a replay can
// reproduce their timing and boundaries; events are derived from those
// bytes by the Decoder, never stored instead of them.
type Exchange struct {
	// Source names where the exchange came from for people: a file name,
	// "file.har#3" for the third entry of a HAR, "proxy#12", "demo:…".
	Source string
	// Format is the capture format it was read from (see Format).
	Format Format
	// Started is the wall-clock time the request was sent; zero if unknown.
	Started time.Time
	// Request is nil when the capture does not hold one (a bare body).
	Request *Request
	// Response is nil when the capture holds no status or headers (a bare
	// SSE body); callers then assume HTTP 200 and say so.
	Response *Response
	// Chunks are the body bytes in arrival order, for bodies held in
	// memory (small captures, tests). Nil when Spool holds the body.
	Chunks []Chunk
	// Spool, when set, holds the body instead of Chunks: in memory while
	// small, on disk or in its capture file once large. Read the body
	// through the methods below (EachChunk, BodyReader, ReadBodyAt), which
	// serve either form, never through Chunks directly.
	Spool *Spool
	// Timed is true when Chunk.At values were measured; false when the
	// format had no timing (they are then all zero).
	Timed bool
	// End says how the body ended.
	End End
	// BodyMissing is true when the capture kept the exchange but not its
	// body (mitmproxy's HAR export of a streamed flow, for one).
	BodyMissing bool
	// Injected names the fault midstream injected into this exchange (the
	// spec, e.g. "error@3:overloaded_error"), "" for none: the body and
	// end are then what the client received, not what the upstream sent.
	Injected string
	// Notes are non-fatal remarks from the reader (e.g. "content was
	// base64"), shown to users in reports.
	Notes []string
}

// Request is the request half of an exchange.
type Request struct {
	Method string
	URL    string
	Proto  string
	Header http.Header
	// Body is the request body when it is held in memory (captures read
	// from files, live requests, tests). Nil when Spool holds it.
	Body []byte
	// Spool, when set, holds the body instead of Body: the proxy records
	// a client's body as it streams it to the upstream, so a large upload
	// costs disk, not memory. It may still be growing while the exchange
	// runs. Read the body through BodyLen, BodyReader, BodyPrefix and
	// BodyBytes, which serve either form.
	Spool *Spool
}

// BodyLen returns the number of request body bytes recorded.
func (q *Request) BodyLen() int64 {
	if q.Spool != nil {
		return q.Spool.Len()
	}
	return int64(len(q.Body))
}

// BodyReader returns a reader of the request body from its start.
func (q *Request) BodyReader() io.Reader {
	if q.Spool != nil {
		return q.Spool.Reader()
	}
	return bytes.NewReader(q.Body)
}

// BodyPrefix returns up to n leading request body bytes (a model name,
// say, without reading a huge upload whole).
func (q *Request) BodyPrefix(n int) []byte {
	if q.Spool == nil {
		return q.Body[:min(n, len(q.Body))]
	}
	b := make([]byte, min(int64(n), q.Spool.Len()))
	k, _ := q.Spool.ReadAt(b, 0)
	return b[:k]
}

// BodyBytes returns the whole request body in one slice. It holds the
// body in memory: use it where the body is known to be small or where the
// output needs it whole anyway (a HAR document).
func (q *Request) BodyBytes() []byte {
	if q.Spool == nil {
		return q.Body
	}
	return q.BodyPrefix(int(q.Spool.Len()))
}

// Response is the status line and headers of the response.
type Response struct {
	Proto      string // "HTTP/1.1", "HTTP/2"; "" if unknown
	Status     int
	StatusText string        // reason phrase as sent, may be ""
	Header     http.Header   // never nil once read
	At         time.Duration // when headers arrived, since request start; 0 if unknown
}

// Chunk is one read of body bytes as it arrived.
type Chunk struct {
	// At is the arrival time since the request started (0 if untimed).
	At   time.Duration
	Data []byte
}

// EndReason says how a response body ended.
type EndReason string

// The ways a body can end.
const (
	EndEOF        EndReason = "eof"        // clean end of body
	EndReset      EndReason = "reset"      // connection reset or aborted mid-body
	EndTimeout    EndReason = "timeout"    // idle or total timeout
	EndCanceled   EndReason = "canceled"   // cancelled by the user or the client
	EndError      EndReason = "error"      // another transport error, see End.Err
	EndIncomplete EndReason = "incomplete" // the capture itself was cut (killed recorder)
	EndUnknown    EndReason = "unknown"    // the format does not say
)

// End records how and when the body ended.
type End struct {
	Reason EndReason
	Err    string        // error text for reset/timeout/error, "" otherwise
	At     time.Duration // since request start; 0 if unknown
	// By says which side ended the exchange: ByUpstream, ByClient or
	// ByMidstream; "" when the capture does not say (older captures,
	// other formats). Serve uses it to replay the upstream's end, not the
	// recording client's (see ServedClean).
	By string
	// Fired, for an exchange midstream injected a fault into (proxy
	// --inject), says whether and where the fault fired; nil when no
	// fault was injected or the capture does not say (captures written
	// before midstream recorded it).
	Fired *Fired
}

// Clean reports whether the body ended cleanly or the capture does not say
// otherwise (EndEOF, EndUnknown or no reason): the cases Server replays
// as a complete response rather than an aborted connection.
func (e End) Clean() bool {
	return e.Reason == EndEOF || e.Reason == EndUnknown || e.Reason == ""
}

// Body returns the whole response body in one slice. It holds the body in
// memory: use it only where the body is known to be small (an error
// document, a test); everything else reads through EachChunk, BodyReader
// or ReadBodyAt.
func (x *Exchange) Body() []byte {
	if x.Spool != nil {
		b := make([]byte, x.Spool.Len())
		n, _ := x.Spool.ReadAt(b, 0)
		return b[:n]
	}
	if len(x.Chunks) == 1 {
		return x.Chunks[0].Data
	}
	n := 0
	for _, c := range x.Chunks {
		n += len(c.Data)
	}
	b := make([]byte, 0, n)
	for _, c := range x.Chunks {
		b = append(b, c.Data...)
	}
	return b
}

// BodyPrefix returns up to n leading body bytes.
func (x *Exchange) BodyPrefix(n int) []byte {
	n = int(min(int64(n), x.BodyLen()))
	b := make([]byte, n)
	k, _ := x.ReadBodyAt(b, 0)
	return b[:k]
}

// BodyLen returns the number of body bytes captured.
func (x *Exchange) BodyLen() int64 {
	if x.Spool != nil {
		return x.Spool.Len()
	}
	var n int64
	for _, c := range x.Chunks {
		n += int64(len(c.Data))
	}
	return n
}

// ChunkCount returns the number of chunks (reads) the body arrived in.
func (x *Exchange) ChunkCount() int {
	if x.Spool != nil {
		return x.Spool.Chunks()
	}
	return len(x.Chunks)
}

// ChunkTimes returns the arrival times of the first and the last chunk;
// ok is false when the body has no chunk.
func (x *Exchange) ChunkTimes() (first, last time.Duration, ok bool) {
	if x.Spool != nil {
		k := x.Spool.Chunks()
		if k == 0 {
			return 0, 0, false
		}
		_, first = x.Spool.ChunkAt(0)
		_, last = x.Spool.ChunkAt(k - 1)
		return first, last, true
	}
	if len(x.Chunks) == 0 {
		return 0, 0, false
	}
	return x.Chunks[0].At, x.Chunks[len(x.Chunks)-1].At, true
}

// EachChunk calls f with every chunk of the body in arrival order; a
// spooled chunk larger than 256 KiB comes as several pieces with the same
// arrival time. The data is valid only during the call. It stops at f's
// first error and returns it.
func (x *Exchange) EachChunk(f func(Chunk) error) error {
	if x.Spool != nil {
		return x.Spool.Each(f)
	}
	for _, c := range x.Chunks {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// BodyReader returns a reader of the whole body from its start, without
// concatenating it.
func (x *Exchange) BodyReader() io.Reader {
	if x.Spool != nil {
		return x.Spool.Reader()
	}
	return &memChunkReader{chunks: x.Chunks}
}

// ReadBodyAt reads body bytes at offset off (io.ReaderAt semantics).
func (x *Exchange) ReadBodyAt(p []byte, off int64) (int, error) {
	if x.Spool != nil {
		return x.Spool.ReadAt(p, off)
	}
	n := 0
	for _, c := range x.Chunks {
		l := int64(len(c.Data))
		if off >= l {
			off -= l
			continue
		}
		m := copy(p[n:], c.Data[off:])
		n += m
		off = 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}

// Snapshot returns a copy of x that sees only the body recorded so far,
// safe to read on another goroutine while x keeps growing.
func (x *Exchange) Snapshot() *Exchange {
	cp := *x
	cp.Chunks = cp.Chunks[:len(cp.Chunks):len(cp.Chunks)]
	if x.Spool != nil {
		cp.Spool = x.Spool.Snapshot()
	}
	return &cp
}

// memChunkReader reads in-memory chunks in order as if they were one body.
type memChunkReader struct {
	chunks []Chunk
	off    int
}

// Read reads the chunks' bytes in order.
func (r *memChunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && r.off >= len(r.chunks[0].Data) {
		r.chunks, r.off = r.chunks[1:], 0
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0].Data[r.off:])
	r.off += n
	return n, nil
}

// ChunkIndex maps body offsets to chunk arrival times in O(log n).
type ChunkIndex []chunkSpan

type chunkSpan struct {
	end int64 // exclusive end offset of the chunk in the body
	at  time.Duration
}

// NewChunkIndex returns the index of x's chunks. Build it once per exchange.
func NewChunkIndex(x *Exchange) ChunkIndex {
	if x.Spool != nil {
		k := x.Spool.Chunks()
		idx := make(ChunkIndex, k)
		for i := range idx {
			idx[i].end, idx[i].at = x.Spool.ChunkAt(i)
		}
		return idx
	}
	idx := make(ChunkIndex, 0, len(x.Chunks))
	var off int64
	for _, c := range x.Chunks {
		off += int64(len(c.Data))
		idx = append(idx, chunkSpan{end: off, at: c.At})
	}
	return idx
}

// At returns the arrival time of the chunk holding body offset off, or of
// the last chunk when off is past the end.
func (ci ChunkIndex) At(off int64) time.Duration {
	lo, hi := 0, len(ci)
	for lo < hi {
		m := (lo + hi) / 2
		if ci[m].end <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo >= len(ci) {
		if len(ci) == 0 {
			return 0
		}
		return ci[len(ci)-1].at
	}
	return ci[lo].at
}

// FromBody returns an untimed exchange holding body as a bare SSE body: no
// request, no response status. Used for raw bodies and in tests.
func FromBody(source string, body []byte) *Exchange {
	return &Exchange{
		Source: source,
		Format: FormatSSE,
		Chunks: []Chunk{{Data: body}},
		End:    End{Reason: EndEOF},
	}
}
