package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The reading side of harEntry: the response body is kept as its raw
// JSON string and decoded straight into the exchange's body, piece by
// piece, so that a HAR's bodies are never held twice decoded.
type harReadFile struct {
	Log *struct {
		Entries []*harReadEntry `json:"entries"`
	} `json:"log"`
}

type harReadEntry struct {
	harEntry
	Response *harReadResponse `json:"response"`
}

type harReadResponse struct {
	harResponse
	Content harReadContent `json:"content"`
}

type harReadContent struct {
	Text     jsonAlias `json:"text"`
	Encoding string    `json:"encoding"`
}

// jsonAlias is a JSON value kept as the bytes of the document it was read
// from, not copied as json.RawMessage would: the document outlives it (it
// is read whole and dropped only once every entry is read), and a copy
// would hold every body of the HAR twice.
type jsonAlias []byte

// UnmarshalJSON keeps b, which aliases the document.
func (a *jsonAlias) UnmarshalJSON(b []byte) error {
	*a = b
	return nil
}

// ReadHAR reads every entry of a HAR 1.2 file as an exchange whose Source
// is "name#N" (N from 1, in file order).
func ReadHAR(name string, b []byte) ([]*Exchange, error) { return memSource(name, b).readHAR(b) }

// readHAR reads the HAR b, the document of s.
func (s *source) readHAR(b []byte) ([]*Exchange, error) {
	name := s.name
	var f harReadFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, jsonFormatError(name, FormatHAR, b, err)
	}
	if f.Log == nil {
		return nil, &FormatError{File: name, Format: FormatHAR, Offset: -1, Err: errors.New(`no "log" object`)}
	}
	if len(f.Log.Entries) == 0 {
		return nil, &FormatError{File: name, Format: FormatHAR, Offset: -1, Err: errors.New("log.entries is empty: the HAR holds no requests")}
	}
	xs := make([]*Exchange, 0, len(f.Log.Entries))
	for i, e := range f.Log.Entries {
		x, err := s.harExchange(fmt.Sprintf("%s#%d", name, i+1), e)
		if err != nil {
			off := harEntryOffset(b, i)
			return nil, &FormatError{File: name, Format: FormatHAR, Line: lineAt(b, off), Offset: off, Err: fmt.Errorf("entry %d: %w", i+1, err)}
		}
		f.Log.Entries[i] = nil // its body is in x now
		s.pub.whole(x)
		xs = append(xs, x)
	}
	return xs, nil
}

func (s *source) harExchange(source string, e *harReadEntry) (*Exchange, error) {
	if e == nil {
		return nil, errors.New("entry is null")
	}
	x := &Exchange{Source: source, Format: FormatHAR, End: End{Reason: EndEOF}}
	if e.StartedDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime)
		if err != nil {
			return nil, fmt.Errorf("startedDateTime %q is not an ISO 8601 time", e.StartedDateTime)
		}
		x.Started = t
	}
	if q := e.Request; q != nil {
		r := &Request{Method: q.Method, URL: q.URL, Proto: harProto(q.HTTPVersion), Header: harHeader(q.Headers)}
		if p := q.PostData; p != nil && p.Text != nil {
			body, err := harText(*p.Text, p.Encoding)
			if err != nil {
				return nil, fmt.Errorf("request postData: %w", err)
			}
			r.Body = body
		}
		x.Request = r
	}
	errText := ""
	if e.Error != nil {
		errText = *e.Error
	}
	if p := e.Response; p != nil {
		if p.Error != nil && errText == "" {
			errText = *p.Error
		}
		if err := s.harResponse(x, e, p); err != nil {
			return nil, err
		}
	}
	if e.Time != nil && *e.Time >= 0 {
		x.End.At = ms(e.Time)
	}
	if errText != "" {
		x.End = harErrorEnd(x.End, errText)
	}
	if m := e.Midstream; m != nil {
		if err := s.applyHARExtra(x, m); err != nil {
			return nil, fmt.Errorf("_midstream: %w", err)
		}
	}
	return x, nil
}

// harResponse reads the response of entry e into x: status, headers and
// the body, decoded into x's body.
func (s *source) harResponse(x *Exchange, e *harReadEntry, p *harReadResponse) error {
	// Status 0 is how browsers and mitmproxy write "no response".
	if p.Status != 0 {
		if p.Status < 100 || p.Status > 999 {
			return fmt.Errorf("response status %d", p.Status)
		}
		x.Response = &Response{Proto: harProto(p.HTTPVersion), Status: p.Status, StatusText: p.StatusText, Header: harHeader(p.Headers)}
		if t := e.Timings; t != nil {
			x.Response.At = ms(t.Blocked) + ms(t.DNS) + ms(t.Connect) + ms(t.Send) + ms(t.Wait)
		}
	}
	c := p.Content
	bb := s.body(x)
	if isJSONNull(c.Text) || string(c.Text) == `""` {
		// An empty body is expected only where HTTP allows no body.
		x.BodyMissing = x.Response != nil && x.Response.Status != 204 && x.Response.Status != 304 &&
			(x.Request == nil || x.Request.Method != "HEAD")
		if x.BodyMissing {
			x.Notes = append(x.Notes, "the HAR entry has no response body (exporters leave streamed bodies out)")
		}
		return bb.chunk(0, []byte{})
	}
	if err := harBody(bb, c.Text, c.Encoding); err != nil {
		return fmt.Errorf("response content: %w", err)
	}
	if bb.cut(); x.ChunkCount() == 0 {
		if err := bb.chunk(0, []byte{}); err != nil {
			return err
		}
	}
	if c.Encoding != "" {
		x.Notes = append(x.Notes, "response content was "+c.Encoding)
	}
	return nil
}

