package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Limits bounds what reading one capture may cost. A zero field means the
// field of DefaultLimits.
type Limits struct {
	// MaxInput bounds the bytes read from an input that is not a regular
	// file (stdin, a pipe, a device such as /dev/zero): such input is
	// copied to an unlinked temporary file before it is read.
	MaxInput int64
	// MaxDecompressed bounds the bytes the compressed bodies of one file
	// decompress to, all bodies together (gzip bodies in cassettes).
	MaxDecompressed int64
	// MaxLine bounds one line of a line-oriented capture (JSONL, curl -v,
	// an HTTP dump's progress meter).
	MaxLine int
}

// DefaultLimits are the limits used where a field of Limits is zero.
var DefaultLimits = Limits{MaxInput: 1 << 30, MaxDecompressed: 4 << 30, MaxLine: 64 << 20}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxInput <= 0 {
		l.MaxInput = DefaultLimits.MaxInput
	}
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = DefaultLimits.MaxDecompressed
	}
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultLimits.MaxLine
	}
	return l
}

// LimitError is returned when an input that is not a regular file holds
// more than Limits.MaxInput bytes. (The other limits are reported as a
// *FormatError naming the line or entry, wrapping the wording of sizeLimit.)
type LimitError struct {
	File  string
	Limit int64
}

// Error names the file and the limit, and the flag that raises it.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: more than %s read from a pipe or device, the most midstream reads from one (--max-input raises it)", e.File, sizeString(e.Limit))
}

// sizeLimit words a limit passed inside a capture: what passed it, the
// limit, and the flag that raises it.
func sizeLimit(what string, limit int64, flag string) error {
	return fmt.Errorf("%s more than %s, the most midstream reads (%s raises it)", what, sizeString(limit), flag)
}

// sizeString writes n bytes in the largest binary unit that divides it.
func sizeString(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFile reads every exchange in the capture at path ("-" is stdin),
// detecting its format from content, within DefaultLimits.
func ReadFile(path string) ([]*Exchange, error) { return ReadFileWith(path, Limits{}) }

// ReadFileWith is ReadFile within lim. A body of a regular file is read in
// place (a region of the file, never copied into memory) or spooled to
// disk; the file stays open as long as an exchange needs it.
func ReadFileWith(path string, lim Limits) ([]*Exchange, error) {
	if path == "-" {
		return ReadWith("stdin", os.Stdin, lim)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return readOwned(context.Background(), path, f, lim, nil)
}

// Read reads every exchange from r within DefaultLimits; name is used in
// errors and as the exchanges' Source. A failure to read r (a directory,
// an I/O error) is an *fs.PathError naming name, not a FormatError: no
// format was tried.
func Read(name string, r io.Reader) ([]*Exchange, error) { return ReadWith(name, r, Limits{}) }

// ReadWith is Read within lim. A regular *os.File is read in place from its
// current offset; any other reader is first copied to an unlinked
// temporary file, at most lim.MaxInput bytes (*LimitError past it).
func ReadWith(name string, r io.Reader, lim Limits) ([]*Exchange, error) {
	return readInput(context.Background(), name, r, lim, nil)
}

// Parse reads every exchange from the bytes of a capture, detecting its
// format from content (see Detect). Bodies are held as Chunks that alias b.
func Parse(name string, b []byte) ([]*Exchange, error) {
	return memSource(name, b).read()
}

// memSource returns the source of a capture held in memory.
func memSource(name string, b []byte) *source {
	return &source{name: name, mem: b, size: int64(len(b)), lim: DefaultLimits, kept: new(bool)}
}

// readOwned reads from f, which it closes unless an exchange keeps a
// region of it.
func readOwned(ctx context.Context, name string, f *os.File, lim Limits, pub *feedPub) ([]*Exchange, error) {
	s, err := openSource(ctx, name, f, lim, pub)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.pub = pub
	xs, err := s.read()
	if s.f != f {
		f.Close() // a pipe or device, copied to s.f
	}
	s.release()
	return xs, err
}

// release closes the file s reads unless an exchange keeps a region of it.
func (s *source) release() {
	if !*s.kept && s.f != nil {
		s.f.Close()
	}
}

// readInput reads from r, which the caller keeps and closes.
func readInput(ctx context.Context, name string, r io.Reader, lim Limits, pub *feedPub) ([]*Exchange, error) {
	s, err := openSource(ctx, name, r, lim, pub)
	if err != nil {
		return nil, err
	}
	if s.f == r {
		// The caller closes r, which would pull regions from under the
		// exchanges: read them through a descriptor of our own.
		dup, err := reopen(s.f)
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: unwrapPath(err)}
		}
		s.f = dup
	}
	s.pub = pub
	defer s.release()
	return s.read()
}

