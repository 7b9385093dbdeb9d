package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// The HAR 1.2 subset midstream reads and writes. Fields absent from some
// exporters are pointers so "missing" differs from zero; numbers that some
// exporters write as null (mitmproxy's timings) are *float64.
type harFile struct {
	Log *harLog `json:"log"`
}

type harLog struct {
	Version string      `json:"version"`
	Creator harCreator  `json:"creator"`
	Pages   []any       `json:"pages,omitempty"`
	Entries []*harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string       `json:"startedDateTime"`
	Time            *float64     `json:"time"`
	Request         *harRequest  `json:"request"`
	Response        *harResponse `json:"response"`
	Cache           struct{}     `json:"cache"`
	Timings         *harTimings  `json:"timings"`
	Error           *string      `json:"_error,omitempty"`
	Midstream       *harExtra    `json:"_midstream,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text,omitempty"`
	Encoding string  `json:"encoding,omitempty"` // not in HAR 1.2; written for binary bodies
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int64      `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
	Error       *string    `json:"_error,omitempty"` // Chrome, mitmproxy: why there is no response
}

type harContent struct {
	Size     int64   `json:"size"`
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text,omitempty"`
	Encoding string  `json:"encoding,omitempty"`
}

type harTimings struct {
	Blocked *float64 `json:"blocked,omitempty"`
	DNS     *float64 `json:"dns,omitempty"`
	Connect *float64 `json:"connect,omitempty"`
	Send    *float64 `json:"send"`
	Wait    *float64 `json:"wait"`
	Receive *float64 `json:"receive"`
}

// harExtra is midstream's own entry field: what HAR cannot say.
type harExtra struct {
	Chunks      []harChunk `json:"chunks,omitempty"`
	End         EndReason  `json:"end,omitempty"`
	EndErr      string     `json:"end_err,omitempty"`
	EndAtUS     int64      `json:"end_at_us,omitempty"`
	BodyMissing bool       `json:"body_missing,omitempty"`
	NoRequest   bool       `json:"no_request,omitempty"` // the request HAR requires was made up
	Notes       []string   `json:"notes,omitempty"`
	EndBy       string     `json:"end_by,omitempty"`   // End.By
	Injected    string     `json:"injected,omitempty"` // Exchange.Injected
	// End.Fired, as the JSONL end line says it (injected_fired, …).
	InjectedFired     *bool  `json:"injected_fired,omitempty"`
	InjectedEvent     *int   `json:"injected_event,omitempty"`
	InjectedAfterLast bool   `json:"injected_after_last,omitempty"`
	InjectedAtUS      *int64 `json:"injected_at_us,omitempty"`
}

type harChunk struct {
	AtUS int64 `json:"at_us"`
	Len  int   `json:"len"`
}

// looksHAR reports whether b, a JSON object, has a top-level "log" key near
// its start (HAR files open with it; exporters put nothing bigger first).
func looksHAR(b []byte) bool {
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return enterKey(json.NewDecoder(bytes.NewReader(b)), "log", 16)
}

// harEntryOffset returns the byte offset of log.entries[i] in b, or -1. It
// runs only to point an error at the entry, so it re-walks the JSON.
func harEntryOffset(b []byte, i int) int64 {
	dec := json.NewDecoder(bytes.NewReader(b))
	if !enterKey(dec, "log", math.MaxInt) || !enterKey(dec, "entries", math.MaxInt) {
		return -1
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return -1
	}
	for ; i > 0; i-- {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return -1
		}
	}
	off := dec.InputOffset()
	for off < int64(len(b)) && bytes.IndexByte([]byte(" \t\r\n,"), b[off]) >= 0 {
		off++
	}
	return off
}

// enterKey reads the '{' of an object and skips its members up to key,
// leaving dec before key's value. It gives up after looking at limit
// members.
func enterKey(dec *json.Decoder, key string, limit int) bool {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for i := 0; i < limit && dec.More(); i++ {
		k, err := dec.Token()
		if err != nil {
			return false
		}
		if k == key {
			return true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}

// ms converts a HAR milliseconds value; null and -1 ("not applicable") are 0.
func ms(v *float64) time.Duration {
	if v == nil || *v <= 0 || *v > 1e12 {
		return 0
	}
	return time.Duration(*v * float64(time.Millisecond))
}

// harProto normalises httpVersion: Chrome writes "http/2.0" or "h3".
func harProto(v string) string {
	switch strings.ToLower(v) {
	case "http/2.0", "http/2", "h2", "h2c":
		return "HTTP/2"
	case "http/3", "http/3.0", "h3":
		return "HTTP/3"
	case "http/1.1":
		return "HTTP/1.1"
	case "http/1.0":
		return "HTTP/1.0"
	}
	return v
}

func harHeader(nvs []harNV) http.Header {
	h := make(http.Header, len(nvs))
	for _, nv := range nvs {
		h.Add(nv.Name, nv.Value)
	}
	return h
}

// jsonKind names what a Go type expects in JSON terms, so errors never
// show our type names ("stream.harRequest") to users.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another JSON value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another JSON value"
}

// embedded removes from a JSON field path the names of the structs the
// reading side of HAR embeds (harReadEntry), which are no JSON names.
var embedded = strings.NewReplacer("harEntry.", "", "harResponse.", "")

// jsonFormatError turns an encoding/json error into a FormatError with the
// line and byte offset where decoding stopped.
func jsonFormatError(name string, f Format, b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		err = fmt.Errorf("%s should be %s, not a JSON %s", embedded.Replace(te.Field), jsonKind(te.Type), te.Value)
	}
	return &FormatError{File: name, Format: f, Line: lineAt(b, off), Offset: off, Err: err}
}