func isJSONNull(raw jsonAlias) bool { return len(raw) == 0 || string(raw) == "null" }

// harErrorEnd is how an entry that names an error ended.
func harErrorEnd(e End, errText string) End {
	e.Reason, e.Err = EndError, errText
	lo := strings.ToLower(errText)
	switch {
	case strings.Contains(lo, "err_aborted") || strings.Contains(lo, "cancel"):
		e.Reason = EndCanceled // the page or the user aborted it
	case strings.Contains(lo, "reset") || strings.Contains(lo, "closed") || strings.Contains(lo, "aborted"):
		e.Reason = EndReset
	case strings.Contains(lo, "timed_out") || strings.Contains(lo, "timeout"):
		e.Reason = EndTimeout
	}
	return e
}

// applyHARExtra restores what midstream wrote in its "_midstream" field:
// chunk boundaries and times, and how the body ended. Times are checked
// as the JSONL reader checks them (usDuration): a negative or overflowing
// value is an error, not a time before the request started.
func (s *source) applyHARExtra(x *Exchange, m *harExtra) error {
	n := x.BodyLen()
	var total int64
	ats := make([]time.Duration, len(m.Chunks))
	for i, c := range m.Chunks {
		at, err := usDuration(c.AtUS)
		if err != nil {
			return fmt.Errorf("chunk %d: %w", i+1, err)
		}
		if c.Len < 0 {
			return fmt.Errorf("chunk %d: negative len %d", i+1, c.Len)
		}
		ats[i] = at
		if total >= 0 && int64(c.Len) <= n-total {
			total += int64(c.Len)
		} else {
			total = -1 // more bytes than the body holds (and never an overflow)
		}
	}
	if len(m.Chunks) > 0 && total == n {
		if err := s.rechunk(x, m.Chunks, ats); err != nil {
			return err
		}
		x.Timed = true
	}
	if m.End != "" {
		at, err := usDuration(m.EndAtUS)
		if err != nil {
			return fmt.Errorf("end: %w", err)
		}
		x.End = End{Reason: endReason(string(m.End)), Err: m.EndErr, At: at, By: endBy(m.EndBy)}
		x.End.Fired, err = firedOf(jsonlLine{InjectedFired: m.InjectedFired, InjectedEvent: m.InjectedEvent,
			InjectedAfterLast: m.InjectedAfterLast, InjectedAtUS: m.InjectedAtUS})
		if err != nil {
			return fmt.Errorf("end: %w", err)
		}
	}
	x.Injected = m.Injected
	if m.BodyMissing {
		x.BodyMissing = true
	}
	if m.NoRequest {
		x.Request = nil
	}
	x.Notes = append(x.Notes, m.Notes...)
	return nil
}

// rechunk cuts x's body into the chunks midstream recorded; their lengths
// add up to the body's.
func (s *source) rechunk(x *Exchange, cs []harChunk, ats []time.Duration) error {
	if x.Spool == nil {
		body := x.Body()
		x.Chunks = x.Chunks[:0:0]
		off := 0
		for i, c := range cs {
			x.Chunks = append(x.Chunks, Chunk{At: ats[i], Data: body[off : off+c.Len]})
			off += c.Len
		}
		return nil
	}
	old := x.Spool
	bb := s.body(x)
	buf := make([]byte, 256<<10)
	var off int64
	for i, c := range cs {
		if err := bb.begin(ats[i]); err != nil {
			return err
		}
		for left := int64(c.Len); left > 0; {
			p := buf[:min(left, int64(len(buf)))]
			if _, err := old.ReadAt(p, off); err != nil {
				return err
			}
			if err := bb.grow(p); err != nil {
				return err
			}
			off += int64(len(p))
			left -= int64(len(p))
		}
	}
	return nil
}

// harText decodes a HAR text field by its encoding, as decodeBytes does
// JSONL's text and b64 fields.
func harText(text, encoding string) ([]byte, error) {
	switch strings.ToLower(encoding) {
	case "":
		return decodeBytes(&text, nil)
	case "base64":
		return decodeBytes(nil, &text)
	}
	return nil, fmt.Errorf("unknown content encoding %q", encoding)
}

// harBody decodes the JSON string raw, a body in encoding, into bb.
func harBody(bb *bodyBuilder, raw jsonAlias, encoding string) error {
	switch strings.ToLower(encoding) {
	case "":
		return jsonString(raw, func(p []byte) error { return bb.grow(p) })
	case "base64":
		var d b64Writer
		err := jsonString(raw, func(p []byte) error { return d.write(bb, p, false) })
		if err == nil {
			err = d.write(bb, nil, true)
		}
		if err != nil {
			return fmt.Errorf("bad base64: %v", err)
		}
		return nil
	}
	return fmt.Errorf("unknown content encoding %q", encoding)
}
