package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
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

func (e *FormatError) Unwrap() error { return e.Err }

// ReadFile reads every exchange in the capture at path ("-" is stdin),
// detecting its format from content.
func ReadFile(path string) ([]*Exchange, error) {
	if path == "-" {
		return Read("stdin", os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f)
}

// Read reads every exchange from r; name is used in errors and as the
// exchanges' Source.
func Read(name string, r io.Reader) ([]*Exchange, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, &FormatError{File: name, Format: "unknown", Offset: -1, Err: err}
	}
	return Parse(name, b)
}

// Parse reads every exchange from the bytes of a capture, detecting its
// format from content (see Detect).
func Parse(name string, b []byte) ([]*Exchange, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, &FormatError{File: name, Format: FormatSSE, Offset: int64(len(b)), Err: errors.New("the file is empty: no capture to read")}
	}
	switch Detect(b) {
	case FormatJSONL:
		return ReadJSONL(name, b)
	case FormatHTTP:
		return ReadHTTPDump(name, b)
	case FormatHAR:
		return ReadHAR(name, bytes.TrimPrefix(b, bom))
	case FormatGoVCR:
		return ReadGoVCR(name, bytes.TrimPrefix(b, bom))
	case FormatVCRPy:
		return ReadVCRPy(name, bytes.TrimPrefix(b, bom))
	}
	return []*Exchange{FromBody(name, b)}, nil
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
