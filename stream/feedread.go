package stream

import (
	"context"
	"io"
	"os"
)

// FeedCopyMax is the largest chunk whose bytes a Chunk update published by
// ReadToFeed carries; a bigger chunk is announced with Data nil.
const FeedCopyMax = 64 << 10

// ReadToFeed reads every exchange from r as ReadWith does, and publishes
// what it reads to feed as it reads it, so that a viewer can show the
// first events of a huge capture at once. It closes feed when it returns,
// and returns what ReadWith would.
//
// The contract of what it publishes, per exchange (Seq from 1 in file
// order):
//
//   - Start: a copy of the exchange with its Source, Format, Started,
//     Request and Timed, and no Response. Its Spool is the exchange's own,
//     shared, still growing: read the body from it (ReadBodyAt, Snapshot,
//     Len), never from copies. Start.Spool is never nil.
//   - Response, when the capture holds one.
//   - Chunk, once per complete chunk of the body, in order: the k-th
//     Chunk update of an exchange is chunk k-1 of Start.Spool, whose end
//     offset is Start.Spool.ChunkAt(k-1). Its At is the arrival time. Its
//     Data is a copy the receiver owns when the chunk is at most
//     FeedCopyMax bytes, and nil for a bigger chunk (a bare SSE file is
//     one chunk of the whole file): read those bytes from the spool, so
//     that what the feed queues stays small whatever the body.
//   - End, last.
//
// Line formats (JSONL) are published line by line; the formats that are
// read whole (HAR, YAML cassettes, HTTP dumps, bare SSE bodies) are
// published exchange by exchange as each is read, a bare body at once as
// one region of the file. A read that fails after publishing some
// exchanges returns the error; what was published stays valid.
// Cancelling ctx stops the read with ctx's error.
func ReadToFeed(ctx context.Context, name string, r io.Reader, feed *Feed, lim Limits) ([]*Exchange, error) {
	defer feed.Close()
	return readInput(ctx, name, r, lim, newFeedPub(feed))
}

// ReadFileToFeed is ReadToFeed on the file at path ("-" is stdin).
func ReadFileToFeed(ctx context.Context, path string, feed *Feed, lim Limits) ([]*Exchange, error) {
	return ReadFileToFeedProgress(ctx, path, feed, lim, nil)
}

// ReadFileToFeedProgress is ReadFileToFeed that also says how far the read
// has got: progress(read, total) is called on the reading goroutine each
// time the reader gets further into the capture, with read the end of the
// furthest capture byte read so far and total the capture's size, and a
// last time with read == total when the read succeeded (a body read in
// place, such as a bare SSE file's, is not read here but from its spool:
// read jumps to total). While stdin or a pipe is copied to disk, before
// anything is published, total is -1 and read counts the bytes copied.
// progress must be quick; a nil progress is ReadFileToFeed.
func ReadFileToFeedProgress(ctx context.Context, path string, feed *Feed, lim Limits, progress func(read, total int64)) ([]*Exchange, error) {
	defer feed.Close()
	pub := newFeedPub(feed)
	pub.progress = progress
	if path == "-" {
		return readInput(ctx, "stdin", os.Stdin, lim, pub)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return readOwned(ctx, path, f, lim, pub)
}

// feedPub publishes a reader's exchanges to a Feed. A nil *feedPub
// publishes nothing, so readers call it unconditionally.
type feedPub struct {
	feed  *Feed
	seq   map[*Exchange]int
	sent  map[*Exchange]int // chunks published
	ended map[*Exchange]bool
	next  int
	// progress, when set, is told how far the read has got (see
	// ReadFileToFeedProgress); furthest is the most it was told.
	progress func(read, total int64)
	furthest int64
}

func newFeedPub(f *Feed) *feedPub {
	return &feedPub{feed: f, seq: map[*Exchange]int{}, sent: map[*Exchange]int{}, ended: map[*Exchange]bool{}}
}

// start publishes x's Start, and its Response if it has one.
func (p *feedPub) start(x *Exchange) {
	if p == nil || x.Spool == nil {
		return
	}
	if _, ok := p.seq[x]; ok {
		return
	}
	p.next++
	p.seq[x] = p.next
	cp := *x
	cp.Response, cp.Chunks, cp.End, cp.Notes = nil, nil, End{}, nil
	p.feed.Publish(Update{Seq: p.next, Start: &cp})
	if x.Response != nil {
		p.feed.Publish(Update{Seq: p.next, Response: x.Response})
	}
}

// chunks publishes the chunks of x not published yet; with open set, the
// last one is still growing and waits.
func (p *feedPub) chunks(x *Exchange, open bool) {
	if p == nil || x.Spool == nil {
		return
	}
	p.start(x)
	k := x.Spool.Chunks()
	if open {
		k--
	}
	var prev int64
	for i := p.sent[x]; i < k; i++ {
		if i > 0 {
			prev, _ = x.Spool.ChunkAt(i - 1)
		}
		end, at := x.Spool.ChunkAt(i)
		c := Chunk{At: at}
		if n := end - prev; n <= FeedCopyMax {
			c.Data = make([]byte, n)
			x.Spool.ReadAt(c.Data, prev)
		}
		p.feed.Publish(Update{Seq: p.seq[x], Chunk: &c})
	}
	p.sent[x] = max(k, p.sent[x])
}

// end publishes x's remaining chunks and its End, once.
func (p *feedPub) end(x *Exchange) {
	if p == nil || x.Spool == nil || p.ended[x] {
		return
	}
	p.chunks(x, false)
	p.ended[x] = true
	e := x.End
	p.feed.Publish(Update{Seq: p.seq[x], End: &e})
}

// whole publishes all of x that is not published yet.
func (p *feedPub) whole(x *Exchange) { p.end(x) }

// readTo notes that the reader read capture bytes up to end of total; it
// tells progress when that is further than before.
func (p *feedPub) readTo(end, total int64) {
	if p == nil || p.progress == nil {
		return
	}
	if total >= 0 {
		if end <= p.furthest {
			return
		}
		p.furthest = end
	}
	p.progress(end, total)
}

// copyCounter counts the bytes of stdin or a pipe copied to disk, for
// progress.
type copyCounter struct {
	r   io.Reader
	n   int64
	pub *feedPub
}

// Read reads from the pipe and reports the bytes copied so far.
func (c *copyCounter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	c.pub.readTo(c.n, -1)
	return n, err
}
