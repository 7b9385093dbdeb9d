package stream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ReadHTTPDump reads an HTTP response dump: `curl -i` output (interim 1xx
// blocks skipped), `curl -v` output with stderr and stdout interleaved, or a
// raw HTTP/1.1 response, whose chunked body framing is removed if present.
func ReadHTTPDump(name string, b []byte) ([]*Exchange, error) {
	s := memSource(name, b)
	head, _ := s.prefix(detectPrefix)
	return s.readHTTPDump(head)
}

// readHTTPDump reads the dump s, whose prefix is head: the headers are
// parsed from head, the body is a region of the capture or, when it must
// be transformed (chunked framing, curl -v), copied into a spool.
func (s *source) readHTTPDump(head []byte) ([]*Exchange, error) {
	if bytes.HasPrefix(head, bom) {
		s, head = s.sub(int64(len(bom))), head[len(bom):]
	}
	var notes []string
	if bytes.Contains(head, meterHead1) {
		ns, err := s.withoutMeter()
		if err != nil {
			return nil, err
		}
		defer ns.release()
		s = ns
		if head, err = s.prefix(detectPrefix); err != nil {
			return nil, err
		}
		notes = append(notes, "curl's progress meter was removed from the dump")
	}
	lead := len(head) - len(bytes.TrimLeft(head, " \t\r\n"))
	first, _, _ := bytes.Cut(head[lead:], []byte("\n"))
	var x *Exchange
	var err error
	if bytes.HasPrefix(first, []byte("HTTP/")) {
		x, err = s.readCurlI(head, lead)
	} else {
		x, err = s.readCurlV()
	}
	if err != nil {
		return nil, err
	}
	x.Notes = append(notes, x.Notes...)
	return []*Exchange{x}, nil
}

// withoutMeter returns the dump with curl's progress meter removed: in
// memory for a capture in memory, in an unlinked temporary file otherwise.
func (s *source) withoutMeter() (*source, error) {
	if s.f == nil {
		ns := memSource(s.name, stripMeter(s.mem))
		ns.lim, ns.pub, ns.ctx = s.lim, s.pub, s.ctx
		return ns, nil
	}
	tmp, err := os.CreateTemp(SpoolDir, "midstream-dump-*")
	if err != nil {
		return nil, fmt.Errorf("%s: spooling the dump to disk: %w", s.name, err)
	}
	os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 64<<10)
	if err := stripMeterTo(w, s.section(0, s.size), s.lim.MaxLine); err != nil {
		tmp.Close()
		if errors.Is(err, errLineTooLong) {
			return nil, &FormatError{File: s.name, Format: FormatHTTP, Offset: -1, Err: sizeLimit("a line is", int64(s.lim.MaxLine), "--max-line")}
		}
		return nil, err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("%s: spooling the dump to disk: %w", s.name, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return nil, err
	}
	return &source{ctx: s.ctx, name: s.name, f: tmp, size: fi.Size(), lim: s.lim, kept: new(bool), pub: s.pub}, nil
}

// stripMeter removes curl's progress meter: its two heading lines and every
// '\r'-led update, with the newline that ends a meter line of its own.
func stripMeter(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	stripMeterTo(&out, bytes.NewReader(b), len(b)+1)
	return out.Bytes()
}

// stripMeterTo copies r to w without curl's progress meter, line by line
// (no meter update spans lines). A heading removed with its newline joins
// what came before it on its line to the next line, as the meter had it.
func stripMeterTo(w io.Writer, r io.Reader, maxLine int) error {
	lr := newLineReader(r, 0, maxLine)
	heads := [][]byte{append(append([]byte(nil), meterHead1...), '\n'), append(append([]byte(nil), meterHead2...), '\n')}
	var carry []byte
	for {
		raw, _, err := lr.next()
		if errors.Is(err, io.EOF) {
			_, err = w.Write(stripMeterLine(carry))
			return err
		}
		if err != nil {
			return err
		}
		line := append(carry, raw...)
		carry = nil
		for i, h := range heads {
			if h != nil && bytes.Contains(line, h) {
				line = bytes.Replace(line, h, nil, 1)
				heads[i] = nil
			}
		}
		if bytes.HasSuffix(raw, []byte("\n")) && !bytes.HasSuffix(line, []byte("\n")) {
			carry = append([]byte(nil), line...) // a heading joined it to the next line
			continue
		}
		if _, err := w.Write(stripMeterLine(line)); err != nil {
			return err
		}
	}
}

// stripMeterLine removes the meter updates of one line (with its '\n').
func stripMeterLine(b []byte) []byte {
	locs := progressMeter.FindAllIndex(b, -1)
	if len(locs) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	prev := 0
	for _, l := range locs {
		s, e := l[0], l[1]
		out = append(out, b[prev:s]...)
		if s == 0 && e < len(b) && b[e] == '\n' {
			e++
		}
		prev = e
	}
	return append(out, b[prev:]...)
}

// headerLimit is how much of a dump its response headers may take.
const headerLimit = detectPrefix

// readCurlI reads a dump that starts with a status line at byte start of
// head, the capture's prefix; the body is read in place.
func (s *source) readCurlI(head []byte, start int) (*Exchange, error) {
	x := &Exchange{Source: s.name, Format: FormatHTTP, End: End{Reason: EndEOF}}
	whole := int64(len(head)) == s.size
	pos, line := start, lineAt(head, int64(start))
	for {
		resp, next, nextLine, err := readHeaderBlock(s.name, head, pos, line)
		if err != nil {
			return nil, err
		}
		if !whole && next >= len(head) {
			return nil, &FormatError{File: s.name, Format: FormatHTTP, Line: line, Offset: int64(pos), Err: fmt.Errorf("the response headers do not end within the first %s", sizeString(headerLimit))}
		}
		pos, line = next, nextLine
		x.Response = resp
		if pos >= len(head) && (pos == 0 || head[pos-1] != '\n') {
			x.End = End{Reason: EndIncomplete}
			x.Notes = append(x.Notes, "dump ends inside the response headers")
		}
		// An interim response (100 Continue, 103 Early Hints, a proxy's
		// "200 Connection established") is followed at once by the real one.
		rest, _, _ := bytes.Cut(head[pos:], []byte("\n"))
		if _, ok := parseStatus(bytes.TrimRight(rest, "\r")); ok {
			x.Notes = append(x.Notes, fmt.Sprintf("skipped interim response %d %s", resp.Status, resp.StatusText))
			continue
		}
		break
	}
	n, err := s.curlErrAfter(x, int64(pos))
	if err != nil {
		return nil, err
	}
	return x, s.setBody(x, int64(pos), n)
}

// curlErrAfter looks for curl's error message, which lands after the body
// with 2>&1, on the last line of the body from off; it sets x.End from it
// and returns the length of the body without it.
func (s *source) curlErrAfter(x *Exchange, off int64) (int64, error) {
	n := s.size - off
	tn := min(n, 64<<10) // curl's message is one short line
	tail := make([]byte, tn)
	if _, err := s.ReadAt(tail, s.size-tn); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	i := bytes.LastIndex(bytes.TrimRight(tail, "\n"), []byte("\n")) + 1
	if i == 0 && tn < n || i >= len(tail) {
		return n, nil
	}
	last := bytes.TrimRight(tail[i:], "\r\n")
	if m := curlErr.FindSubmatch(last); m != nil && (i == 0 || tail[i-1] == '\n') {
		x.End = curlEnd(string(m[1]), string(m[2]))
		return n - (tn - int64(i)), nil
	}
	return n, nil
}

// setBody makes n capture bytes from off x's body, removing chunked
// framing when the response declares it and the body really is framed
// (curl -i shows it decoded, curl --raw and socket captures do not).
func (s *source) setBody(x *Exchange, off, n int64) error {
	if x.Response != nil && strings.EqualFold(x.Response.Header.Get("Transfer-Encoding"), "chunked") {
		complete, ok, err := s.dechunk(x, off, n)
		if err != nil {
			return err
		}
		if ok {
			x.Notes = append(x.Notes, "chunked transfer framing removed from the body")
			if !complete {
				x.End = End{Reason: EndIncomplete}
				x.Notes = append(x.Notes, "chunked body ends without its last (zero-size) chunk")
			}
			return nil
		}
	}
	s.region(x, off, n)
	if x.Response != nil {
		if cl := x.Response.Header.Get("Content-Length"); cl != "" {
			if want, err := strconv.ParseInt(cl, 10, 64); err == nil && n < want && x.End.Reason == EndEOF {
				x.End = End{Reason: EndIncomplete}
				x.Notes = append(x.Notes, fmt.Sprintf("body has %d of the %d bytes its Content-Length announces", n, want))
			}
		}
	}
	return nil
}

// dechunk reads n capture bytes from off as HTTP/1.1 chunked framing into
// x's body. ok is false when they do not start with a chunk-size line or
// turn out not to be framed; complete is false when they end before the
// zero-size chunk (the data read so far is kept).
func (s *source) dechunk(x *Exchange, off, n int64) (complete, ok bool, err error) {
	br := bufio.NewReaderSize(s.section(off, n), 64<<10)
	bb := s.body(x)
	pos, end, chunks := off, off+n, 0
	buf := make([]byte, 64<<10)
	for pos < end {
		sizeLine, rerr := br.ReadSlice('\n')
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				return false, chunks > 0, nil
			}
			if errors.Is(rerr, bufio.ErrBufferFull) {
				return false, false, nil // no chunk-size line is that long
			}
			return false, false, rerr
		}
		pos += int64(len(sizeLine))
		sz := bytes.TrimRight(sizeLine[:len(sizeLine)-1], "\r")
		if i := bytes.IndexByte(sz, ';'); i >= 0 { // chunk extensions
			sz = sz[:i]
		}
		k, perr := strconv.ParseUint(string(bytes.TrimSpace(sz)), 16, 31)
		if perr != nil || len(bytes.TrimSpace(sz)) == 0 {
			return false, false, nil
		}
		if k == 0 {
			return true, true, nil
		}
		avail := min(int64(k), end-pos)
		if err := s.copyChunk(bb, br, pos, avail, buf); err != nil {
			return false, false, err
		}
		pos += avail
		chunks++
		if avail < int64(k) {
			return false, true, nil
		}
		p, _ := br.Peek(2)
		switch {
		case bytes.HasPrefix(p, []byte("\r\n")):
			br.Discard(2)
			pos += 2
		case bytes.HasPrefix(p, []byte("\n")):
			br.Discard(1)
			pos++
		case len(p) == 0:
		default:
			return false, false, nil // not chunked after all
		}
	}
	return false, chunks > 0, nil
}

// copyChunk adds n bytes read from br, at capture offset off, as one
// chunk, through buf.
func (s *source) copyChunk(bb *bodyBuilder, br *bufio.Reader, off, n int64, buf []byte) error {
	if s.f == nil {
		_, err := br.Discard(int(n))
		if err != nil {
			return err
		}
		return bb.chunk(0, s.mem[off:off+n])
	}
	if err := bb.begin(0); err != nil {
		return err
	}
	for n > 0 {
		m, err := io.ReadFull(br, buf[:min(n, int64(len(buf)))])
		if err != nil {
			return err
		}
		if err := bb.grow(buf[:m]); err != nil {
			return err
		}
		n -= int64(m)
	}
	bb.cut()
	return nil
}
