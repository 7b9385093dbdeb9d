package inspect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// The live Timeline for bodies that are not SSE: Gemini's streamed JSON
// array and Bedrock's binary event-stream frames. Each feed reads the
// whole elements (frames) among the bytes held since the last one with
// the scanner (frame reader) Diagnose uses, adds them through the same
// per-element code (arrayElemEvent, bedrockFrameEvent), and keeps only the
// bytes of the element still arriving: memory stays bounded by one
// element, as in Diagnose.

// decodeArray reads the whole elements of a streamed JSON array held in
// pending; with final set, an element the body ended inside is added as
// cut. The scanner's state carries over from feed to feed.
func (t *Timeline) decodeArray(final bool) Events {
	if t.sniff && t.count == 0 && !t.firstElem(final) {
		if t.mode == modeSSE {
			// Not Gemini's array: Diagnose decodes these bytes as SSE.
			return t.decode(t.pending, final)
		}
		return Events{}
	}
	s := &t.arr
	s.r = bytes.NewReader(t.pending)
	inElem := t.inElem
	for {
		var e arrayElem
		var err error
		if inElem {
			// Resume the element cut by the end of the last feed.
			e, err = s.elemAfter()
			inElem = false
		} else {
			e, err = s.next()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The body breaks the array form: Diagnose reports where;
			// no further element can be read.
			t.mode, t.pending = modeNone, nil
			return t.d.ev.take()
		}
		if e.cut && !final {
			// The element is still arriving: its bytes so far stay in
			// the scanner, which resumes it on the next feed, so an
			// element spanning many chunks is read once.
			t.inElem = true
			break
		}
		t.inElem = false
		var at time.Duration
		if t.timed {
			at = t.at(e.off + max(e.length-1, 0))
		}
		t.d.arrayElemEvent(e, at)
		t.count++
		if e.cut {
			break
		}
	}
	s.r = nil
	t.keep(t.pending, s.off-t.base)
	return t.d.ev.take()
}

// firstElem lets the array's first element name the dialect, as
// Diagnose's detection does from the leading elements, before any is
// added: it reports true once the Gemini grammar reads the array, false
// while the first element is still arriving or (mode switched to SSE) when
// the array is not Gemini's. The bytes stay in pending until then.
func (t *Timeline) firstElem(final bool) bool {
	s := arrayScanner{r: bytes.NewReader(t.pending)}
	e, err := s.next()
	switch {
	case err == nil && !e.cut:
		t.detect(&stream.Event{Type: "message", Data: e.data})
		t.sniff = false
	case !final && (err == nil || errors.Is(err, io.EOF)):
		return false // the first element is not whole yet
	}
	if t.d.dialect != dialectGemini {
		t.mode = modeSSE
		return false
	}
	return true
}

// decodeFrames reads the whole event-stream frames held in pending. The
// first frames name the dialect (Converse or Anthropic on Bedrock) as
// Diagnose's detection does, so none is added before they have.
func (t *Timeline) decodeFrames(final bool) Events {
	if p := t.pending; !final && len(p) >= 4 && int64(len(p)) < int64(binary.BigEndian.Uint32(p[:4])) {
		return Events{} // the next frame is not whole yet
	}
	if !t.framesKnown && !t.detectFrames(final) {
		return Events{}
	}
	var consumed int64
	prob := eachBedrockFrame(bytes.NewReader(t.pending), int64(len(t.pending)), func(fr bedrockFrame) bool {
		consumed = fr.offset + fr.length
		fr.offset += t.base
		var at time.Duration
		if t.timed {
			at = t.at(fr.offset + max(fr.length-1, 0))
		}
		t.d.bedrockFrameEvent(fr, at)
		t.count++
		return true
	})
	if prob != nil && (!prob.cut || final) {
		// A corrupt frame (or one cut by the end): Diagnose reports it
		// and decodes nothing after it.
		t.mode, t.pending = modeNone, nil
		return t.d.ev.take()
	}
	t.keep(t.pending, consumed)
	return t.d.ev.take()
}

// detectFrames names the Bedrock dialect from the URL or the first frames
// held (bedrockDetection's rule): a Converse event names Converse, a chunk
// frame Anthropic on Bedrock, and four frames without either Anthropic. It
// reports false while the frames held do not decide yet.
func (t *Timeline) detectFrames(final bool) bool {
	d := t.d
	p := ProviderAnthropic
	decided := d.x.Request != nil && isConversePath(d.x.Request.URL)
	if decided {
		p = ProviderBedrockConverse
	} else {
		seen := 0
		eachBedrockFrame(bytes.NewReader(t.pending), int64(len(t.pending)), func(fr bedrockFrame) bool {
			seen++
			switch {
			case fr.messageType != "event":
			case converseEvents[fr.eventType]:
				p, decided = ProviderBedrockConverse, true
				return false
			case fr.eventType == "chunk":
				decided = true
				return false
			}
			decided = seen >= 4
			return !decided
		})
	}
	if !decided && !final {
		return false
	}
	d.v.Provider, d.v.Gateway = p, GatewayBedrock
	d.dialect = dialectOf(p)
	d.chk = d.newChecker()
	t.framesKnown, t.sniff = true, false
	return true
}
