package stream

import (
	"os"
	"syscall"
)

// punchHole frees the blocks of n bytes of f from off, keeping its size.
// A failure only means the space is freed later, with the file.
func punchHole(f *os.File, off, n int64) {
	const punchHole, keepSize = 0x02, 0x01 // FALLOC_FL_*
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) { _ = syscall.Fallocate(int(fd), punchHole|keepSize, off, n) })
	}
}
