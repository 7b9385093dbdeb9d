package stream

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
	"unicode/utf8"
)

// jsonlMagic is the value of the header line's "format" field.
const jsonlMagic = "midstream-capture"

// jsonlVersion is the version of the JSONL capture format written here.
const jsonlVersion = 1

// jsonlHeader is the first line of every exchange in a JSONL capture.
type jsonlHeader struct {
	Format      string         `json:"format"`
	Version     int            `json:"version"`
	Source      string         `json:"source,omitempty"`
	From        Format         `json:"from,omitempty"` // format the exchange was first read from
	Started     string         `json:"started,omitempty"`
	Timed       bool           `json:"timed"`
	BodyMissing bool           `json:"body_missing,omitempty"`
	Request     *jsonlRequest  `json:"request"`
	Response    *jsonlResponse `json:"response"`
	Notes       []string       `json:"notes,omitempty"`
	// Injected names the fault midstream injected ("error@3:overloaded_error");
	// absent for a clean exchange.
	Injected string `json:"injected,omitempty"`
}

type jsonlRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Proto   string      `json:"proto,omitempty"`
	Headers http.Header `json:"headers"`
	Body    *string     `json:"body,omitempty"`     // UTF-8 body
	BodyB64 *string     `json:"body_b64,omitempty"` // any other body
}

type jsonlResponse struct {
	Proto      string      `json:"proto,omitempty"`
	Status     int         `json:"status"`
	StatusText string      `json:"status_text"`
	Headers    http.Header `json:"headers"`
	AtUS       int64       `json:"at_us"`
	AtMS       *int64      `json:"at_ms,omitempty"` // read only: accepted from hand-written files
}

// jsonlLine is a chunk or end line ("t" tells which).
type jsonlLine struct {
	T      string  `json:"t"`
	AtUS   int64   `json:"at_us"`
	Text   *string `json:"text,omitempty"`
	B64    *string `json:"b64,omitempty"`
	Reason string  `json:"reason,omitempty"`
	Err    string  `json:"err,omitempty"`
	By     string  `json:"by,omitempty"` // end line: who ended the exchange (End.By)
	// End line of an injected exchange (End.Fired): whether the fault
	// fired and, when it did, at which event (0: in place of the
	// response; after_last: after the last event) and when. Absent in
	// captures written before midstream recorded it: read as "not said".
	InjectedFired     *bool  `json:"injected_fired,omitempty"`
	InjectedEvent     *int   `json:"injected_event,omitempty"`
	InjectedAfterLast bool   `json:"injected_after_last,omitempty"`
	InjectedAtUS      *int64 `json:"injected_at_us,omitempty"`
}

// encodeBytes returns b as a UTF-8 string when it is valid UTF-8 (JSON then
// round-trips it exactly) and as base64 otherwise.
func encodeBytes(b []byte) (text, b64 *string) {
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return nil, &s
}

func micros(d time.Duration) int64 { return int64(d / time.Microsecond) }

// marshalLine encodes v as one JSON line ending in '\n', without the HTML
// escaping encoding/json does by default (it would make bodies unreadable)
// and with C1, DEL and bidi characters escaped (SafeJSON): a capture is
// text a person may cat, and the escapes decode to the same bytes.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return SafeJSON(buf.Bytes()), nil
}

func headerLine(x *Exchange, timed bool) ([]byte, error) {
	return marshalLine(headerOf(x, timed))
}

// headerOf returns the header line of x, redacted. A request body still
// in its spool is left out: writeHeader streams it into the line.
func headerOf(x *Exchange, timed bool) *jsonlHeader {
	r := Redact(x)
	h := jsonlHeader{
		Format: jsonlMagic, Version: jsonlVersion,
		Source: RedactText(r.Source), Timed: timed, BodyMissing: r.BodyMissing,
		Injected: r.Injected,
	}
	if r.Format != "" && r.Format != FormatJSONL {
		h.From = r.Format
	}
	if !r.Started.IsZero() {
		h.Started = r.Started.Format(time.RFC3339Nano)
	}
	for _, n := range r.Notes {
		h.Notes = append(h.Notes, RedactText(n))
	}
	if q := r.Request; q != nil {
		jr := &jsonlRequest{Method: q.Method, URL: q.URL, Proto: q.Proto, Headers: q.Header}
		if jr.Headers == nil {
			jr.Headers = http.Header{}
		}
		if len(q.Body) > 0 {
			jr.Body, jr.BodyB64 = encodeBytes(q.Body)
		}
		h.Request = jr
	}
	if p := r.Response; p != nil {
		jp := &jsonlResponse{Proto: p.Proto, Status: p.Status, StatusText: p.StatusText, Headers: p.Header, AtUS: micros(p.At)}
		if jp.Headers == nil {
			jp.Headers = http.Header{}
		}
		h.Response = jp
	}
	return &h
}

func endLine(e End) ([]byte, error) {
	reason := e.Reason
	if reason == "" {
		reason = EndUnknown
	}
	// Transport errors quote URLs, which may carry keys.
	l := jsonlLine{T: "end", AtUS: micros(e.At), Reason: string(reason), Err: RedactText(e.Err), By: e.By}
	l.InjectedFired, l.InjectedEvent, l.InjectedAfterLast, l.InjectedAtUS = firedFields(e.Fired)
	return marshalLine(l)
}

// firedFields are the injected_* fields of an end line (JSONL, and HAR's
// _midstream) for End.Fired: all absent when nil, only injected_fired
// when the fault never fired.
func firedFields(f *Fired) (fired *bool, event *int, afterLast bool, atUS *int64) {
	if f == nil {
		return nil, nil, false, nil
	}
	ok := f.Fired
	if !ok {
		return &ok, nil, false, nil
	}
	ev, at := f.Event, micros(f.At)
	return &ok, &ev, f.AfterLast, &at
}

