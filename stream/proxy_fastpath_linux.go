package stream

import "syscall"

// canCork says whether setCork does anything here.
const canCork = true

// setCork sets TCP_CORK on socket fd.
func setCork(fd uintptr, on bool) {
	v := 0
	if on {
		v = 1
	}
	_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
}
