//go:build !checkedloads

package stream

import (
	"encoding/binary"
	"unsafe"
)

// word returns buf[i:i+8] as a little-endian word, without a bounds
// check: the caller makes sure that i >= 0 and i+8 <= len(buf). The
// callers test that once for several loads (p+16 <= end covers the loads
// at p and at v < p+8); a checked load would test it again each time, and
// these loads are most of the per-line work.
//
// go test -tags checkedloads builds word_checked.go instead, where every
// load is checked: CI runs the decoder's tests that way too, so a load
// outside buf panics there rather than reading stray bytes.
func word(buf []byte, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(buf)), i))[:])
}