// WriteJSONL writes every exchange in xs to w in midstream's JSONL capture
// format (consecutive header…end groups), redacted.
func WriteJSONL(w io.Writer, xs ...*Exchange) error {
	// One buffer for every line, written out past 1 MiB: a body is
	// encoded piece by piece into it, never held, and no line allocates.
	var buf bytes.Buffer
	for _, x := range xs {
		// The header goes straight to w: it may carry a large request
		// body streamed from its spool.
		if err := flushOver(w, &buf, 0); err != nil {
			return err
		}
		if err := writeHeader(w, x, x.Timed); err != nil {
			return err
		}
		err := x.EachChunk(func(c Chunk) error {
			buf.Grow(len(c.Data)*2 + 64)
			b := appendChunkLine(buf.AvailableBuffer(), c)
			buf.Write(b)
			return flushOver(w, &buf, 1<<20)
		})
		if err != nil {
			return err
		}
		b, err := endLine(x.End)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return flushOver(w, &buf, 0)
}

// flushOver writes buf to w and empties it once it holds more than n
// bytes, so that a long capture is written as it is encoded rather than
// held whole in memory.
func flushOver(w io.Writer, buf *bytes.Buffer, n int) error {
	if buf.Len() <= n {
		return nil
	}
	_, err := w.Write(buf.Bytes())
	buf.Reset()
	return err
}

// looksJSONL reports whether b starts like a JSONL capture: its first line
// names the format, or b is a cut-short start of such a line.
func looksJSONL(b []byte) bool {
	line, _, complete := bytes.Cut(b, []byte("\n"))
	if bytes.Contains(line, []byte(`"`+jsonlMagic+`"`)) {
		return true
	}
	// A file cut inside its first line, after `{"f` at least.
	prefix := []byte(`{"format":"` + jsonlMagic + `"`)
	return !complete && len(line) >= 3 && len(line) < len(prefix) && bytes.HasPrefix(prefix, line)
}

func decodeHeader(name string, raw []byte, n int) (*Exchange, error) {
	var h jsonlHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("bad header line: %v", jsonErr(err))
	}
	if h.Format != jsonlMagic {
		return nil, fmt.Errorf("header format is %q, want %q", h.Format, jsonlMagic)
	}
	if h.Version != jsonlVersion {
		return nil, fmt.Errorf("unsupported capture version %d (this midstream reads version %d)", h.Version, jsonlVersion)
	}
	x := &Exchange{
		Source: h.Source, Format: FormatJSONL, Timed: h.Timed,
		BodyMissing: h.BodyMissing, Notes: h.Notes, End: End{Reason: EndUnknown},
		Injected: h.Injected,
	}
	if x.Source == "" {
		x.Source = fmt.Sprintf("%s#%d", name, n)
	}
	if h.Started != "" {
		t, err := time.Parse(time.RFC3339Nano, h.Started)
		if err != nil {
			return nil, fmt.Errorf("bad started time %q: want RFC 3339", h.Started)
		}
		x.Started = t
	}
	if q := h.Request; q != nil {
		body, err := decodeBytes(q.Body, q.BodyB64)
		if err != nil {
			return nil, fmt.Errorf("request body: %v", err)
		}
		x.Request = &Request{Method: q.Method, URL: q.URL, Proto: q.Proto, Header: canonical(q.Headers), Body: body}
	}
	if p := h.Response; p != nil {
		if p.Status < 100 || p.Status > 999 {
			return nil, fmt.Errorf("bad response status %d", p.Status)
		}
		at, err := usDuration(p.AtUS)
		if ms := p.AtMS; ms != nil && p.AtUS == 0 && err == nil {
			if *ms < 0 || *ms > math.MaxInt64/int64(time.Millisecond) {
				return nil, fmt.Errorf("response: at_ms %d is out of range", *ms)
			}
			at = time.Duration(*ms) * time.Millisecond
		}
		if err != nil {
			return nil, fmt.Errorf("response: %v", err)
		}
		x.Response = &Response{Proto: p.Proto, Status: p.Status, StatusText: p.StatusText, Header: canonical(p.Headers), At: at}
	}
	return x, nil
}

// canonical returns h with canonical keys (so Header.Get works on headers
// written in any case) and never nil.
func canonical(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

func decodeBytes(text, b64 *string) ([]byte, error) {
	switch {
	case text != nil && b64 != nil:
		return nil, errors.New("has both text and base64 data")
	case text != nil:
		return []byte(*text), nil
	case b64 != nil:
		b, err := base64.StdEncoding.DecodeString(*b64)
		if err != nil {
			return nil, fmt.Errorf("bad base64: %v", err)
		}
		return b, nil
	}
	return nil, nil
}

// usDuration converts a time in microseconds, refusing values that are
// negative or would overflow a time.Duration (about 292 years).
func usDuration(us int64) (time.Duration, error) {
	if us < 0 {
		return 0, fmt.Errorf("negative at_us %d", us)
	}
	if us > math.MaxInt64/int64(time.Microsecond) {
		return 0, fmt.Errorf("at_us %d is out of range", us)
	}
	return time.Duration(us) * time.Microsecond, nil
}

func endReason(s string) EndReason {
	switch r := EndReason(s); r {
	case EndEOF, EndReset, EndTimeout, EndCanceled, EndError, EndIncomplete, EndUnknown:
		return r
	}
	return EndUnknown
}

// jsonErr adds the column to encoding/json's syntax errors, which only
// hold an offset.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v (at column %d)", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) { // worded without our Go type names
		return fmt.Errorf("%s should be %s, not a JSON %s (at column %d)", te.Field, jsonKind(te.Type), te.Value, te.Offset)
	}
	return err
}
