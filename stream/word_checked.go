//go:build checkedloads

package stream

import "encoding/binary"

// word is word.go's word with Go's bounds checks: the build CI uses to
// prove that every load stays inside buf.
func word(buf []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(buf[i : i+8])
}
