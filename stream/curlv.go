package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// curlV is the state of reading `curl -v` output.
type curlV struct {
	s        *source
	x        *Exchange
	body     *bodyBuilder
	req      *Request
	reqDone  bool // the blank "> " line ending the request was seen
	tls      bool
	path     string
	inResp   bool // inside a "< " header block
	headDone bool // the final response's blank "< " line was seen
	line     int
	lineOff  int64
	interim  []string
}

// readCurlV reads `curl -v` output line by line: "* " info lines, "> "
// request lines, "< " response header lines, "{ [N bytes data]" markers,
// curl's own "curl: (N) …" error, and unprefixed body lines from stdout,
// which go to the body as they are read.
func (s *source) readCurlV() (*Exchange, error) {
	c := &curlV{s: s, x: &Exchange{Source: s.name, Format: FormatHTTP, End: End{Reason: EndUnknown}}}
	c.body = s.body(c.x)
	lr := newLineReader(s.section(0, s.size), 0, s.lim.MaxLine)
	for {
		raw, off, err := lr.next()
		c.line, c.lineOff = lr.line, off
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errLineTooLong) {
			return nil, c.fail(sizeLimit("the line is", int64(s.lim.MaxLine), "--max-line"))
		}
		if err != nil {
			return nil, err
		}
		if err := c.readLine(raw); err != nil {
			return nil, err
		}
	}
	c.body.cut()
	return c.finish()
}

func (c *curlV) fail(err error) error {
	return &FormatError{File: c.s.name, Format: FormatHTTP, Line: c.line, Offset: c.lineOff, Err: err}
}

// readLine reads one line, with its line ending.
func (c *curlV) readLine(raw []byte) error {
	l := bytes.TrimRight(raw, "\r\n")
	if c.headDone && !isCurlMeta(l) {
		i := midLineMeta(l)
		if i < 0 {
			return c.body.grow(raw)
		}
		// A body without a final newline: curl's next stderr line
		// was written on the same line.
		if err := c.body.grow(raw[:i]); err != nil {
			return err
		}
		l = l[i:]
	}
	switch {
	case bytes.HasPrefix(l, []byte("< ")) || bytes.Equal(l, []byte("<")):
		return c.responseLine(bytes.TrimPrefix(bytes.TrimPrefix(l, []byte("<")), []byte(" ")))
	case bytes.HasPrefix(l, []byte("> ")):
		c.requestLine(l[2:])
	case isCurlMeta(l):
		c.metaLine(l)
		// Other lines before the body ("Note: …", "Warning: …") are curl's chatter.
	}
	return nil
}

// responseLine reads a "< " line, h without its prefix.
func (c *curlV) responseLine(h []byte) error {
	x := c.x
	if r, ok := parseStatus(h); ok {
		if x.Response != nil {
			c.interim = append(c.interim, fmt.Sprintf("%d %s", x.Response.Status, x.Response.StatusText))
		}
		x.Response, c.inResp, c.headDone = r, true, false
		c.body = c.s.body(x) // what came before was an interim response's
		return nil
	}
	if bytes.HasPrefix(h, []byte("HTTP/")) {
		return c.fail(fmt.Errorf("expected a status line like \"HTTP/1.1 200 OK\", got %q", trimQuote(h)))
	}
	if !c.inResp {
		return c.fail(fmt.Errorf("response header %q before any \"< HTTP/\" status line", trimQuote(h)))
	}
	if len(h) == 0 {
		c.inResp = false
		// 1xx responses are interim: the real one follows.
		c.headDone = x.Response.Status >= 200
		return nil
	}
	if _, err := addHeader(x.Response.Header, h); err != nil {
		return c.fail(err)
	}
	return nil
}

// requestLine reads a "> " line, h without its prefix.
func (c *curlV) requestLine(h []byte) {
	if c.req == nil {
		f := strings.Fields(string(h))
		if len(f) == 3 && strings.HasPrefix(f[2], "HTTP/") {
			c.req = &Request{Method: f[0], Proto: f[2], Header: http.Header{}}
			c.path = f[1]
		}
		return
	}
	if len(h) == 0 {
		c.reqDone = true // end of request headers
	} else if !c.reqDone {
		// A malformed request line is curl chatter, not our concern.
		_, _ = addHeader(c.req.Header, h)
	}
}

// metaLine reads one of curl's own lines.
func (c *curlV) metaLine(l []byte) {
	c.body.cut()
	s := string(l)
	if strings.HasPrefix(s, "* ") {
		info := strings.TrimSpace(s[2:])
		if strings.Contains(info, "SSL connection using") || strings.Contains(info, "TLS handshake") {
			c.tls = true
		}
		if e, ok := curlInfoEnd(info); ok && c.x.End.Reason != EndReset && c.x.End.Reason != EndTimeout {
			c.x.End = e
		}
	}
	if m := curlErr.FindStringSubmatch(s); m != nil {
		c.x.End = curlEnd(m[1], m[2])
	}
}

// NoteCurlNoRequestBody is the note a curl -v capture carries: its
// "> " lines show the request headers but never the body. Exports keep it
// in the file; commands say it only when the input is the curl -v text.
const NoteCurlNoRequestBody = "curl -v does not show the request body"

// finish completes the exchange once every line is read.
func (c *curlV) finish() (*Exchange, error) {
	x := c.x
	if x.Response == nil {
		return nil, &FormatError{File: c.s.name, Format: FormatHTTP, Line: c.line, Offset: c.s.size, Err: errors.New(`no "< HTTP/" response status line in curl -v output`)}
	}
	if req := c.req; req != nil {
		scheme := "http"
		if c.tls {
			scheme = "https"
		}
		if host := req.Header.Get("Host"); host != "" && strings.HasPrefix(c.path, "/") {
			req.URL = scheme + "://" + host + c.path
		} else {
			req.URL = c.path
		}
		x.Request = req
		x.Notes = append(x.Notes, NoteCurlNoRequestBody)
	}
	for _, s := range c.interim {
		x.Notes = append(x.Notes, "skipped interim response "+s)
	}
	if x.ChunkCount() == 0 {
		if err := c.body.chunk(0, []byte{}); err != nil {
			return nil, err
		}
	}
	if x.End.Reason == EndUnknown && c.headDone {
		x.End.Reason = EndEOF
	}
	return x, nil
}
