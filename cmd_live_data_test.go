package main

import (
	"io"
	"strings"
	"testing"
)

// zeros reads zero bytes for ever, as /dev/zero does.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestLiveDataIsBounded: `live -d @-` reads at most 64 MiB of a body it
// must hold whole, and says so with exit 2, instead of reading an endless
// stdin until memory runs out; a body under the bound is sent.
func TestLiveDataIsBounded(t *testing.T) {
	cases := []struct {
		name  string
		stdin io.Reader
		ok    bool
	}{
		{"small body", strings.NewReader(`{"model":"x"}`), true},
		{"endless stdin", zeros{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := readData("@-", tc.stdin)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v", err)
			}
			if !tc.ok && (len(b) > maxLiveData+1 || !strings.Contains(err.Error(), "more than 64 MiB")) {
				t.Fatalf("read %d bytes, err %v", len(b), err)
			}
		})
	}
	if _, stderr, code := runCLI(t, zeros{}, "live", "http://127.0.0.1:9/x", "-d", "@-", "--no-tui"); code != 2 || !strings.Contains(stderr, "more than 64 MiB") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
