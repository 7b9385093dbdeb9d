package inspect

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
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

// eachBedrockFrame calls f for every whole frame of body, in order, until
// f returns false. It returns the problem that stopped it early, if any.
func eachBedrockFrame(body []byte, f func(bedrockFrame) bool) *frameProblem {
	off := 0
	for off < len(body) {
		rest := body[off:]
		if len(rest) < 12 {
			return &frameProblem{offset: int64(off), cut: true, why: fmt.Sprintf("the body ends %d bytes into a frame prelude", len(rest))}
		}
		total := int(binary.BigEndian.Uint32(rest[0:4]))
		hl := int(binary.BigEndian.Uint32(rest[4:8]))
		if crc32.ChecksumIEEE(rest[0:8]) != binary.BigEndian.Uint32(rest[8:12]) || total < 16 || hl > total-16 {
			return &frameProblem{offset: int64(off), why: "the frame prelude is corrupt (bad length or CRC)"}
		}
		if total > len(rest) {
			return &frameProblem{offset: int64(off), cut: true, why: fmt.Sprintf("the body ends inside a %d-byte frame", total)}
		}
		frame := rest[:total]
		if crc32.ChecksumIEEE(frame[:total-4]) != binary.BigEndian.Uint32(frame[total-4:]) {
			return &frameProblem{offset: int64(off), why: "the frame's message CRC does not match"}
		}
		fr := bedrockFrame{offset: int64(off), length: int64(total), payload: frame[12+hl : total-4]}
		if !parseFrameHeaders(frame[12:12+hl], &fr) {
			return &frameProblem{offset: int64(off), why: "the frame headers are malformed"}
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
		off += total
	}
	return nil
}

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
func (d *diag) decodeBedrock(body []byte) {
	ac, _ := d.chk.(*anthropicChecker)
	prob := eachBedrockFrame(body, func(fr bedrockFrame) bool {
		i := d.ev.ev.n
		r := evRec{off: fr.offset, length: fr.length, typ: fr.eventType, dialect: dialectBedrock}
		if d.x.Timed {
			r.at = d.ci.At(fr.offset + max(fr.length-1, 0))
		}
		switch {
		case fr.messageType == "exception" || fr.messageType == "error":
			name := bedrockErrorName(fr)
			r.typ, r.dataType = name, name
			msg := jstring(jfield(fr.payload, "message"))
			orig, _ := jint(jfield(fr.payload, "originalStatusCode"))
			if d.setError(i, name, msg, BedrockStatus(name, int(orig))) && ac != nil {
				ac.errAt, ac.errCode = i, "B-exception-frame"
			}
		case fr.data != nil:
			r.dataType = d.internType(jfield(fr.data, "type"))
			// The SDKs name the SSE event after the payload's type.
			d.cur = evCtx{name: r.dataType, dataType: r.dataType, data: fr.data}
			d.chk.event(i, &d.cur)
		}
		d.addEvent(&r)
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

// bedrockEvents returns the embedded Anthropic event data of each frame,
// nil for frames without one (for Assemble).
func bedrockEvents(body []byte, upTo int, f func(data []byte, exception string, payload []byte)) {
	n := 0
	eachBedrockFrame(body, func(fr bedrockFrame) bool {
		if n > upTo {
			return false
		}
		n++
		exc := fr.exceptionType
		if fr.messageType == "error" && exc == "" {
			exc = fr.errorCode
		}
		f(fr.data, exc, fr.payload)
		return true
	})
}
