package inspect

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Amazon Bedrock's InvokeModelWithResponseStream body is not SSE but
// binary AWS event-stream frames (domain.md §2.5): a 12-byte prelude
// (total length, headers length, CRC32 of those 8 bytes), typed headers
// (:message-type event|exception|error, :event-type chunk,
// :exception-type), a payload and a CRC32 of the whole frame. A chunk's
// payload is {"bytes":"<base64 of an Anthropic event>"}; an exception
// frame's payload is {"message":…} (modelStreamErrorException adds
// originalStatusCode). Diagnose decodes the frames into the same timeline
// and runs the Anthropic checks on the embedded events.

// bedrockFrame is one decoded event-stream frame.
type bedrockFrame struct {
	offset, length int64
	messageType    string // event, exception, error
	eventType      string // chunk
	exceptionType  string // e.g. internalServerException
	errorCode      string // :error-code of an error frame
	payload        []byte
	data           []byte // the embedded Anthropic event JSON of a chunk
}

// frameProblem says why decoding stopped before the end of the body.
type frameProblem struct {
	offset int64
	cut    bool // the body ended inside a frame (else: corrupt frame)
	why    string
}

// looksLikeEventStream reports whether body starts with a valid AWS
// event-stream prelude (its CRC matches), which no SSE body does by chance.
func looksLikeEventStream(body []byte) bool {
	if len(body) < 16 {
		return false
	}
	total := binary.BigEndian.Uint32(body[0:4])
	hl := binary.BigEndian.Uint32(body[4:8])
	return total >= 16 && hl <= total-16 && crc32.ChecksumIEEE(body[0:8]) == binary.BigEndian.Uint32(body[8:12])
}

// maxBedrockFrame bounds one event-stream frame: AWS caps a message's
// payload at 16 MiB and its headers at 128 KiB, so a longer prelude is
// corrupt — and a hostile one must not make us allocate its claim.
const maxBedrockFrame = 16<<20 + 128<<10 + 16

// eachBedrockFrame calls f for every whole frame of the size bytes of r,
// in order, until f returns false; the frame is read into a buffer reused
// for the next one, so a body of any size costs one frame of memory, and
// what f gets is valid only during the call. It returns the problem that
// stopped it early, if any.
func eachBedrockFrame(r io.ReaderAt, size int64, f func(bedrockFrame) bool) *frameProblem {
	var buf []byte
	var prelude [12]byte
	for off := int64(0); off < size; {
		left := size - off
		if left < 12 {
			return &frameProblem{offset: off, cut: true, why: fmt.Sprintf("the body ends %d bytes into a frame prelude", left)}
		}
		if n, _ := r.ReadAt(prelude[:], off); n < 12 {
			return &frameProblem{offset: off, cut: true, why: "the body could not be read back"}
		}
		total := int(binary.BigEndian.Uint32(prelude[0:4]))
		hl := int(binary.BigEndian.Uint32(prelude[4:8]))
		if crc32.ChecksumIEEE(prelude[0:8]) != binary.BigEndian.Uint32(prelude[8:12]) || total < 16 || hl > total-16 || total > maxBedrockFrame {
			return &frameProblem{offset: off, why: "the frame prelude is corrupt (bad length or CRC)"}
		}
		if int64(total) > left {
			return &frameProblem{offset: off, cut: true, why: fmt.Sprintf("the body ends inside a %d-byte frame", total)}
		}
		if cap(buf) < total {
			buf = make([]byte, total)
		}
		frame := buf[:total]
		if n, _ := r.ReadAt(frame, off); n < total {
			return &frameProblem{offset: off, cut: true, why: "the body could not be read back"}
		}
		if crc32.ChecksumIEEE(frame[:total-4]) != binary.BigEndian.Uint32(frame[total-4:]) {
			return &frameProblem{offset: off, why: "the frame's message CRC does not match"}
		}
		fr := bedrockFrame{offset: off, length: int64(total), payload: frame[12+hl : total-4]}
		if !parseFrameHeaders(frame[12:12+hl], &fr) {
			return &frameProblem{offset: off, why: "the frame headers are malformed"}
		}
		if fr.messageType == "event" {
			if b64, ok := jstr(jfield(fr.payload, "bytes")); ok {
				if dec, err := base64.StdEncoding.DecodeString(b64); err == nil {
					fr.data = dec
				}
			}
		}
		if !f(fr) {
			return nil
		}
		off += int64(total)
	}
	return nil
}

// bodyAt reads an exchange's body at an offset (io.ReaderAt), whether it
// is held in memory or spooled.
type bodyAt struct{ x *stream.Exchange }

// ReadAt implements io.ReaderAt.
func (b bodyAt) ReadAt(p []byte, off int64) (int, error) { return b.x.ReadBodyAt(p, off) }

