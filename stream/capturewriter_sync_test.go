package stream

import (
	"bytes"
	"testing"
	"time"
)

// syncCounter is a file-like writer that counts Sync calls.
type syncCounter struct {
	bytes.Buffer
	syncs int
}

func (s *syncCounter) Sync() error { s.syncs++; return nil }

// Which capture writers fsync at End: the one a user names (live --save)
// does, once; the proxy's per-exchange writer does not (issue #10: a
// journal commit per exchange, for a crash of the machine a debugging
// capture need not survive). Either way the capture is complete and
// byte-identical once End returns.
func TestCaptureWriterSyncPolicy(t *testing.T) {
	x := canaryExchange()
	cases := []struct {
		name  string
		make  func(*syncCounter) *CaptureWriter
		syncs int
	}{
		{"named capture syncs once", func(w *syncCounter) *CaptureWriter { return NewCaptureWriter(w) }, 1},
		{"proxy capture does not sync", func(w *syncCounter) *CaptureWriter { return NewBatchedCaptureWriter(w, time.Hour) }, 0},
	}
	var want []byte
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &syncCounter{}
			cw := tc.make(w)
			if err := cw.Begin(x); err != nil {
				t.Fatal(err)
			}
			for _, c := range x.Chunks {
				if err := cw.Chunk(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := cw.End(x.End); err != nil {
				t.Fatal(err)
			}
			if w.syncs != tc.syncs {
				t.Errorf("%d syncs, want %d", w.syncs, tc.syncs)
			}
			if want == nil {
				want = bytes.Clone(w.Bytes())
			} else if !bytes.Equal(w.Bytes(), want) {
				t.Errorf("capture differs between writers:\n%s\nwant\n%s", w.Bytes(), want)
			}
			xs, err := ReadJSONL("c.jsonl", w.Bytes())
			if err != nil || len(xs) != 1 || !bytes.Equal(xs[0].Body(), x.Body()) {
				t.Fatalf("capture does not read back whole: %v", err)
			}
		})
	}
}
