package stream

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
	"time"

	"github.com/midstreamhq/midstream/internal/ssegen"
)

// refEvent is what the reference decoder dispatches.
type refEvent struct {
	Type, ID     string
	Data         string
	Offset       int64
	Length       int64
	Unterminated bool
}

type refResult struct {
	events   []refEvent
	comments []wantComment
	retry    time.Duration
	hasRetry bool
}

// refDecode is a deliberately plain reading of the WHATWG event-stream
// rules over a whole input: strip one leading BOM, cut the input into
// lines at CRLF, LF or CR, then apply each line in turn. It shares no code
// with Decoder. It also models midstream's one addition: a frame left
// without its blank line at EOF that had a non-comment line is returned,
// marked Unterminated.
func refDecode(in []byte) refResult {
	type line struct {
		text       []byte
		off, next  int // start of the line, start of the line after it
		terminated bool
	}
	pos := 0
	if bytes.HasPrefix(in, []byte("\xEF\xBB\xBF")) {
		pos = 3
	}
	var lines []line
	for pos < len(in) {
		i := pos
		for i < len(in) && in[i] != '\r' && in[i] != '\n' {
			i++
		}
		if i == len(in) {
			lines = append(lines, line{in[pos:], pos, len(in), false})
			break
		}
		next := i + 1
		if in[i] == '\r' && next < len(in) && in[next] == '\n' {
			next++
		}
		lines = append(lines, line{in[pos:i], pos, next, true})
		pos = next
	}

	var r refResult
	var (
		typ, lastID   string
		data          []byte
		hasData, seen bool
		frameStart    = -1
	)
	emit := func(end int, unterminated bool) {
		t := typ
		if t == "" {
			t = "message"
		}
		d := data
		if len(d) > 0 {
			d = d[:len(d)-1]
		}
		r.events = append(r.events, refEvent{t, lastID, string(d), int64(frameStart), int64(end - frameStart), unterminated})
	}
	for _, l := range lines {
		if frameStart < 0 {
			frameStart = l.off
		}
		if len(l.text) == 0 {
			if hasData {
				emit(l.next, false)
			}
			typ, data, hasData, seen, frameStart = "", nil, false, false, -1
			continue
		}
		if l.text[0] == ':' {
			r.comments = append(r.comments, wantComment{string(l.text[1:]), int64(l.off)})
			continue
		}
		seen = true
		name, value := string(l.text), ""
		if i := bytes.IndexByte(l.text, ':'); i >= 0 {
			name, value = string(l.text[:i]), string(l.text[i+1:])
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch name {
		case "event":
			typ = value
		case "data":
			data = append(append(data, value...), '\n')
			hasData = true
		case "id":
			if !bytes.Contains([]byte(value), []byte{0}) {
				lastID = value
			}
		case "retry":
			ok := value != ""
			var ms int64
			for _, c := range []byte(value) {
				if c < '0' || c > '9' {
					ok = false
					break
				}
				if ms < 1<<62/10 {
					ms = ms*10 + int64(c-'0')
				}
			}
			if ok {
				r.hasRetry = true
				if ms > int64(1<<63-1)/int64(time.Millisecond) {
					r.retry = time.Duration(1<<63 - 1)
				} else {
					r.retry = time.Duration(ms) * time.Millisecond
				}
			}
		}
	}
	if seen {
		emit(len(in), true)
	}
	return r
}

// decodeWith decodes in through d and returns the result in the
// reference's terms, failing the test on any error but io.EOF.
func decodeWith(t *testing.T, d *Decoder) refResult {
	t.Helper()
	var r refResult
	d.OnComment(func(c Comment) { r.comments = append(r.comments, wantComment{string(c.Text), c.Offset}) })
	for i := 0; ; i++ {
		e, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		r.events = append(r.events, refEvent{e.Type, e.ID, string(e.Data), e.Offset, e.Length, e.Unterminated})
		if i > 1<<20 {
			t.Fatal("no end")
		}
	}
	r.retry, r.hasRetry = d.Retry()
	return r
}

// sameEvents compares two decodes of in. When lenient, a frame may end one
// byte early where the LF of its dispatching CRLF arrived in a later read
// (see Event.Length).
func sameEvents(t *testing.T, in []byte, what string, got, want refResult, lenient bool) {
	t.Helper()
	if len(got.events) != len(want.events) {
		t.Fatalf("%s: %d events, want %d\ngot  %+v\nwant %+v", what, len(got.events), len(want.events), got.events, want.events)
	}
	for i, g := range got.events {
		w := want.events[i]
		if lenient && g.Length == w.Length-1 && w.Length >= 2 &&
			in[w.Offset+w.Length-1] == '\n' && in[w.Offset+w.Length-2] == '\r' {
			g.Length = w.Length
		}
		if g != w {
			t.Fatalf("%s: event %d = %+v, want %+v", what, i, g, w)
		}
	}
	if len(got.comments) != len(want.comments) {
		t.Fatalf("%s: comments %+v, want %+v", what, got.comments, want.comments)
	}
	for i := range got.comments {
		if got.comments[i] != want.comments[i] {
			t.Fatalf("%s: comment %d = %+v, want %+v", what, i, got.comments[i], want.comments[i])
		}
	}
	if got.retry != want.retry || got.hasRetry != want.hasRetry {
		t.Fatalf("%s: retry %v/%v, want %v/%v", what, got.retry, got.hasRetry, want.retry, want.hasRetry)
	}
}

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		"", "data: 1\n\n", "event: a\r\ndata: 1\r\n\r\n", "event: a\rdata: 1\r\r",
		"\xEF\xBB\xBFdata: x\n\n", "\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n", ": c\nid: 1\x00\ndata\n\n",
		"retry: 10\nretry: x\n\nid\ndata:  a\ndata:b\n\r\n", "data: 1\n\ndata: 2", "data: 1\r",
		"event: a\ndata: 1\n\nevent: a\ndata: 2\n\nevent: ab\ndata: 3\n\n", "event: a\r\n\r\nevent: a\ndata\r\r",
		"data: a\r\n\ndata: b\n\r\n\r\r\n", "retry: 99999999999999999999\n", "id: \xff\ndata: \xff\n\n",
		// The mixed64M shape: an id on every event, comments, multi-line data.
		": keepalive\n\nevent: a\nid: 41\ndata: {\"x\":1,\ndata: \"y\":2}\n\nevent: a\nid: 42\n:\ndata: z\n\n",
		"event: a\r\nid: 1234567\r\ndata: x\r\n\r\nevent: a\r\nid: 12\x00\r\ndata: y\r\n\r\n",
	} {
		f.Add([]byte(s), uint64(1))
	}
}

