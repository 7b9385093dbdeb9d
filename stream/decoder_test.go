package stream

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// wantEvent is an expected event; frame is the exact input text
// body[Offset:Offset+Length].
type wantEvent struct {
	typ, id, data string
	frame         string
	unterminated  bool
}

type wantComment struct {
	text   string
	offset int64
}

// got is what one decode produced: cloned events, comments and the error
// that ended it.
type got struct {
	events   []Event
	comments []wantComment
	err      error
	retry    time.Duration
	hasRetry bool
}

// decodeAll runs a decoder over r until Next fails, cloning every event.
func decodeAll(d *Decoder) got {
	var g got
	d.OnComment(func(c Comment) { g.comments = append(g.comments, wantComment{string(c.Text), c.Offset}) })
	for {
		e, err := d.Next()
		if err != nil {
			g.err = err
			break
		}
		g.events = append(g.events, e.Clone())
	}
	g.retry, g.hasRetry = d.Retry()
	return g
}

// readers are the ways a test feeds its input: whole, one byte per Read,
// half of each request, with io.EOF on the last data, and through a
// decoder whose buffer is tiny so that lines cross refills and the buffer
// grows.
var readers = []struct {
	name  string
	split bool // CRLF pairs may be split across reads
	open  func(string) *Decoder
}{
	{"whole", false, func(s string) *Decoder { return NewDecoder(strings.NewReader(s)) }},
	{"one-byte", true, func(s string) *Decoder { return NewDecoder(iotest.OneByteReader(strings.NewReader(s))) }},
	{"half", true, func(s string) *Decoder { return NewDecoder(iotest.HalfReader(strings.NewReader(s))) }},
	{"data-err", false, func(s string) *Decoder { return NewDecoder(iotest.DataErrReader(strings.NewReader(s))) }},
	{"tiny-buffer", true, func(s string) *Decoder { return newDecoderSize(strings.NewReader(s), 4) }},
}

// checkEvent compares one event with its expectation. When reads may split
// a CRLF, the LF of the dispatching blank line may fall outside the frame
// (see Event.Length).
func checkEvent(t *testing.T, in string, i int, e Event, w wantEvent, split bool) {
	t.Helper()
	typ := w.typ
	if typ == "" {
		typ = "message"
	}
	if e.Type != typ || e.ID != w.id || string(e.Data) != w.data || e.Unterminated != w.unterminated {
		t.Errorf("event %d = {Type:%q ID:%q Data:%q Unterminated:%v}, want {Type:%q ID:%q Data:%q Unterminated:%v}",
			i, e.Type, e.ID, e.Data, e.Unterminated, typ, w.id, w.data, w.unterminated)
	}
	if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > int64(len(in)) {
		t.Fatalf("event %d frame [%d,+%d) outside the %d-byte input", i, e.Offset, e.Length, len(in))
	}
	frame := in[e.Offset : e.Offset+e.Length]
	if frame == w.frame {
		return
	}
	if split && strings.HasSuffix(w.frame, "\r\n") && frame == w.frame[:len(w.frame)-1] {
		return
	}
	t.Errorf("event %d frame = %q (offset %d), want %q", i, frame, e.Offset, w.frame)
}

