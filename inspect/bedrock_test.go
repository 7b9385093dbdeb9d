package inspect

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// ebFrame encodes one AWS event-stream frame with string headers.
func ebFrame(payload string, headers ...string) []byte {
	var h []byte
	for i := 0; i+1 < len(headers); i += 2 {
		h = append(h, byte(len(headers[i])))
		h = append(h, headers[i]...)
		h = append(h, 7)
		h = binary.BigEndian.AppendUint16(h, uint16(len(headers[i+1])))
		h = append(h, headers[i+1]...)
	}
	total := 12 + len(h) + len(payload) + 4
	b := binary.BigEndian.AppendUint32(nil, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(h)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, h...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// ebChunk wraps an Anthropic event as Bedrock does.
func ebChunk(event string) []byte {
	p := `{"bytes":"` + base64.StdEncoding.EncodeToString([]byte(event)) + `","p":"abcdefgh"}`
	return ebFrame(p, ":event-type", "chunk", ":content-type", "application/json", ":message-type", "event")
}

func ebException(typ, payload string) []byte {
	return ebFrame(payload, ":exception-type", typ, ":content-type", "application/json", ":message-type", "exception")
}

func join(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// TestBedrockEventStream covers Claude on Bedrock: binary frames decoded
// into the timeline, exception frames mapped by appendix A3.
func TestBedrockEventStream(t *testing.T) {
	head := join(ebChunk(evMS), ebChunk(evStart(0, "text")), ebChunk(evText(0, "Hello")))
	complete := join(head, ebChunk(evStop(0)), ebChunk(evMD("end_turn", 4)), ebChunk(evMStop))
	rows := []struct {
		name      string
		body      []byte
		outcome   Outcome
		mapped    int
		errType   string
		retryable bool
		code      string
	}{
		{"complete", complete, OutcomeComplete, 0, "", false, ""},
		{"internalServerException", join(head, ebException("internalServerException", `{"message":"Internal server error"}`)), OutcomeErrorEvent, 500, "internalServerException", true, "B-exception-frame"},
		{"throttlingException", join(head, ebException("throttlingException", `{"message":"Too many requests"}`)), OutcomeErrorEvent, 429, "throttlingException", true, "B-exception-frame"},
		{"validationException", join(ebException("validationException", `{"message":"bad input"}`)), OutcomeErrorEvent, 400, "validationException", false, "B-exception-frame"},
		{"modelStreamErrorException with upstream 529", join(head, ebException("modelStreamErrorException", `{"message":"x","originalStatusCode":529,"originalMessage":"Overloaded"}`)), OutcomeErrorEvent, 529, "modelStreamErrorException", true, "B-exception-frame"},
		{"in-band Anthropic error chunk", join(head, ebChunk(evErr("overloaded_error"))), OutcomeErrorEvent, 529, "overloaded_error", true, "A-W10-error-event"},
		{"cut inside a frame", join(head, ebChunk(evStop(0))[:20]), OutcomeTruncated, 0, "", false, "B-frame"},
		{"truncated without message_stop", head, OutcomeTruncated, 0, "", false, "A-W11-truncated-mid-block"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			x := withResponse(stream.FromBody("bedrock.bin", r.body), 200, "Content-Type", "application/vnd.amazon.eventstream", "X-Amzn-Requestid", "rid-1")
			v := Diagnose(x, Options{})
			if v.Provider != ProviderAnthropic || v.Gateway != GatewayBedrock {
				t.Fatalf("provider %s/%s", v.Provider, v.Gateway)
			}
			if v.Outcome != r.outcome || v.MappedStatus != r.mapped {
				t.Errorf("outcome %s mapped %d, want %s %d (findings %v)", v.Outcome, v.MappedStatus, r.outcome, r.mapped, codes(v))
			}
			if r.errType != "" && (v.Error == nil || v.Error.Type != r.errType || v.Error.Retryable != r.retryable) {
				t.Errorf("error %+v, want %s retryable %v", v.Error, r.errType, r.retryable)
			}
			if r.code != "" && !hasCode(v, r.code) {
				t.Errorf("missing %s in %v", r.code, codes(v))
			}
			if hasCode(v, "T-content-type-wrong") || v.RequestID != "rid-1" {
				t.Errorf("content type flagged or request id %q", v.RequestID)
			}
			checkInvariants(t, v)
		})
	}
	v := Diagnose(stream.FromBody("b", complete), Options{})
	m := Assemble(v, 100)
	if m.StopReason != "end_turn" || len(m.Blocks) != 1 || m.Blocks[0].Text != "Hello" || m.Events != 6 {
		t.Errorf("assembled %+v", *m)
	}
	if e := v.Events.At(2); e.Summary != "Hello" || e.DataType != "content_block_delta" || e.Offset == 0 {
		t.Errorf("timeline event 2 = %+v", e)
	}
	bad := join(head)
	bad[len(bad)-1] ^= 0xff
	if v := Diagnose(stream.FromBody("b", bad), Options{}); !hasCode(v, "B-frame") || finding(v, "B-frame").Severity != SeverityError {
		t.Errorf("corrupt CRC not reported: %v", codes(v))
	}
}

// TestBedrockFramesReadFromTheSpool: an event-stream body held on disk
// (a spool) is read frame by frame and gives the verdict the in-memory
// body gives; a prelude that claims a frame past AWS's size limit is
// corrupt, not an allocation of its claim.
func TestBedrockFramesReadFromTheSpool(t *testing.T) {
	head := join(ebChunk(evMS), ebChunk(evStart(0, "text")), ebChunk(evText(0, "Hello")))
	huge := make([]byte, 16)
	binary.BigEndian.PutUint32(huge[0:4], 1<<31)
	binary.BigEndian.PutUint32(huge[8:12], crc32.ChecksumIEEE(huge[0:8]))
	rows := []struct {
		name string
		body []byte
		code string
	}{
		{"exception after text", join(head, ebException("throttlingException", `{"message":"Too many requests"}`)), "B-exception-frame"},
		{"frame claims 2 GiB", join(head, huge), "B-frame"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			mem := withResponse(stream.FromBody("bedrock.bin", r.body), 200, "Content-Type", "application/vnd.amazon.eventstream")
			sp := stream.NewSpool()
			for i := 0; i < len(r.body); i += 7 { // many small chunks, spilled past 64 KiB if it were bigger
				sp.Append(0, r.body[i:min(i+7, len(r.body))])
			}
			spooled := withResponse(&stream.Exchange{Source: "bedrock.bin", Spool: sp, End: stream.End{Reason: stream.EndEOF}}, 200, "Content-Type", "application/vnd.amazon.eventstream")
			a, b := Diagnose(mem, Options{}), Diagnose(spooled, Options{})
			if a.Outcome != b.Outcome || a.MappedStatus != b.MappedStatus || a.Events.Len() != b.Events.Len() {
				t.Errorf("in memory %s/%d/%d events, spooled %s/%d/%d", a.Outcome, a.MappedStatus, a.Events.Len(), b.Outcome, b.MappedStatus, b.Events.Len())
			}
			if !hasCode(b, r.code) {
				t.Errorf("missing %s in %v", r.code, codes(b))
			}
		})
	}
}
