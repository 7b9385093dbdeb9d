package stream

import (
	"bytes"
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
	Format Format
	Line   int   // 1-based line, 0 if not known
	Offset int64 // byte offset, -1 if not known
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
// prefix. Any bytes are a valid event stream, so a binary file (an image,
// a gzip'd body) would otherwise get a quiet "no events" verdict; refuse
// binary data that holds no SSE field line.
func (s *source) bareBody(head []byte) ([]*Exchange, error) {
	head = head[:min(len(head), 64<<10)]
	bad := invalidUTF8(head)
	if bad >= 0 && int64(len(head)) < s.size && bad >= len(head)-utf8.UTFMax {
		bad = -1 // a rune cut by the 64 KiB window, not bad data
	}
	if bad >= 0 && !hasSSEField(head) {
		msg := "binary data with no SSE field line (data:, event:, id:, retry:): not an event stream, nor a capture format midstream reads (curl -i/-v, HAR, VCR, midstream JSONL)"
		if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
			msg = "gzip-compressed data: decompress it first (gunzip), then read the event stream"
		}
		return nil, &FormatError{File: s.name, Format: FormatSSE, Offset: int64(bad), Err: errors.New(msg)}
	}
	x := &Exchange{Source: s.name, Format: FormatSSE, End: End{Reason: EndEOF}}
	s.region(x, 0, s.size)
	return []*Exchange{x}, nil
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
// retry field.
func hasSSEField(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimPrefix(line, bom)
		for _, f := range []string{"data:", "event:", "id:", "retry:"} {
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