// reopen opens the file f is open on once more, for exchanges that outlive
// the caller's descriptor.
func reopen(f *os.File) (*os.File, error) {
	return os.Open(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
}

// source is one capture being read: a regular file read in place (or a
// spooled copy of a pipe), or bytes in memory for Parse.
type source struct {
	ctx      context.Context // nil: never cancelled
	name     string
	mem      []byte   // Parse: the whole capture; nil when f is set
	f        *os.File // the capture, read with ReadAt from base
	base     int64
	size     int64
	lim      Limits
	kept     *bool    // an exchange holds a region of f (shared with sub)
	unzipped int64    // bytes decompressed so far, against lim.MaxDecompressed
	pub      *feedPub // ReadToFeed's publisher; nil otherwise
	// origin and total are base and size before any sub: where the
	// capture starts in f and its length, for progress.
	origin, total int64
}

// openSource returns the source of r: in place when r is a regular file,
// else a spooled copy of at most lim.MaxInput bytes. pub, when it wants
// progress, is told how much of a pipe was copied.
func openSource(ctx context.Context, name string, r io.Reader, lim Limits, pub *feedPub) (*source, error) {
	lim = lim.withDefaults()
	s := &source{ctx: ctx, name: name, lim: lim, kept: new(bool)}
	if f, ok := r.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: unwrapPath(err)}
		}
		if fi.IsDir() {
			return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
		}
		if fi.Mode().IsRegular() {
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				off = 0
			}
			s.f, s.base, s.size = f, off, max(fi.Size()-off, 0)
			s.origin, s.total = s.base, s.size
			return s, nil
		}
	}
	tmp, err := os.CreateTemp(SpoolDir, "midstream-input-*")
	if err != nil {
		return nil, fmt.Errorf("%s: spooling the input to disk: %w", name, err)
	}
	os.Remove(tmp.Name())
	if pub != nil && pub.progress != nil {
		r = &copyCounter{r: r, pub: pub}
	}
	n, err := io.Copy(tmp, io.LimitReader(r, lim.MaxInput+1))
	switch {
	case err != nil:
		tmp.Close()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: "read", Path: name, Err: pe.Err}
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	case n > lim.MaxInput:
		tmp.Close()
		return nil, &LimitError{File: name, Limit: lim.MaxInput}
	}
	s.f, s.size, s.total = tmp, n, n
	return s, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadAt reads capture bytes at off (io.ReaderAt).
func (s *source) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > s.size-off {
		p = p[:s.size-off]
	}
	var n int
	var err error
	if s.f == nil {
		n = copy(p, s.mem[off:])
	} else {
		n, err = s.f.ReadAt(p, s.base+off)
		s.pub.readTo(s.base-s.origin+off+int64(n), s.total)
	}
	if err == nil && n < want {
		err = io.EOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = &fs.PathError{Op: "read", Path: s.name, Err: unwrapPath(err)}
	}
	return n, err
}

// section returns a reader of n capture bytes from off.
func (s *source) section(off, n int64) *io.SectionReader { return io.NewSectionReader(s, off, n) }

// prefix returns up to n leading capture bytes.
func (s *source) prefix(n int) ([]byte, error) {
	n = int(min(int64(n), s.size))
	if s.f == nil {
		return s.mem[:n], nil
	}
	b := make([]byte, n)
	// In steps, so that progress moves while a whole document is read.
	k := 0
	for k < n {
		step, err := s.ReadAt(b[k:min(n, k+prefixStep)], int64(k))
		k += step
		if errors.Is(err, io.EOF) || step == 0 {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return b[:k], nil
}

// prefixStep is how much of a capture prefix reads at a time.
const prefixStep = 8 << 20

// whole returns every capture byte, for the formats that are one document
// (HAR, YAML cassettes).
func (s *source) whole() ([]byte, error) { return s.prefix(int(s.size)) }

// sub returns the source of the capture bytes from off on.
func (s *source) sub(off int64) *source {
	cp := *s
	if cp.f == nil {
		cp.mem = cp.mem[off:]
	}
	cp.base += off
	cp.size -= off
	return &cp
}

// cancelled returns the context's error, if it is done.
func (s *source) cancelled() error {
	if s.ctx == nil {
		return nil
	}
	return s.ctx.Err()
}

// detectPrefix is how much of a capture format detection looks at.
const detectPrefix = 1 << 20

// read detects the format from a prefix and reads every exchange.
func (s *source) read() ([]*Exchange, error) {
	head, err := s.prefix(detectPrefix)
	if err != nil {
		return nil, err
	}
	empty, err := s.blank(head)
	if err != nil {
		return nil, err
	}
	if empty {
		return nil, &FormatError{File: s.name, Format: FormatSSE, Offset: s.size, Err: errors.New("the file is empty: no capture to read")}
	}
	var xs []*Exchange
	switch f := Detect(head); f {
	case FormatJSONL:
		xs, err = s.readJSONL()
	case FormatHTTP:
		xs, err = s.readHTTPDump(head)
	case FormatHAR, FormatGoVCR, FormatVCRPy:
		xs, err = s.readDocument(f)
	default:
		xs, err = s.bareBody(head)
	}
	if err == nil {
		for _, x := range xs {
			s.pub.whole(x)
		}
		s.pub.readTo(s.total, s.total)
	}
	return xs, err
}

// readDocument reads a format that is one document, held in memory while
// it is parsed; bodies are moved out of it into spools as they are read.
func (s *source) readDocument(f Format) ([]*Exchange, error) {
	b, err := s.whole()
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, bom)
	switch f {
	case FormatHAR:
		return s.readHAR(b)
	case FormatGoVCR, FormatVCRPy:
		if vcrFlavor(b) == FormatVCRPy {
			return s.readVCRPy(b)
		}
	}
	return s.readGoVCR(b)
}

// blank reports whether the capture holds only white space; head is its
// prefix.
func (s *source) blank(head []byte) (bool, error) {
	if len(bytes.TrimSpace(head)) > 0 {
		return false, nil
	}
	buf := make([]byte, 64<<10)
	for off := int64(len(head)); off < s.size; {
		n, err := s.ReadAt(buf, off)
		if len(bytes.TrimSpace(buf[:n])) > 0 {
			return false, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		if n == 0 {
			break
		}
		off += int64(n)
	}
	return true, nil
}