func TestDecoderRules(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name     string
		in       string
		events   []wantEvent
		comments []wantComment
		retry    time.Duration // 0: no valid retry field
		err      error         // nil means io.EOF
	}{
		{name: "LF", in: "event: a\ndata: 1\n\n",
			events: []wantEvent{{typ: "a", data: "1", frame: "event: a\ndata: 1\n\n"}}},
		{name: "CRLF", in: "event: a\r\ndata: 1\r\n\r\n",
			events: []wantEvent{{typ: "a", data: "1", frame: "event: a\r\ndata: 1\r\n\r\n"}}},
		{name: "CR", in: "event: a\rdata: 1\r\rdata: 2\r\r",
			events: []wantEvent{{typ: "a", data: "1", frame: "event: a\rdata: 1\r\r"}, {data: "2", frame: "data: 2\r\r"}}},
		{name: "mixed endings", in: "data: 1\r\ndata: 2\rdata: 3\n\r\ndata: 4\n\r",
			events: []wantEvent{{data: "1\n2\n3", frame: "data: 1\r\ndata: 2\rdata: 3\n\r\n"}, {data: "4", frame: "data: 4\n\r"}}},
		{name: "CR then LF is one ending, LF then CR two", in: "data: 1\n\rdata: 2\r\n\n",
			events: []wantEvent{{data: "1", frame: "data: 1\n\r"}, {data: "2", frame: "data: 2\r\n\n"}}},
		{name: "leading BOM stripped", in: "\xEF\xBB\xBFevent: a\ndata: 1\n\n",
			events: []wantEvent{{typ: "a", data: "1", frame: "event: a\ndata: 1\n\n"}}},
		{name: "only the first BOM is stripped", in: "\xEF\xBB\xBFdata: 1\n\n\xEF\xBB\xBFdata: 2\n\n",
			events: []wantEvent{{data: "1", frame: "data: 1\n\n"}}},
		{name: "a second BOM at the start makes a field name", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: 1\n\ndata: 2\n\n",
			events: []wantEvent{{data: "2", frame: "data: 2\n\n"}}},
		{name: "BOM alone", in: "\xEF\xBB\xBF"},
		{name: "partial BOM is data", in: "\xEF\xBBdata: 1\n\n"},
		{name: "several data lines", in: "data: a\ndata: b\ndata: c\n\n",
			events: []wantEvent{{data: "a\nb\nc", frame: "data: a\ndata: b\ndata: c\n\n"}}},
		{name: "data with no space", in: "data:x\n\n",
			events: []wantEvent{{data: "x", frame: "data:x\n\n"}}},
		{name: "data with empty value dispatches", in: "data:\n\n",
			events: []wantEvent{{data: "", frame: "data:\n\n"}}},
		{name: "data with only a space", in: "data: \n\n",
			events: []wantEvent{{data: "", frame: "data: \n\n"}}},
		{name: "data without colon", in: "data\n\n",
			events: []wantEvent{{data: "", frame: "data\n\n"}}},
		{name: "empty data lines join", in: "data\ndata\n\n",
			events: []wantEvent{{data: "\n", frame: "data\ndata\n\n"}}},
		{name: "only one leading space stripped", in: "data:  two\n\n",
			events: []wantEvent{{data: " two", frame: "data:  two\n\n"}}},
		{name: "tab is not stripped", in: "data:\tx\n\n",
			events: []wantEvent{{data: "\tx", frame: "data:\tx\n\n"}}},
		{name: "colon in value kept", in: "data: a: b\n\n",
			events: []wantEvent{{data: "a: b", frame: "data: a: b\n\n"}}},
		{name: "NUL in data kept", in: "data: a\x00b\n\n",
			events: []wantEvent{{data: "a\x00b", frame: "data: a\x00b\n\n"}}},
		{name: "comments delivered, not dispatched", in: ": hello\ndata: 1\n:\n\n: keepalive\n\n",
			events:   []wantEvent{{data: "1", frame: ": hello\ndata: 1\n:\n\n"}},
			comments: []wantComment{{" hello", 0}, {"", 16}, {" keepalive", 19}}},
		{name: "comment at EOF", in: "data: 1\n\n: bye",
			events:   []wantEvent{{data: "1", frame: "data: 1\n\n"}},
			comments: []wantComment{{" bye", 9}}},
		{name: "id persists", in: "id: 1\ndata: a\n\ndata: b\n\n",
			events: []wantEvent{{id: "1", data: "a", frame: "id: 1\ndata: a\n\n"}, {id: "1", data: "b", frame: "data: b\n\n"}}},
		{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			events: []wantEvent{{id: "1", data: "a", frame: "id: 1\ndata: a\n\n"}, {id: "1", data: "b", frame: "id: 2\x003\ndata: b\n\n"}}},
		{name: "empty id resets", in: "id: 1\ndata: a\n\nid:\ndata: b\n\nid: 2\ndata: c\n\nid\ndata: d\n\n",
			events: []wantEvent{
				{id: "1", data: "a", frame: "id: 1\ndata: a\n\n"}, {id: "", data: "b", frame: "id:\ndata: b\n\n"},
				{id: "2", data: "c", frame: "id: 2\ndata: c\n\n"}, {id: "", data: "d", frame: "id\ndata: d\n\n"}}},
		{name: "id set by a block without data", in: "id: 7\n\ndata: x\n\n",
			events: []wantEvent{{id: "7", data: "x", frame: "data: x\n\n"}}},
		{name: "retry digits", in: "retry: 1500\ndata: x\n\n", retry: 1500 * time.Millisecond,
			events: []wantEvent{{data: "x", frame: "retry: 1500\ndata: x\n\n"}}},
		{name: "retry not digits ignored", in: "retry: 100\n\nretry: 15x\n\nretry: -1\n\nretry:\n\nretry: 1.5\n\nretry:  200\n\n", retry: 100 * time.Millisecond},
		{name: "retry overflow saturates", in: "retry: 99999999999999999999999\n\n", retry: time.Duration(1<<63 - 1)},
		{name: "field with no colon", in: "event\ndata: x\n\n",
			events: []wantEvent{{data: "x", frame: "event\ndata: x\n\n"}}},
		{name: "unknown fields ignored", in: "foo: bar\nData: no\ndata : no\ndata: yes\n\n",
			events: []wantEvent{{data: "yes", frame: "foo: bar\nData: no\ndata : no\ndata: yes\n\n"}}},
		{name: "block without data not dispatched", in: "event: a\nid: 1\nretry: 5\n\n: c\n\n",
			retry: 5 * time.Millisecond, comments: []wantComment{{" c", 25}}},
		{name: "event type reset after dispatch", in: "event: a\ndata: 1\n\ndata: 2\n\n",
			events: []wantEvent{{typ: "a", data: "1", frame: "event: a\ndata: 1\n\n"}, {data: "2", frame: "data: 2\n\n"}}},
		{name: "event type reset after an undispatched block", in: "event: a\n\ndata: 2\n\n",
			events: []wantEvent{{data: "2", frame: "data: 2\n\n"}}},
		{name: "empty event value means message", in: "event:\ndata: x\n\n",
			events: []wantEvent{{data: "x", frame: "event:\ndata: x\n\n"}}},
		{name: "last event line wins", in: "event: a\nevent: b\ndata: x\n\n",
			events: []wantEvent{{typ: "b", data: "x", frame: "event: a\nevent: b\ndata: x\n\n"}}},
		{name: "event value spaces kept after the first", in: "event:  a \ndata: x\n\n",
			events: []wantEvent{{typ: " a ", data: "x", frame: "event:  a \ndata: x\n\n"}}},
		{name: "blank lines between events", in: "\n\n\ndata: 1\n\n\n\r\n",
			events: []wantEvent{{data: "1", frame: "data: 1\n\n"}}},
		{name: "long line", in: "data: " + long + "\n\n",
			events: []wantEvent{{data: long, frame: "data: " + long + "\n\n"}}},
		{name: "empty input"},
		{name: "unterminated event at EOF", in: "data: 1\n\nevent: b\ndata: 2\n",
			events: []wantEvent{{data: "1", frame: "data: 1\n\n"}, {typ: "b", data: "2", frame: "event: b\ndata: 2\n", unterminated: true}}},
		{name: "EOF inside the last line", in: "data: 1\n\ndata: 2",
			events: []wantEvent{{data: "1", frame: "data: 1\n\n"}, {data: "2", frame: "data: 2", unterminated: true}}},
		{name: "EOF after a CR", in: "data: 1\r",
			events: []wantEvent{{data: "1", frame: "data: 1\r", unterminated: true}}},
		{name: "EOF after fields without data", in: "event: a\n",
			events: []wantEvent{{typ: "a", data: "", frame: "event: a\n", unterminated: true}}},
		{name: "EOF inside a field name", in: "data: 1\n\nda",
			events: []wantEvent{{data: "1", frame: "data: 1\n\n"}, {data: "", frame: "da", unterminated: true}}},
		{name: "EOF after a comment only", in: "data: 1\n\n: c\n",
			events:   []wantEvent{{data: "1", frame: "data: 1\n\n"}},
			comments: []wantComment{{" c", 9}}},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				g := decodeAll(rd.open(tt.in))
				wantErr := tt.err
				if wantErr == nil {
					wantErr = io.EOF
				}
				if g.err != wantErr {
					t.Errorf("decode ended with %v, want %v", g.err, wantErr)
				}
				if len(g.events) != len(tt.events) {
					t.Fatalf("got %d events %+v, want %d", len(g.events), g.events, len(tt.events))
				}
				for i, w := range tt.events {
					checkEvent(t, tt.in, i, g.events[i], w, rd.split)
				}
				if len(g.comments) != len(tt.comments) {
					t.Fatalf("comments = %+v, want %+v", g.comments, tt.comments)
				}
				for i, c := range tt.comments {
					if g.comments[i] != c {
						t.Errorf("comment %d = %+v, want %+v", i, g.comments[i], c)
					}
				}
				if g.hasRetry != (tt.retry != 0) || g.retry != tt.retry {
					t.Errorf("Retry() = %v, %v; want %v", g.retry, g.hasRetry, tt.retry)
				}
			})
		}
	}
}

