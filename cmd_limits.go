package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

// byteSize is a flag value holding a size in bytes, written "1GiB",
// "512MiB", "64K" or a plain count of bytes.
type byteSize int64

// String writes the size in the largest binary unit that divides it.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.name)
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set parses a size: digits, then an optional unit K, M, G or T (with or
// without "i" and "B", all binary).
func (b *byteSize) Set(s string) error {
	t := strings.TrimSpace(s)
	i := len(t) - len(strings.TrimLeft(t, "0123456789"))
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("want a positive size like 512MiB or 4GiB, got %q", s)
	}
	unit := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(t[i:]), "B"), "i"))
	shift, ok := map[string]uint{"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[unit]
	if !ok || n > (1<<62)>>shift {
		return fmt.Errorf("want a positive size like 512MiB or 4GiB, got %q", s)
	}
	*b = byteSize(n << shift)
	return nil
}

// Type names the flag's value in help.
func (b *byteSize) Type() string { return "size" }

// limitFlags are the flags that bound what reading one capture may cost,
// shared by every command that reads capture files.
type limitFlags struct {
	maxInput, maxDecompressed, maxLine byteSize
}

// register adds the flags to cmd, defaulting to stream.DefaultLimits.
func (l *limitFlags) register(cmd *cobra.Command) {
	d := stream.DefaultLimits
	l.maxInput, l.maxDecompressed, l.maxLine = byteSize(d.MaxInput), byteSize(d.MaxDecompressed), byteSize(d.MaxLine)
	f := cmd.Flags()
	f.Var(&l.maxInput, "max-input", "most bytes read from stdin, a pipe or a device (a regular file is read in place, whatever its size)")
	f.Var(&l.maxDecompressed, "max-decompressed", "most bytes the compressed bodies of one capture may decompress to, all together")
	f.Var(&l.maxLine, "max-line", "longest line of a line-oriented capture (JSONL, curl -v)")
}

// limits returns the limits the flags set.
func (l *limitFlags) limits() stream.Limits {
	return stream.Limits{MaxInput: int64(l.maxInput), MaxDecompressed: int64(l.maxDecompressed), MaxLine: int(min(int64(l.maxLine), 1<<40))}
}