// FuzzDecoder checks invariants that hold for any input: no panic; the
// events' frames lie within the input, in order and without overlap, end
// in a line terminator unless unterminated (then they reach EOF, and only
// the last may be); Data holds no CR and no more bytes than its frame;
// Type and ID hold no line break; and reading the input one byte at a
// time, in random chunks, or through a tiny buffer gives the same events.
func FuzzDecoder(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		whole := decodeWith(t, NewDecoder(bytes.NewReader(in)))
		var prevEnd int64
		for i, e := range whole.events {
			if e.Offset < prevEnd || e.Length <= 0 || e.Offset+e.Length > int64(len(in)) {
				t.Fatalf("event %d frame [%d,+%d) not after %d within %d bytes", i, e.Offset, e.Length, prevEnd, len(in))
			}
			prevEnd = e.Offset + e.Length
			frame := in[e.Offset:prevEnd]
			if e.Unterminated {
				if i != len(whole.events)-1 || prevEnd != int64(len(in)) {
					t.Fatalf("unterminated event %d is not the last one reaching EOF", i)
				}
			} else if last := frame[len(frame)-1]; last != '\n' && last != '\r' {
				t.Fatalf("event %d frame %q does not end in a line terminator", i, frame)
			}
			if bytes.IndexByte([]byte(e.Data), '\r') >= 0 || int64(len(e.Data)) > e.Length {
				t.Fatalf("event %d data %q holds CR or outgrows its frame", i, e.Data)
			}
			if bytes.ContainsAny([]byte(e.Type+e.ID), "\r\n") || bytes.IndexByte([]byte(e.ID), 0) >= 0 {
				t.Fatalf("event %d type %q / id %q holds a line break or NUL", i, e.Type, e.ID)
			}
		}
		sameEvents(t, in, "one-byte reads", decodeWith(t, NewDecoder(iotest.OneByteReader(bytes.NewReader(in)))), whole, true)
		sameEvents(t, in, "random chunks", decodeWith(t, NewDecoder(randomChunks(in, seed))), whole, true)
		sameEvents(t, in, "tiny buffer", decodeWith(t, newDecoderSize(bytes.NewReader(in), 1+int(seed%16))), whole, true)
	})
}

// FuzzDecoderReference checks the decoder against refDecode, exactly for
// whole reads and up to the documented CRLF split for chunked ones.
func FuzzDecoderReference(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		want := refDecode(in)
		sameEvents(t, in, "whole", decodeWith(t, NewDecoder(bytes.NewReader(in))), want, len(in) > initialBuffer)
		sameEvents(t, in, "random chunks", decodeWith(t, NewDecoder(randomChunks(in, seed))), want, true)
	})
}

// randomChunks returns a reader handing out in in chunks of 1 to 9 bytes
// chosen by seed.
func randomChunks(in []byte, seed uint64) io.Reader {
	rng := rand.New(rand.NewPCG(seed, 7))
	var sizes []int
	for n := 0; n < len(in); {
		k := 1 + rng.IntN(9)
		sizes = append(sizes, k)
		n += k
	}
	return &chunkReader{data: in, sizes: sizes}
}

// TestReferenceOnGenerated runs the differential check over generated
// streams with every line ending, in the sizes fuzzing rarely reaches.
func TestReferenceOnGenerated(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		for _, eol := range []string{"\n", "\r\n", "\r"} {
			in, n := ssegen.DecoderStream(ssegen.DecoderOptions{Size: 256 << 10, EOL: eol, BigLine: 100 << 10, Mixed: mixed, Seed: 9})
			want := refDecode(in)
			what := fmt.Sprintf("eol %q, mixed %v", eol, mixed)
			if len(want.events) != n {
				t.Fatalf("%s: reference found %d events, generator made %d", what, len(want.events), n)
			}
			sameEvents(t, in, "whole, "+what, decodeWith(t, NewDecoder(bytes.NewReader(in))), want, true)
			sameEvents(t, in, "chunks, "+what, decodeWith(t, NewDecoder(randomChunks(in, 3))), want, true)
		}
	}
}
