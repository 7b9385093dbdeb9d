package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Format names a capture format midstream reads.
type Format string

// The capture formats, detected from content.
const (
	FormatSSE   Format = "sse"             // a bare SSE body; status unknown
	FormatHTTP  Format = "http"            // an HTTP response dump: curl -i, curl -v, raw HTTP/1.1
	FormatHAR   Format = "har"             // HAR 1.2 (Chrome, Firefox, mitmproxy, HTTP Toolkit)
	FormatGoVCR Format = "go-vcr"          // go-vcr v2 cassette (YAML)
	FormatVCRPy Format = "vcrpy"           // vcrpy / pytest-recording cassette (YAML)
	FormatJSONL Format = "midstream-jsonl" // midstream's own capture format
)

// FormatError is returned for input that cannot be read. It names the file,
// the format it was read as and where reading stopped.
type FormatError struct {
	File   string
	Format Format // "" when no format fits (not a capture)
	Line   int    // 1-based line, 0 if not known
	Offset int64  // byte offset, -1 if not known
	Err    error
}

// Error names the file, the format, and the line and/or byte where
// reading stopped.
func (e *FormatError) Error() string {
	where := ""
	switch {
	case e.Line > 0 && e.Offset >= 0:
		where = fmt.Sprintf(" line %d (byte %d)", e.Line, e.Offset)
	case e.Line > 0:
		where = fmt.Sprintf(" line %d", e.Line)
	case e.Offset >= 0:
		where = fmt.Sprintf(" byte %d", e.Offset)
	}
	if where != "" {
		where = ":" + where
	}
	if e.Format == "" { // no format fits
		return fmt.Sprintf("%s%s: %v", e.File, where, e.Err)
	}
	return fmt.Sprintf("%s: read as %s%s: %v", e.File, e.Format, where, e.Err)
}

// Unwrap returns the reader's own error.
func (e *FormatError) Unwrap() error { return e.Err }

// lineAt returns the 1-based line of b that holds byte offset off, or 0
// (unknown, as FormatError.Line has it) when off is not within b.
func lineAt(b []byte, off int64) int {
	if off < 0 || off > int64(len(b)) {
		return 0
	}
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

// bareBody reads the capture as a bare SSE body, in place; head is its
// prefix. Any bytes are a valid event stream, so a file that is no capture
// (an image, a gzip'd body, a JSON document, notes) would otherwise get a
// quiet "no events" verdict: input that holds no SSE field or comment line
// is refused, unless it is a JSON error document (a body saved without its
// headers, which the verdict reads as such).
func (s *source) bareBody(head []byte) ([]*Exchange, error) {
	if !hasSSEField(head) && !s.jsonErrorBody(head) {
		return nil, s.notCapture(head)
	}
	x := &Exchange{Source: s.name, Format: FormatSSE, End: End{Reason: EndEOF}}
	s.region(x, 0, s.size)
	return []*Exchange{x}, nil
}

// notCaptureMsg lists what was tried on a file that is no capture.
const notCaptureMsg = "not a capture midstream reads: no SSE field or comment line (data:, event:, id:, retry:, :) for a bare SSE body, and not midstream JSONL, HAR, a go-vcr or vcrpy cassette, curl -i/-v output or an HTTP dump"

// notCapture returns the error for a capture with no SSE field line; head
// is its prefix. Binary data is reported at its first non-UTF-8 byte, and
// gzip'd data with the step that makes it readable.
func (s *source) notCapture(head []byte) error {
	head = head[:min(len(head), 64<<10)]
	bad := invalidUTF8(head)
	if bad >= 0 && int64(len(head)) < s.size && bad >= len(head)-utf8.UTFMax {
		bad = -1 // a rune cut by the 64 KiB window, not bad data
	}
	if bad < 0 {
		return &FormatError{File: s.name, Offset: -1, Err: errors.New(notCaptureMsg)}
	}
	msg := "binary data: " + notCaptureMsg
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		msg = "gzip-compressed data: decompress it first (gunzip), then read the event stream"
	}
	return &FormatError{File: s.name, Format: FormatSSE, Offset: int64(bad), Err: errors.New(msg)}
}

// jsonErrorBody reports whether the whole capture, held in head, is one
// JSON object with an "error" member: an API's error body saved without
// its headers (curl -s).
func (s *source) jsonErrorBody(head []byte) bool {
	if int64(len(head)) < s.size {
		return false
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimPrefix(head, bom), &doc) != nil {
		return false
	}
	_, ok := doc["error"]
	return ok
}

// invalidUTF8 returns the offset of the first byte of b that is not valid
// UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// hasSSEField reports whether any line of b is an SSE data, event, id or
// retry field, or a comment (a line starting with ":", as keepalives are).
func hasSSEField(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimPrefix(line, bom)
		for _, f := range []string{"data:", "event:", "id:", "retry:", ":"} {
			if bytes.HasPrefix(line, []byte(f)) {
				return true
			}
		}
	}
	return false
}

// Detect returns the format of a capture from its content, never from its
// name. Anything not recognised as another format is a bare SSE body.
func Detect(b []byte) Format {
	b = bytes.TrimLeft(bytes.TrimPrefix(b, bom), " \t\r\n")
	if looksJSONL(b) {
		return FormatJSONL
	}
	if looksHAR(b) {
		return FormatHAR
	}
	if looksHTTP(b) {
		return FormatHTTP
	}
	if f := vcrFlavor(b); f != "" {
		return f
	}
	return FormatSSE
}

var bom = []byte("\xef\xbb\xbf")