// chunkReader returns its input in the given read sizes, then the rest.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n, c.sizes = min(c.sizes[0], n), c.sizes[1:]
	}
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestDecoderCRLFSplitAcrossReads(t *testing.T) {
	in := "event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\r\nid: 9\r\ndata: 3\r\n\r\n"
	want := decodeAll(NewDecoder(strings.NewReader(in)))
	if len(want.events) != 2 || string(want.events[0].Data) != "1\n2" {
		t.Fatalf("whole read gave %+v", want.events)
	}
	for cut := 1; cut < len(in); cut++ {
		g := decodeAll(NewDecoder(&chunkReader{data: []byte(in), sizes: []int{cut}}))
		if g.err != io.EOF || len(g.events) != len(want.events) {
			t.Fatalf("split at %d: %d events, err %v; want %d", cut, len(g.events), g.err, len(want.events))
		}
		for i, w := range want.events {
			wf := in[w.Offset : w.Offset+w.Length]
			checkEvent(t, in, i, g.events[i], wantEvent{typ: w.Type, id: w.ID, data: string(w.Data), frame: wf}, true)
		}
		if len(g.comments) != 1 || g.comments[0] != (wantComment{" c", 30}) {
			t.Errorf("split at %d: comments %+v", cut, g.comments)
		}
	}
}

