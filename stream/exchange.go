package stream

import (
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
	// Chunks are the body bytes in arrival order.
	Chunks []Chunk
	// Timed is true when Chunk.At values were measured; false when the
	// format had no timing (they are then all zero).
	Timed bool
	// End says how the body ended.
	End End
	// BodyMissing is true when the capture kept the exchange but not its
	// body (mitmproxy's HAR export of a streamed flow, for one).
	BodyMissing bool
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
	Body   []byte
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
}

// Clean reports whether the body ended cleanly or the capture does not say
// otherwise (EndEOF, EndUnknown or no reason): the cases Server replays
// as a complete response rather than an aborted connection.
func (e End) Clean() bool {
	return e.Reason == EndEOF || e.Reason == EndUnknown || e.Reason == ""
}

// Body returns the whole response body, concatenated from its chunks.
func (x *Exchange) Body() []byte {
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

// BodyLen returns the number of body bytes captured.
func (x *Exchange) BodyLen() int64 {
	var n int64
	for _, c := range x.Chunks {
		n += int64(len(c.Data))
	}
	return n
}

// ChunkIndex maps body offsets to chunk arrival times in O(log n).
type ChunkIndex []chunkSpan

type chunkSpan struct {
	end int64 // exclusive end offset of the chunk in the body
	at  time.Duration
}

// NewChunkIndex returns the index of x's chunks. Build it once per exchange.
func NewChunkIndex(x *Exchange) ChunkIndex {
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
