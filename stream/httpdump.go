package stream

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
)

// statusLine matches "HTTP/1.1 200 OK", "HTTP/2 200 ", "HTTP/1.1 529".
var statusLine = regexp.MustCompile(`^HTTP/(\d(?:\.\d)?) (\d{3})(?: (.*))?$`)

// progressMeter matches one update of curl's progress meter, which curl
// writes to stderr starting with '\r' (so it lands inside other lines when
// stderr and stdout share a file).
var progressMeter = regexp.MustCompile(`\r *\d+ +\d+(?:\.\d+)?[kMGTP]? +\d+ +\d+(?:\.\d+)?[kMGTP]? +\d+ +\d+(?:\.\d+)?[kMGTP]? +\d+(?:\.\d+)?[kMGTP]? +\d+(?:\.\d+)?[kMGTP]? +[-:\d]+ +[-:\d]+ +[-:\d]+ +\d+(?:\.\d+)?[kMGTP]?`)

var (
	meterHead1 = []byte("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current")
	meterHead2 = []byte("                                 Dload  Upload   Total   Spent    Left  Speed")
	curlErr    = regexp.MustCompile(`^curl: \((\d+)\) (.*)$`)
)

// looksHTTP reports whether b (leading blanks trimmed) is an HTTP response
// dump: it starts with a status line (or a line starting "HTTP/"), or holds curl -v's "< HTTP/" lines
// near its start, or starts with curl's progress meter.
func looksHTTP(b []byte) bool {
	if bytes.HasPrefix(b, meterHead1[2:]) {
		return true
	}
	first, _, _ := bytes.Cut(b, []byte("\n"))
	if bytes.HasPrefix(first, []byte("HTTP/")) {
		// A status line, or a malformed one that ReadHTTPDump reports:
		// read as a bare body, it would pass for a stream with no status.
		return true
	}
	// curl -v: "*   Trying …", "> GET …", "< HTTP/1.1 200 OK".
	if len(first) == 0 || (first[0] != '*' && first[0] != '>' && first[0] != '<' && first[0] != '{' && first[0] != '}' && !bytes.HasPrefix(first, []byte("Note: "))) {
		return false
	}
	head := b[:min(len(b), 64<<10)]
	return bytes.Contains(head, []byte("\n< HTTP/")) || bytes.HasPrefix(head, []byte("< HTTP/"))
}

// parseStatus parses a status line (without its line ending).
func parseStatus(line []byte) (*Response, bool) {
	m := statusLine.FindSubmatch(line)
	if m == nil {
		return nil, false
	}
	code, _ := strconv.Atoi(string(m[2]))
	if code < 100 {
		return nil, false
	}
	return &Response{Proto: "HTTP/" + string(m[1]), Status: code, StatusText: strings.TrimSpace(string(m[3])), Header: http.Header{}}, true
}

// addHeader adds a "Name: value" line to h and returns the canonical name.
func addHeader(h http.Header, line []byte) (string, error) {
	k, v, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(k) == 0 || bytes.ContainsAny(k, " \t") {
		return "", fmt.Errorf("header line %q has no \"Name:\"", trimQuote(line))
	}
	key := textproto.CanonicalMIMEHeaderKey(string(k))
	h[key] = append(h[key], textproto.TrimString(string(v)))
	return key, nil
}

func trimQuote(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// readHeaderBlock reads a status line and headers up to the blank line.
func readHeaderBlock(name string, b []byte, pos, line int) (*Response, int, int, error) {
	var resp *Response
	lastKey := ""
	// obs-fold continuation lines of lastKey's value, joined once at the end
	// of the header: appending to a string per line is quadratic.
	var fold []string
	endFold := func() {
		if len(fold) > 0 {
			vs := resp.Header[lastKey]
			vs[len(vs)-1] = strings.Join(append([]string{vs[len(vs)-1]}, fold...), " ")
			fold = fold[:0]
		}
	}
	for {
		if pos >= len(b) {
			if resp == nil {
				return nil, 0, 0, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(pos), Err: errors.New("no status line")}
			}
			// Headers cut short: keep what there is.
			endFold()
			return resp, len(b), line, nil
		}
		raw, _, _ := bytes.Cut(b[pos:], []byte("\n"))
		l := bytes.TrimRight(raw, "\r")
		switch {
		case resp == nil:
			r, ok := parseStatus(l)
			if !ok {
				return nil, 0, 0, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(pos), Err: fmt.Errorf("expected a status line like \"HTTP/1.1 200 OK\", got %q", trimQuote(l))}
			}
			resp = r
		case len(l) == 0:
			endFold()
			return resp, min(pos+len(raw)+1, len(b)), line + 1, nil
		case (l[0] == ' ' || l[0] == '\t') && lastKey != "":
			fold = append(fold, strings.TrimSpace(string(l)))
		default:
			endFold()
			k, err := addHeader(resp.Header, l)
			if err != nil {
				return nil, 0, 0, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(pos), Err: err}
			}
			lastKey = k
		}
		pos += len(raw) + 1
		line++
	}
}

// curlEnd maps a curl error code to how the body ended.
func curlEnd(code, msg string) End {
	e := End{Reason: EndError, Err: "curl: (" + code + ") " + msg}
	switch code {
	case "18", "56", "92", "52", "16":
		e.Reason = EndReset
	case "28":
		e.Reason = EndTimeout
	case "23", "42":
		e.Reason = EndCanceled
	}
	return e
}

// curlMetaInLine finds curl's stderr output that starts inside a line.
var curlMetaInLine = regexp.MustCompile(`\* (?:Connection #\d|Closing connection|transfer closed|Recv failure|Operation timed out|OpenSSL SSL_read|HTTP/2 stream \d+ was not closed|Failed)|\{ \[\d+ bytes data\]$|curl: \(\d+\) `)

// midLineMeta returns the index in l where curl output begins after body
// bytes, or -1.
func midLineMeta(l []byte) int {
	for _, m := range curlMetaInLine.FindAllIndex(l, -1) {
		if m[0] > 0 && isCurlMeta(l[m[0]:]) {
			return m[0]
		}
	}
	return -1
}

// isCurlMeta reports whether a line is curl's own output rather than body.
func isCurlMeta(l []byte) bool {
	switch {
	case bytes.HasPrefix(l, []byte("* ")), bytes.Equal(l, []byte("*")):
		return true
	case (bytes.HasPrefix(l, []byte("{ [")) || bytes.HasPrefix(l, []byte("} ["))) && bytes.HasSuffix(l, []byte("]")):
		return true
	case bytes.HasPrefix(l, []byte("< ")), bytes.HasPrefix(l, []byte("> ")):
		return true
	}
	return curlErr.Match(l)
}

// curlInfoEnd recognises the "* " lines curl prints when a transfer ends.
func curlInfoEnd(info string) (End, bool) {
	lo := strings.ToLower(info)
	switch {
	case strings.Contains(lo, "transfer closed with outstanding read data"),
		strings.Contains(lo, "connection reset"), strings.Contains(lo, "recv failure"),
		strings.Contains(lo, "was not closed cleanly"):
		return End{Reason: EndReset, Err: info}, true
	case strings.Contains(lo, "timed out"):
		return End{Reason: EndTimeout, Err: info}, true
	case strings.Contains(lo, "left intact"):
		return End{Reason: EndEOF}, true
	}
	return End{}, false
}
