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

// ReadHTTPDump reads an HTTP response dump: `curl -i` output (interim 1xx
// blocks skipped), `curl -v` output with stderr and stdout interleaved, or a
// raw HTTP/1.1 response, whose chunked body framing is removed if present.
func ReadHTTPDump(name string, b []byte) ([]*Exchange, error) {
	b = bytes.TrimPrefix(b, bom)
	var notes []string
	if bytes.Contains(b, meterHead1) {
		b = stripMeter(b)
		notes = append(notes, "curl's progress meter was removed from the dump")
	}
	lead := len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
	first, _, _ := bytes.Cut(b[lead:], []byte("\n"))
	var x *Exchange
	var err error
	if bytes.HasPrefix(first, []byte("HTTP/")) {
		x, err = readCurlI(name, b, lead)
	} else {
		x, err = readCurlV(name, b)
	}
	if err != nil {
		return nil, err
	}
	x.Notes = append(notes, x.Notes...)
	return []*Exchange{x}, nil
}

// stripMeter removes curl's progress meter: its two heading lines and every
// '\r'-led update, with the newline that ends a meter line of its own.
func stripMeter(b []byte) []byte {
	b = bytes.Replace(b, append(append([]byte(nil), meterHead1...), '\n'), nil, 1)
	b = bytes.Replace(b, append(append([]byte(nil), meterHead2...), '\n'), nil, 1)
	locs := progressMeter.FindAllIndex(b, -1)
	if len(locs) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	prev := 0
	for _, l := range locs {
		s, e := l[0], l[1]
		atLineStart := s == 0 || b[s-1] == '\n'
		out = append(out, b[prev:s]...)
		if atLineStart && e < len(b) && b[e] == '\n' {
			e++
		}
		prev = e
	}
	return append(out, b[prev:]...)
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

// readCurlI reads a dump that starts with a status line at byte start.
func readCurlI(name string, b []byte, start int) (*Exchange, error) {
	x := &Exchange{Source: name, Format: FormatHTTP, End: End{Reason: EndEOF}}
	pos, line := start, lineAt(b, int64(start))
	for {
		resp, next, nextLine, err := readHeaderBlock(name, b, pos, line)
		if err != nil {
			return nil, err
		}
		pos, line = next, nextLine
		x.Response = resp
		if pos >= len(b) && (pos == 0 || b[pos-1] != '\n') {
			x.End = End{Reason: EndIncomplete}
			x.Notes = append(x.Notes, "dump ends inside the response headers")
		}
		// An interim response (100 Continue, 103 Early Hints, a proxy's
		// "200 Connection established") is followed at once by the real one.
		rest, _, _ := bytes.Cut(b[pos:], []byte("\n"))
		if _, ok := parseStatus(bytes.TrimRight(rest, "\r")); ok {
			x.Notes = append(x.Notes, fmt.Sprintf("skipped interim response %d %s", resp.Status, resp.StatusText))
			continue
		}
		break
	}
	body := b[pos:]
	// With 2>&1, curl's error message lands after the body.
	if i := bytes.LastIndex(bytes.TrimRight(body, "\n"), []byte("\n")) + 1; i < len(body) {
		last := bytes.TrimRight(body[i:], "\r\n")
		if m := curlErr.FindSubmatch(last); m != nil && (i == 0 || body[i-1] == '\n') {
			x.End = curlEnd(string(m[1]), string(m[2]))
			body = body[:i]
		}
	}
	setBody(x, body)
	return x, nil
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

// setBody stores body on x, removing chunked framing when the response
// declares it and the body really is framed (curl -i shows it decoded,
// curl --raw and socket captures do not).
func setBody(x *Exchange, body []byte) {
	if x.Response != nil && strings.EqualFold(x.Response.Header.Get("Transfer-Encoding"), "chunked") {
		if chunks, complete, ok := dechunk(body); ok {
			for _, c := range chunks {
				x.Chunks = append(x.Chunks, Chunk{Data: c})
			}
			x.Notes = append(x.Notes, "chunked transfer framing removed from the body")
			if !complete {
				x.End = End{Reason: EndIncomplete}
				x.Notes = append(x.Notes, "chunked body ends without its last (zero-size) chunk")
			}
			return
		}
	}
	x.Chunks = []Chunk{{Data: body}}
	if x.Response != nil {
		if cl := x.Response.Header.Get("Content-Length"); cl != "" {
			if n, err := strconv.ParseInt(cl, 10, 64); err == nil && int64(len(body)) < n && x.End.Reason == EndEOF {
				x.End = End{Reason: EndIncomplete}
				x.Notes = append(x.Notes, fmt.Sprintf("body has %d of the %d bytes its Content-Length announces", len(body), n))
			}
		}
	}
}

// dechunk parses HTTP/1.1 chunked framing. ok is false when body does not
// start with a chunk-size line; complete is false when it ends before the
// zero-size chunk (the data read so far is returned).
func dechunk(body []byte) (chunks [][]byte, complete, ok bool) {
	for len(body) > 0 {
		sizeLine, rest, found := bytes.Cut(body, []byte("\n"))
		if !found {
			return chunks, false, len(chunks) > 0
		}
		sz := bytes.TrimRight(sizeLine, "\r")
		if i := bytes.IndexByte(sz, ';'); i >= 0 { // chunk extensions
			sz = sz[:i]
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(sz)), 16, 31)
		if err != nil || len(bytes.TrimSpace(sz)) == 0 {
			return chunks, false, false
		}
		if n == 0 {
			return chunks, true, true
		}
		if uint64(len(rest)) < n {
			return append(chunks, rest), false, true
		}
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			rest = rest[2:]
		case bytes.HasPrefix(rest, []byte("\n")):
			rest = rest[1:]
		case len(rest) == 0:
		default:
			return nil, false, false // not chunked after all
		}
		body = rest
	}
	return chunks, false, len(chunks) > 0
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

// readCurlV reads `curl -v` output: "* " info lines, "> " request lines,
// "< " response header lines, "{ [N bytes data]" markers, curl's own
// "curl: (N) …" error, and unprefixed body lines from stdout.
func readCurlV(name string, b []byte) (*Exchange, error) {
	x := &Exchange{Source: name, Format: FormatHTTP, End: End{Reason: EndUnknown}}
	var (
		req      *Request
		reqDone  bool // the blank "> " line ending the request was seen
		tls      bool
		path     string
		inResp   bool // inside a "< " header block
		headDone bool // the final response's blank "< " line was seen
		chunk    []byte
		line     int
		interim  []string
	)
	flush := func() {
		if len(chunk) > 0 {
			x.Chunks = append(x.Chunks, Chunk{Data: chunk})
			chunk = nil
		}
	}
	for pos := 0; pos < len(b); {
		line++
		raw := b[pos:]
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[:i+1]
		}
		lineOff := pos
		pos += len(raw)
		l := bytes.TrimRight(raw, "\r\n")
		if headDone && !isCurlMeta(l) {
			i := midLineMeta(l)
			if i < 0 {
				chunk = append(chunk, raw...)
				continue
			}
			// A body without a final newline: curl's next stderr line
			// was written on the same line.
			chunk = append(chunk, raw[:i]...)
			raw, l = raw[i:], l[i:]
		}
		switch {
		case bytes.HasPrefix(l, []byte("< ")) || bytes.Equal(l, []byte("<")):
			h := bytes.TrimPrefix(bytes.TrimPrefix(l, []byte("<")), []byte(" "))
			if r, ok := parseStatus(h); ok {
				if x.Response != nil {
					interim = append(interim, fmt.Sprintf("%d %s", x.Response.Status, x.Response.StatusText))
				}
				x.Response, inResp, headDone = r, true, false
				flush()
				x.Chunks = nil
				continue
			}
			if bytes.HasPrefix(h, []byte("HTTP/")) {
				return nil, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(lineOff), Err: fmt.Errorf("expected a status line like \"HTTP/1.1 200 OK\", got %q", trimQuote(h))}
			}
			if !inResp {
				return nil, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(lineOff), Err: fmt.Errorf("response header %q before any \"< HTTP/\" status line", trimQuote(h))}
			}
			if len(h) == 0 {
				inResp = false
				// 1xx responses are interim: the real one follows.
				headDone = x.Response.Status >= 200
				continue
			}
			if _, err := addHeader(x.Response.Header, h); err != nil {
				return nil, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(lineOff), Err: err}
			}
		case bytes.HasPrefix(l, []byte("> ")):
			h := l[2:]
			if req == nil {
				f := strings.Fields(string(h))
				if len(f) == 3 && strings.HasPrefix(f[2], "HTTP/") {
					req = &Request{Method: f[0], Proto: f[2], Header: http.Header{}}
					path = f[1]
				}
				continue
			}
			if len(h) == 0 {
				reqDone = true // end of request headers
			} else if !reqDone {
				// A malformed request line is curl chatter, not our concern.
				_, _ = addHeader(req.Header, h)
			}
		default:
			if isCurlMeta(l) {
				flush()
				s := string(l)
				if strings.HasPrefix(s, "* ") {
					info := strings.TrimSpace(s[2:])
					if strings.Contains(info, "SSL connection using") || strings.Contains(info, "TLS handshake") {
						tls = true
					}
					if e, ok := curlInfoEnd(info); ok && x.End.Reason != EndReset && x.End.Reason != EndTimeout {
						x.End = e
					}
				}
				if m := curlErr.FindStringSubmatch(s); m != nil {
					x.End = curlEnd(m[1], m[2])
				}
			}
			// Other lines before the body ("Note: …", "Warning: …") are curl's chatter.
		}
	}
	flush()
	if x.Response == nil {
		return nil, &FormatError{File: name, Format: FormatHTTP, Line: line, Offset: int64(len(b)), Err: errors.New(`no "< HTTP/" response status line in curl -v output`)}
	}
	if req != nil {
		scheme := "http"
		if tls {
			scheme = "https"
		}
		if host := req.Header.Get("Host"); host != "" && strings.HasPrefix(path, "/") {
			req.URL = scheme + "://" + host + path
		} else {
			req.URL = path
		}
		x.Request = req
		x.Notes = append(x.Notes, "curl -v does not show the request body")
	}
	for _, s := range interim {
		x.Notes = append(x.Notes, "skipped interim response "+s)
	}
	if len(x.Chunks) == 0 {
		x.Chunks = []Chunk{{Data: []byte{}}}
	}
	if x.End.Reason == EndUnknown && headDone {
		x.End.Reason = EndEOF
	}
	return x, nil
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
