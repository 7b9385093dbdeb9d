package inspect

import (
	"bytes"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Timeline decodes an exchange's body into its events while the body is
// still arriving, so a live stream or a large capture shows its first
// events long before its last byte. Its events are the compact entries
// Diagnose keeps (Events), with the data type and summary Diagnose gives
// them: both run the same per-event code, with the provider's checker
// (whose findings a Timeline discards). Summaries are read back from x's
// body on demand, so x must hold the bytes fed so far.
//
// Only the bytes after the last complete frame are kept between feeds; a
// feed decodes those plus the new bytes, so normal frames cost O(new
// bytes). The SSE last event ID is carried from feed to feed. A Timeline
// is not safe for concurrent use.
//
// Bodies that are not SSE are read as Diagnose reads them, element by
// element as they arrive (timeline_frames.go): Bedrock's binary
// event-stream frames, and Gemini's streamed JSON array (no alt=sse).
//
// Where the verdict will differ: a body that is not a stream (a non-2xx
// error document) yields no events here, nor does a JSON array the Gemini
// grammar does not read; when neither URL nor headers name the provider,
// events before the first one whose shape names it are summarised
// generically; and when a shape names another grammar than the URL's (an
// OpenRouter URL carrying Responses events), events before it keep the
// URL grammar's summaries.
type Timeline struct {
	d       *diag
	mode    timelineMode
	timed   bool
	sniff   bool // no event shape has named the dialect yet: look at events
	generic bool // neither URL nor headers named the provider

	base    int64  // body offset of pending[0]
	pending []byte // bytes after the last dispatched frame
	end     int64  // body bytes fed so far
	spans   []span // arrival times of the chunks holding pending bytes
	lastID  string // last event ID in force at base
	count   int    // events returned so far
	done    bool

	arr         arrayScanner // modeArray: the scanner, its state carried from feed to feed
	inElem      bool         // modeArray: an element was cut by the end of the last feed
	framesKnown bool         // modeFrames: the frames have named the dialect
}

type timelineMode uint8

const (
	modeSSE    timelineMode = iota
	modeProbe               // the first bytes may be a Bedrock frame prelude
	modeNone                // not a stream body: no events until the verdict
	modeArray               // Gemini's streamed JSON array, element by element
	modeFrames              // Bedrock's binary event-stream frames
)

// span is one fed chunk: the body offset where it ends and when it came.
type span struct {
	end int64
	at  time.Duration
}

// NewTimeline returns a Timeline for x, whose request and response
// headers (when known) decide the provider as Diagnose decides it. Create
// it once the response headers are in. The Timeline does not read x's
// chunks, but the events it returns read their frames back from x: a live
// caller appends each chunk to x before feeding it.
func NewTimeline(x *stream.Exchange) *Timeline {
	d, det := newDiag(x, Options{})
	t := &Timeline{d: d, timed: x.Timed, sniff: !det.shape, generic: det.provider == ProviderGeneric}
	switch {
	case errorBodyNotStream(x, d.v.HTTPStatus):
		t.mode = modeNone
	default:
		t.mode = modeProbe
	}
	return t
}

// Feed adds the next body chunk and returns the events it completed. A
// frame whose blank line ends in CR is held until the next byte shows
// whether an LF follows (it belongs to the frame).
func (t *Timeline) Feed(c stream.Chunk) Events {
	if t.done || len(c.Data) == 0 || t.mode == modeNone {
		return Events{}
	}
	t.end += int64(len(c.Data))
	if t.timed {
		t.spans = append(t.spans, span{end: t.end, at: c.At})
	}
	switch t.mode {
	case modeProbe:
		t.pending = append(t.pending, c.Data...)
		if !t.probe(false) {
			return Events{}
		}
		return t.decodePending(false)
	case modeArray:
		t.pending = append(t.pending, c.Data...)
		if bytes.IndexByte(c.Data, '}') < 0 && bytes.IndexByte(c.Data, ']') < 0 {
			// Every element ends in } or ]: nothing new can be whole,
			// which keeps an element that spans many chunks linear.
			return Events{}
		}
		return t.decodeArray(false)
	case modeFrames:
		t.pending = append(t.pending, c.Data...)
		return t.decodeFrames(false)
	}
	if len(t.pending) == 0 {
		return t.decode(c.Data, false)
	}
	t.pending = append(t.pending, c.Data...)
	if !hasTerminator(c.Data) && t.pending[len(t.pending)-len(c.Data)-1] != '\r' {
		// No frame can end without a new line terminator: skip the
		// decode, which keeps a frame that spans many chunks linear.
		return Events{}
	}
	return t.decode(t.pending, false)
}

// Finish ends the body and returns the events left: those held back and a
// frame cut before its blank line (Unterminated). Later calls return an
// empty batch.
func (t *Timeline) Finish() Events {
	if t.done {
		return Events{}
	}
	defer func() { t.done = true }()
	if t.mode == modeProbe && !t.probe(true) {
		return Events{}
	}
	switch t.mode {
	case modeArray:
		return t.decodeArray(true)
	case modeFrames:
		return t.decodeFrames(true)
	case modeSSE:
	default:
		return Events{}
	}
	out := t.decode(t.pending, true)
	// A raw JSON error after the last event shows as Diagnose shows it.
	var at func(int64) time.Duration
	if t.timed {
		at = t.at
	}
	t.d.rawTailEvent(at)
	return out.Append(t.d.ev.take())
}

// probe decides, from the first bytes, between SSE, Bedrock's binary
// frames and a streamed JSON array. Only a body starting with a zero byte
// — a frame's big-endian length — waits for the 16 bytes the check needs,
// and one starting with spaces or "[" for the byte that tells. It reports
// whether the body is one the Timeline decodes.
func (t *Timeline) probe(final bool) bool {
	p := t.pending
	if array, known := arrayStart(p[:min(len(p), arrayProbeLen)], final || len(p) >= arrayProbeLen); !known {
		return false
	} else if array {
		// Gemini without alt=sse: read as its elements when the Gemini
		// grammar reads it (or the first element may still name it), as
		// Diagnose does; Diagnose decodes any other JSON array as SSE.
		t.mode = modeSSE
		if t.d.dialect == dialectGemini || t.sniff {
			t.mode = modeArray
		}
		return true
	}
	switch {
	case len(p) > 0 && p[0] != 0:
		t.mode = modeSSE
	case len(p) >= 16 || final:
		t.mode = modeSSE
		if looksLikeEventStream(p) {
			t.mode = modeFrames
		}
	}
	return t.mode == modeSSE || t.mode == modeFrames
}

// decodePending decodes the bytes held so far in the mode probe chose.
func (t *Timeline) decodePending(final bool) Events {
	switch t.mode {
	case modeArray:
		return t.decodeArray(final)
	case modeFrames:
		return t.decodeFrames(final)
	}
	return t.decode(t.pending, final)
}

// decode decodes src (the bytes from base on) and returns its complete
// events, keeping the rest as pending. With final set, everything is
// consumed.
func (t *Timeline) decode(src []byte, final bool) Events {
	dec := stream.NewDecoder(bytes.NewReader(src))
	dec.Resume(t.base, t.lastID)
	comments := 0
	dec.OnComment(func(stream.Comment) { comments++ })
	var consumed int64
	for {
		e, err := dec.Next()
		if err != nil || (e.Unterminated && !final) {
			break
		}
		end := e.Offset + e.Length - t.base
		if !final && end == int64(len(src)) && src[end-1] == '\r' {
			break
		}
		if !e.Unterminated && end < int64(len(src)) && src[end-1] == '\r' && src[end] == '\n' {
			// The decoder's read ended at the CR; the LF is part of the
			// frame (Diagnose counts it too).
			e.Length++
			end++
		}
		if t.sniff {
			t.detect(&e)
		}
		var at time.Duration
		if t.timed {
			at = t.at(e.Offset + max(e.Length-1, 0))
		}
		t.d.event(&e, comments, at)
		t.count++
		t.lastID = e.ID
		comments = 0
		consumed = end
	}
	if final {
		consumed = int64(len(src))
	}
	t.keep(src, consumed)
	return t.d.ev.take()
}

// keep moves base past the first consumed bytes of src (the bytes from
// base on) and keeps the rest in pending, moved to its front when src is
// pending: the caller's chunk is not retained. A buffer grown by one huge
// frame is let go once the frame is done.
func (t *Timeline) keep(src []byte, consumed int64) {
	t.base += consumed
	if cap(t.pending) > 1<<20 && len(src)-int(consumed) < 64<<10 {
		t.pending = nil
	}
	t.pending = append(t.pending[:0], src[consumed:]...)
	for len(t.spans) > 1 && t.spans[0].end <= t.base {
		t.spans = t.spans[1:]
	}
}

// at is the arrival time of body byte off (one still pending).
func (t *Timeline) at(off int64) time.Duration {
	for _, s := range t.spans {
		if off < s.end {
			return s.at
		}
	}
	if len(t.spans) > 0 {
		return t.spans[len(t.spans)-1].at
	}
	return 0
}

// detect switches to the dialect's checker once an event's shape names
// it, as Diagnose decides from the first sniffEvents events: a sure shape
// names the dialect whatever the URL said, and when neither URL nor
// headers named the provider, the event names that too.
func (t *Timeline) detect(e *stream.Event) {
	if t.count >= sniffEvents {
		t.sniff = false
		return
	}
	var r sniffResult
	r.add(e.Type, e.Data)
	det, sure := fromEvents(r)
	if det.provider == "" {
		return
	}
	t.sniff = false
	d := t.d
	was := d.dialect
	if t.generic {
		d.v.Provider = det.provider
		if d.v.Gateway == "" {
			d.v.Gateway = det.gateway
		}
		d.dialect = dialectOf(det.provider)
	}
	if sure {
		d.dialect = det.dialect
	}
	if t.generic || d.dialect != was {
		d.chk = d.newChecker()
	}
}

func hasTerminator(b []byte) bool {
	return bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0
}
