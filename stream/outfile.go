package stream

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Every file midstream writes (export -o, live --save, proxy captures, the
// inspector's saves and its clipboard fallback) is opened here, so that one
// set of rules decides what an output path may be:
//
//   - a device, FIFO or other special file (/dev/null, /dev/stdout on a
//     terminal or a pipe, a named pipe) is written into as it is: opened
//     write-only, never created, truncated, renamed over or replaced;
//   - a symbolic link is never written through to a regular file, nor used
//     to create one: it is refused (a link to a device or FIFO, such as
//     /dev/stdout, is written into like the device itself);
//   - a regular file is written to a temporary file (mode 0600) in the same
//     folder, renamed into place by Commit: the old file is replaced whole,
//     never truncated in place, and is untouched when writing fails;
//   - a new file is created with mode 0600;
//   - a directory or a socket is refused.
//
// Errors about the path itself are *TargetError, which commands report with
// exit status 2.

// TargetError says why a path cannot be written to at all.
type TargetError struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any
}

// Error returns "cannot write PATH: reason".
func (e *TargetError) Error() string {
	return fmt.Sprintf("cannot write %s: %s", e.Path, e.Reason)
}

// Unwrap returns the underlying error.
func (e *TargetError) Unwrap() error { return e.Err }

func targetErr(path string, err error) *TargetError {
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	return &TargetError{Path: path, Reason: reason, Err: err}
}

// Output is a file being written, opened by CreateOutput, CreateNew or
// CreateTemp. Write to it, then call Commit to finish it or Abort to drop
// it. It is safe for one writer; Err, Written and Name may be called from
// other goroutines.
type Output struct {
	f    *os.File
	path string
	tmp  string // temporary file renamed to path by Commit; "" when written in place
	made bool   // path is a file this Output created (CreateNew, CreateTemp)

	mu   sync.Mutex
	n    int64
	err  error // first write error
	done bool
}

// CreateOutput opens path for writing under the rules above: a regular file
// (existing or not) through a temporary file that Commit renames into
// place; a device or FIFO directly. The folder must exist.
func CreateOutput(path string) (*Output, error) {
	if path == "" {
		return nil, &TargetError{Path: `""`, Reason: "no file name"}
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return createReplacing(path)
	case err != nil:
		return nil, targetErr(path, err)
	case fi.Mode().IsRegular():
		return createReplacing(path)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Stat(path)
		if err != nil || !special(target.Mode()) {
			return nil, &TargetError{Path: path, Reason: "it is a symbolic link; midstream does not write through links (name the file itself, or - for standard output)"}
		}
		return openSpecial(path)
	}
	return openSpecial(path)
}

// special reports whether m is a file that is written into, never replaced:
// a device or a FIFO.
func special(m fs.FileMode) bool {
	return m&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe) != 0
}

// describe names the kind of a file that cannot be written.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "it is a directory"
	case m&fs.ModeSocket != 0:
		return "it is a socket"
	}
	return "it is not a regular file, a device or a FIFO"
}

// openSpecial opens an existing device or FIFO for writing, without
// creating or truncating anything. A FIFO blocks until a reader opens it.
func openSpecial(path string) (*Output, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, targetErr(path, err)
	}
	if !special(fi.Mode()) {
		return nil, &TargetError{Path: path, Reason: describeMode(fi.Mode())}
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, targetErr(path, err)
	}
	// The path may have been swapped between Stat and OpenFile: what was
	// opened must still be special (opening a regular file without
	// O_TRUNC changed nothing).
	if fi, err = f.Stat(); err != nil || !special(fi.Mode()) {
		f.Close()
		return nil, &TargetError{Path: path, Reason: "it changed while being opened"}
	}
	return &Output{f: f, path: path}, nil
}

// createReplacing opens a temporary file beside path, renamed over it by
// Commit.
func createReplacing(path string) (*Output, error) {
	dir := filepath.Dir(path)
	if err := checkDir(dir); err != nil {
		return nil, &TargetError{Path: path, Reason: err.Error(), Err: err}
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, targetErr(path, err)
	}
	return &Output{f: f, path: path, tmp: f.Name()}, nil
}