// errReader returns data, then err.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestDecoderReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name   string
		in     string
		events []wantEvent
	}{
		{"pending frame surfaced first", "data: 1\n\nevent: b\ndata: 2\n",
			[]wantEvent{{data: "1", frame: "data: 1\n\n"}, {typ: "b", data: "2", frame: "event: b\ndata: 2\n", unterminated: true}}},
		{"cut inside a line", "data: 1\n\ndata: {\"a\":",
			[]wantEvent{{data: "1", frame: "data: 1\n\n"}, {data: "{\"a\":", frame: "data: {\"a\":", unterminated: true}}},
		{"between frames", "data: 1\n\n", []wantEvent{{data: "1", frame: "data: 1\n\n"}}},
		{"before any byte", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(&errReader{[]byte(tt.in), boom})
			g := decodeAll(d)
			if g.err != boom {
				t.Fatalf("decode ended with %v, want %v", g.err, boom)
			}
			if len(g.events) != len(tt.events) {
				t.Fatalf("got %d events, want %d", len(g.events), len(tt.events))
			}
			for i, w := range tt.events {
				checkEvent(t, tt.in, i, g.events[i], w, false)
			}
			if _, err := d.Next(); err != boom {
				t.Errorf("Next after the error = %v, want it again (sticky)", err)
			}
		})
	}
	t.Run("iotest.TimeoutReader", func(t *testing.T) {
		// The first read returns everything, the second ErrTimeout.
		g := decodeAll(NewDecoder(iotest.TimeoutReader(strings.NewReader("data: 1\n\ndata: 2\n"))))
		if g.err != iotest.ErrTimeout || len(g.events) != 2 || !g.events[1].Unterminated {
			t.Errorf("got %d events %+v, err %v; want 2 (last unterminated), ErrTimeout", len(g.events), g.events, g.err)
		}
	})
	t.Run("iotest.ErrReader", func(t *testing.T) {
		g := decodeAll(NewDecoder(iotest.ErrReader(boom)))
		if g.err != boom || len(g.events) != 0 {
			t.Errorf("got %+v, %v", g.events, g.err)
		}
	})
}