// parseFrameHeaders reads the typed headers; ok is false when malformed.
func parseFrameHeaders(h []byte, fr *bedrockFrame) bool {
	for len(h) > 0 {
		n := int(h[0])
		if len(h) < 1+n+1 {
			return false
		}
		name := string(h[1 : 1+n])
		typ := h[1+n]
		h = h[2+n:]
		var size int
		switch typ {
		case 0, 1: // bool true / false
		case 2:
			size = 1
		case 3:
			size = 2
		case 4:
			size = 4
		case 5, 8:
			size = 8
		case 9:
			size = 16
		case 6, 7: // bytes, string: 2-byte length
			if len(h) < 2 {
				return false
			}
			l := int(binary.BigEndian.Uint16(h))
			if len(h) < 2+l {
				return false
			}
			if typ == 7 {
				v := string(h[2 : 2+l])
				switch name {
				case ":message-type":
					fr.messageType = v
				case ":event-type":
					fr.eventType = v
				case ":exception-type":
					fr.exceptionType = v
				case ":error-code":
					fr.errorCode = v
				}
			}
			h = h[2+l:]
			continue
		default:
			return false
		}
		if len(h) < size {
			return false
		}
		h = h[size:]
	}
	return true
}

// decodeBedrock builds the timeline from event-stream frames and feeds the
// embedded Anthropic events to the checker; exception frames become the
// stream's error, mapped by appendix A3.
func (d *diag) decodeBedrock() {
	prob := eachBedrockFrame(bodyAt{d.x}, d.x.BodyLen(), func(fr bedrockFrame) bool {
		var at time.Duration
		if d.x.Timed {
			at = d.ci.At(fr.offset + max(fr.length-1, 0))
		}
		d.bedrockFrameEvent(fr, at)
		return true
	})
	d.endEvents()
	if prob != nil {
		sev, title := SeverityError, "Corrupt event-stream frame"
		if prob.cut {
			sev, title = SeverityWarning, "The stream ended inside an event-stream frame"
		}
		d.f.add("B-frame", sev, title, fmt.Sprintf("At byte %d %s; decoding stopped there.", prob.offset, prob.why))
	}
}

// bedrockFrameEvent adds frame fr, which arrived at at, to the timeline
// and feeds it to the checker: Converse events as themselves, Anthropic
// events from a chunk's bytes, exception frames as the stream's error.
// Diagnose and the live Timeline both read frames through it.
func (d *diag) bedrockFrameEvent(fr bedrockFrame, at time.Duration) {
	ac, _ := d.chk.(*anthropicChecker)
	i := d.ev.ev.n
	r := evRec{off: fr.offset, length: fr.length, typ: fr.eventType, dialect: dialectBedrock, at: at}
	switch {
	case fr.messageType == "exception" || fr.messageType == "error":
		name := bedrockErrorName(fr)
		r.typ, r.dataType = name, name
		msg := jstring(jfield(fr.payload, "message"))
		orig, _ := jint(jfield(fr.payload, "originalStatusCode"))
		if cc, ok := d.chk.(*converseChecker); ok {
			cc.exception(i, name, msg, int(orig))
		} else if d.setError(i, name, msg, BedrockStatus(name, int(orig))) && ac != nil {
			ac.errAt, ac.errCode = i, "B-exception-frame"
		}
	case d.v.Provider == ProviderBedrockConverse && fr.messageType == "event":
		// A Converse event: its JSON is the payload itself, its name
		// the :event-type header.
		r.dataType = fr.eventType
		d.cur = evCtx{name: fr.eventType, dataType: fr.eventType, data: fr.payload}
		d.chk.event(i, &d.cur)
	case fr.data != nil:
		r.dataType = d.internType(jfield(fr.data, "type"))
		// The SDKs name the SSE event after the payload's type.
		d.cur = evCtx{name: r.dataType, dataType: r.dataType, data: fr.data}
		d.chk.event(i, &d.cur)
	}
	d.addEvent(&r)
}

// bedrockEvents calls f for each frame up to upTo with its :event-type,
// its embedded Anthropic event data (nil for frames without one: Converse
// events, exceptions), its exception type and its payload (for Assemble).
func bedrockEvents(x *stream.Exchange, upTo int, f func(eventType string, data []byte, exception string, payload []byte)) {
	n := 0
	eachBedrockFrame(bodyAt{x}, x.BodyLen(), func(fr bedrockFrame) bool {
		if n > upTo {
			return false
		}
		n++
		exc := fr.exceptionType
		if fr.messageType == "error" && exc == "" {
			exc = fr.errorCode
		}
		f(fr.eventType, fr.data, exc, fr.payload)
		return true
	})
}
