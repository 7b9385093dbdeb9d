//go:build unix

package stream

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO is written into, not replaced: the reader gets the bytes and the
// FIFO is still one afterwards, also when named through a symbolic link.
func TestCreateOutputFIFO(t *testing.T) {
	tests := []struct {
		name string
		link bool
	}{
		{"fifo", false},
		{"symlink to a fifo", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			target := fifo
			if tc.link {
				target = filepath.Join(dir, "link")
				must(t, os.Symlink(fifo, target))
			}
			got := make(chan string, 1)
			go func() {
				f, err := os.Open(fifo)
				if err != nil {
					got <- "open: " + err.Error()
					return
				}
				defer f.Close()
				b, _ := io.ReadAll(f)
				got <- string(b)
			}()
			o, err := CreateOutput(target)
			must(t, err)
			writeAll(t, o, "through the pipe\n")
			must(t, o.Sync())
			must(t, o.Commit())
			if s := <-got; s != "through the pipe\n" {
				t.Fatalf("reader got %q", s)
			}
			fi, err := os.Lstat(fifo)
			if err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
				t.Fatalf("fifo is now %v (%v)", fi.Mode(), err)
			}
			assertNoTemp(t, dir)
		})
	}
}

func TestCreateOutputSocketRefused(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Skip(err)
	}
	if _, err := CreateOutput(sock); err == nil {
		t.Fatal("a socket was accepted as output")
	}
}