// zeroReader never makes progress.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// liarReader claims more bytes than it was given room for.
type liarReader struct{}

func (liarReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

func TestDecoderBadReaders(t *testing.T) {
	if _, err := NewDecoder(zeroReader{}).Next(); err != io.ErrNoProgress {
		t.Errorf("reader that returns 0, nil forever: %v, want io.ErrNoProgress", err)
	}
	if _, err := NewDecoder(liarReader{}).Next(); err == nil || !strings.Contains(err.Error(), "invalid count") {
		t.Errorf("reader returning n > len(p): %v, want an invalid count error", err)
	}
}

func TestDecoderEOFIsSticky(t *testing.T) {
	d := NewDecoder(strings.NewReader("data: 1\n\n"))
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := d.Next(); err != io.EOF {
			t.Fatalf("Next after the end = %v, want io.EOF", err)
		}
	}
	if d.Offset() != 9 {
		t.Errorf("Offset() = %d, want 9 (all input consumed)", d.Offset())
	}
}

func TestDecoder40MiBLine(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 200 MiB")
	}
	payload := bytes.Repeat([]byte("0123456789abcdef"), 40<<20/16)
	in := make([]byte, 0, len(payload)+64)
	in = append(in, "event: big\ndata: "...)
	in = append(in, payload...)
	in = append(in, "\n\ndata: after\n\n"...)
	d := NewDecoder(bytes.NewReader(in))
	e, err := d.Next()
	if err != nil {
		t.Fatalf("40 MiB data line with default settings: %v", err)
	}
	if e.Type != "big" || !bytes.Equal(e.Data, payload) || e.Offset != 0 || e.Length != int64(len(payload)+19) {
		t.Fatalf("big event: type %q, %d data bytes, frame [%d,+%d); want %d bytes", e.Type, len(e.Data), e.Offset, e.Length, len(payload))
	}
	if e, err = d.Next(); err != nil || string(e.Data) != "after" {
		t.Fatalf("event after the big one: %q, %v", e.Data, err)
	}
}

// endless yields the same byte forever.
type endless byte

