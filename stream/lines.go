package stream

import (
	"bufio"
	"errors"
	"io"
)

// lineReader reads a capture line by line through a small buffer, so that
// memory follows the longest line, not the file. A line longer than max
// is an error (errLineTooLong) rather than a line held whole.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	off  int64 // capture offset of the next line
	line int   // lines returned so far
}

var errLineTooLong = errors.New("line too long")

func newLineReader(r io.Reader, off int64, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max, off: off}
}

// next returns the next line with its '\n' (none on a last line cut
// short) and the capture offset of its first byte. The line is valid until
// the next call. It returns io.EOF when no byte is left.
func (lr *lineReader) next() (raw []byte, off int64, err error) {
	if cap(lr.buf) > 4<<20 {
		lr.buf = nil // one huge line: do not keep its buffer
	}
	lr.buf = lr.buf[:0]
	off = lr.off
	for {
		frag, err := lr.br.ReadSlice('\n')
		if len(lr.buf)+len(frag) > lr.max+1 {
			lr.line++
			return nil, off, errLineTooLong
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			lr.buf = append(lr.buf, frag...)
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return nil, off, err
		}
		raw = frag
		if len(lr.buf) > 0 {
			lr.buf = append(lr.buf, frag...)
			raw = lr.buf
		}
		if len(raw) == 0 {
			return nil, off, io.EOF
		}
		lr.off += int64(len(raw))
		lr.line++
		return raw, off, nil
	}
}
