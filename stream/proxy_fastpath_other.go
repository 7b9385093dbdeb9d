//go:build !linux

package stream

// canCork says whether setCork does anything here: TCP_CORK is Linux's.
const canCork = false

// setCork does nothing here.
func setCork(fd uintptr, on bool) {}