func (b endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestDecoderMaxLineLength(t *testing.T) {
	t.Run("complete line", func(t *testing.T) {
		d := NewDecoder(strings.NewReader("data: 1\n\ndata: 0123456789\n\n"))
		d.SetMaxLineLength(10)
		if e, err := d.Next(); err != nil || string(e.Data) != "1" {
			t.Fatalf("first event: %q, %v", e.Data, err)
		}
		_, err := d.Next()
		var tooLong *LineTooLongError
		if !errors.As(err, &tooLong) || tooLong.Offset != 9 || tooLong.Limit != 10 {
			t.Fatalf("err = %v, want *LineTooLongError at offset 9, limit 10", err)
		}
		if want := "sse: line at byte 9 is longer than the 10-byte limit"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if _, again := d.Next(); again != err {
			t.Errorf("error not sticky: %v", again)
		}
	})
	t.Run("endless line stops at the limit", func(t *testing.T) {
		d := NewDecoder(io.MultiReader(strings.NewReader(": ok\r\ndata: "), endless('x')))
		d.SetMaxLineLength(1 << 20)
		_, err := d.Next()
		var tooLong *LineTooLongError
		if !errors.As(err, &tooLong) || tooLong.Offset != 6 {
			t.Fatalf("err = %v, want *LineTooLongError at offset 6", err)
		}
		if len(d.buf) > 8<<20 {
			t.Errorf("buffer grew to %d bytes for a 1 MiB limit", len(d.buf))
		}
	})
	t.Run("line at the limit passes", func(t *testing.T) {
		d := NewDecoder(iotest.OneByteReader(strings.NewReader("data: 1234\r\n\r\n")))
		d.SetMaxLineLength(10)
		if e, err := d.Next(); err != nil || string(e.Data) != "1234" {
			t.Fatalf("got %q, %v", e.Data, err)
		}
	})
}

func TestDecoderDataOwnership(t *testing.T) {
	in := "data: first\n\ndata: second\ndata: line\n\ndata: third\n\n"
	// A tiny buffer forces refills while events are held.
	for _, d := range []*Decoder{NewDecoder(strings.NewReader(in)), newDecoderSize(strings.NewReader(in), 4)} {
		e1, _ := d.Next()
		kept := e1.Clone()
		if cap(e1.Data) != len(e1.Data) {
			t.Errorf("cap(Data) = %d > len %d: appending would write into the decoder", cap(e1.Data), len(e1.Data))
		}
		_ = append(e1.Data, "XXXXXXXXXXXXXXXXXXXXXXXXXX"...) // must not corrupt what follows
		e2, _ := d.Next()
		kept2 := e2.Clone()
		_ = append(e2.Data, "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY"...)
		e3, err := d.Next()
		if err != nil || string(e3.Data) != "third" {
			t.Errorf("third event %q, %v", e3.Data, err)
		}
		if string(kept.Data) != "first" || string(kept2.Data) != "second\nline" {
			t.Errorf("clones changed after Next: %q, %q", kept.Data, kept2.Data)
		}
	}
}

func TestDecoderCommentsBeforeTheirEvent(t *testing.T) {
	in := ": a\ndata: 1\n: b\n\n: c\n\ndata: 2\n: d\n\n"
	d := NewDecoder(strings.NewReader(in))
	var log []string
	d.OnComment(func(c Comment) { log = append(log, "comment"+string(c.Text)) })
	for {
		e, err := d.Next()
		if err != nil {
			break
		}
		log = append(log, "event "+string(e.Data))
	}
	want := "comment a|comment b|event 1|comment c|comment d|event 2"
	if got := strings.Join(log, "|"); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
	if d.Comments() != 4 {
		t.Errorf("Comments() = %d, want 4", d.Comments())
	}
}

// TestDecoderIDStringsStable checks that ID strings carved from the
// decoder's slab do not change as later ids arrive.
func TestDecoderIDStringsStable(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		b.WriteString("id: evt-")
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 1+i%9))
		b.WriteString("\ndata: x\n\n")
	}
	d := NewDecoder(strings.NewReader(b.String()))
	var ids []string
	for {
		e, err := d.Next()
		if err != nil {
			break
		}
		ids = append(ids, e.ID)
	}
	for i, id := range ids {
		if want := "evt-" + strings.Repeat(string(rune('a'+i%26)), 1+i%9); id != want {
			t.Fatalf("id %d = %q, want %q", i, id, want)
		}
	}
}