// checkDir says why dir is not a folder files can be made in, if it is not.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("folder %s does not exist", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

// CreateNew creates path, which must not exist (its error then matches
// fs.ErrExist), with mode 0600, and writes it in place. A symbolic link at
// path counts as existing and is never followed.
func CreateNew(path string) (*Output, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, targetErr(path, err)
	}
	return &Output{f: f, path: path, made: true}, nil
}

// CreateTemp creates a new file in dir (os.TempDir() when empty) named
// after pattern as os.CreateTemp does, with mode 0600, written in place.
func CreateTemp(dir, pattern string) (*Output, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, targetErr(filepath.Join(dir, pattern), err)
	}
	return &Output{f: f, path: f.Name(), made: true}, nil
}

// ProbeDir makes sure files can be created in dir: it creates dir (and its
// parents, mode 0700) if needed, then creates, writes and removes a probe
// file. Its error is a *TargetError naming dir.
func ProbeDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return targetErr(dir, err)
	}
	if err := checkDir(dir); err != nil {
		return &TargetError{Path: dir, Reason: err.Error(), Err: err}
	}
	f, err := os.CreateTemp(dir, ".midstream-probe-*")
	if err != nil {
		return targetErr(dir, err)
	}
	_, werr := f.Write([]byte("probe\n"))
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return targetErr(dir, err)
	}
	return nil
}

// Name returns the path being written (not the temporary file's).
func (o *Output) Name() string { return o.path }

// Write writes to the file and remembers the first error.
func (o *Output) Write(p []byte) (int, error) {
	n, err := o.f.Write(p)
	o.mu.Lock()
	o.n += int64(n)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.mu.Unlock()
	return n, err
}

// Sync commits the written bytes to stable storage (a no-op error on
// devices and FIFOs is ignored).
func (o *Output) Sync() error {
	if o.tmp == "" && !o.made {
		return nil // a device or FIFO: nothing to sync
	}
	err := o.f.Sync()
	o.mu.Lock()
	if err != nil && o.err == nil {
		o.err = err
	}
	o.mu.Unlock()
	return err
}

// Written returns the number of bytes written so far.
func (o *Output) Written() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// Err returns the first write error, if any.
func (o *Output) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// Commit finishes the output: it closes the file and renames the temporary
// file into place. If a write failed, or closing does, the output is
// dropped as by Abort except that a new file that already holds bytes is
// kept (a partial capture still reads back, up to where it was cut), and
// the error is returned. Only the first call of Commit or Abort counts.
func (o *Output) Commit() error {
	if !o.finish() {
		return nil
	}
	err := errors.Join(o.Err(), o.f.Close())
	switch {
	case err != nil && o.tmp != "":
		os.Remove(o.tmp)
	case err != nil && o.made && o.Written() == 0:
		os.Remove(o.path)
	case err == nil && o.tmp != "":
		err = o.rename()
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	return nil
}

// rename moves the temporary file over path, unless path became something
// that must not be replaced meanwhile.
func (o *Output) rename() error {
	if fi, err := os.Lstat(o.path); err == nil && !fi.Mode().IsRegular() {
		os.Remove(o.tmp)
		return &TargetError{Path: o.path, Reason: "it changed while being written (no longer a regular file)"}
	}
	if err := os.Rename(o.tmp, o.path); err != nil {
		os.Remove(o.tmp)
		return err
	}
	return nil
}

// Abort drops the output: it closes the file and removes the temporary
// file, or the new file this Output created. A device or FIFO is only
// closed; an existing file being replaced is left as it was.
func (o *Output) Abort() {
	if !o.finish() {
		return
	}
	o.f.Close()
	switch {
	case o.tmp != "":
		os.Remove(o.tmp)
	case o.made:
		os.Remove(o.path)
	}
}

func (o *Output) finish() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return false
	}
	o.done = true
	return true
}
