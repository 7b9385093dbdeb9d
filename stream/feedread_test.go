package stream

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadToFeed checks the contract ReadToFeed documents: per exchange,
// Start (with the shared spool), Response, one Chunk per chunk of the
// spool (data copied when small, nil when big), End last; the feed is
// closed at the end.
func TestReadToFeed(t *testing.T) {
	big := strings.Repeat("data: x\n\n", (FeedCopyMax/9)+10)
	tests := []struct {
		name      string
		in        string
		exchanges int
		nilData   bool // the body is one chunk too big to copy
	}{
		{"bare SSE, small", "data: hello\n\n", 1, false},
		{"bare SSE, past FeedCopyMax", big, 1, true},
		{"JSONL, two exchanges", `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":{"status":200,"status_text":"OK","headers":{},"at_us":5}}
{"t":"chunk","at_us":10,"text":"data: a\n\n"}
{"t":"chunk","at_us":20,"text":"data: b\n\n"}
{"t":"end","at_us":30,"reason":"eof"}
{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":null}
{"t":"chunk","at_us":10,"text":"data: c\n\n"}
`, 2, false},
		{"curl -i", "HTTP/1.1 529 Overloaded\r\nContent-Type: application/json\r\n\r\n{\"type\":\"error\"}\n", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cap")
			if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
				t.Fatal(err)
			}
			feed := NewFeed()
			xs, err := ReadFileToFeed(context.Background(), path, feed, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			ups, closed := feed.Drain()
			if !closed || len(xs) != tt.exchanges {
				t.Fatalf("closed %v, %d exchanges", closed, len(xs))
			}
			checkFeed(t, xs, ups, tt.nilData)
		})
	}
}

// checkFeed checks ups against the exchanges xs they announce.
func checkFeed(t *testing.T, xs []*Exchange, ups []Update, nilData bool) {
	t.Helper()
	starts := map[int]*Exchange{}
	chunks := map[int]int{}
	ended := map[int]bool{}
	for _, u := range ups {
		x := starts[u.Seq]
		switch {
		case u.Start != nil:
			if x != nil || u.Start.Spool == nil || u.Start.Response != nil {
				t.Fatalf("seq %d: bad Start %+v", u.Seq, u.Start)
			}
			starts[u.Seq] = u.Start
		case x == nil || ended[u.Seq]:
			t.Fatalf("seq %d: update %+v outside Start…End", u.Seq, u)
		case u.Chunk != nil:
			k := chunks[u.Seq]
			end, at := x.Spool.ChunkAt(k)
			var start int64
			if k > 0 {
				start, _ = x.Spool.ChunkAt(k - 1)
			}
			want := make([]byte, end-start)
			x.Spool.ReadAt(want, start)
			if u.Chunk.At != at || (u.Chunk.Data == nil) != nilData || u.Chunk.Data != nil && !bytes.Equal(u.Chunk.Data, want) {
				t.Errorf("seq %d chunk %d: %q at %v, spool has %d bytes at %v", u.Seq, k, u.Chunk.Data, u.Chunk.At, len(want), at)
			}
			chunks[u.Seq]++
		case u.End != nil:
			ended[u.Seq] = true
		}
	}
	for i, x := range xs {
		seq := i + 1
		if !ended[seq] || chunks[seq] != x.ChunkCount() || starts[seq].Spool.Len() != x.BodyLen() {
			t.Errorf("seq %d: ended %v, %d chunk updates of %d", seq, ended[seq], chunks[seq], x.ChunkCount())
		}
	}
}

// TestReadFileToFeedProgress: progress only moves forward, counts against
// the file's size, and ends at it when the read succeeds, whether the
// reader reads every byte (JSONL) or leaves the body to its spool (a bare
// SSE file).
func TestReadFileToFeedProgress(t *testing.T) {
	jsonl := `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":null}` + "\n" +
		strings.Repeat(`{"t":"chunk","at_us":10,"text":"data: x\n\n"}`+"\n", 200_000)
	for name, in := range map[string]string{"JSONL": jsonl, "bare SSE": strings.Repeat("data: x\n\n", 300_000)} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cap")
			if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
			var calls, last int64
			_, err := ReadFileToFeedProgress(context.Background(), path, NewFeed(), Limits{}, func(read, total int64) {
				calls++
				if total != int64(len(in)) || read <= last || read > total {
					t.Errorf("progress %d of %d after %d", read, total, last)
				}
				last = read
			})
			if err != nil {
				t.Fatal(err)
			}
			if last != int64(len(in)) || calls < 2 {
				t.Errorf("%d calls ending at %d, want several ending at %d", calls, last, len(in))
			}
		})
	}
}
