package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadJSONL reads every exchange of a JSONL capture held in memory. A
// capture cut short (its last line without a newline and unparseable, or
// an exchange without its end line) reads up to its last complete line;
// the exchange it cut is marked EndIncomplete with a note. A complete line
// that is not valid is a *FormatError naming the line and its byte offset.
func ReadJSONL(name string, b []byte) ([]*Exchange, error) {
	return memSource(name, b).readJSONL()
}

// jsonlReader is the state of one JSONL read: the exchange being read and
// where the current line is.
type jsonlReader struct {
	s    *source
	xs   []*Exchange
	cur  *Exchange
	body *bodyBuilder
	line int
	off  int64 // start of the current line, named in errors
}

func (r *jsonlReader) fail(format string, a ...any) error {
	return &FormatError{File: r.s.name, Format: FormatJSONL, Line: r.line, Offset: r.off, Err: fmt.Errorf(format, a...)}
}

// cut marks x as cut short by the capture.
func (r *jsonlReader) cut(x *Exchange, why string) {
	x.End = End{Reason: EndIncomplete}
	if _, last, ok := x.ChunkTimes(); ok {
		x.End.At = last
	}
	x.Notes = append(x.Notes, why)
	r.s.pub.end(x)
}

// readJSONL reads the capture line by line; each exchange's chunks go to
// its body as they are read, so the capture is never held whole.
func (s *source) readJSONL() ([]*Exchange, error) {
	r := &jsonlReader{s: s}
	var start int64
	if head, _ := s.prefix(len(bom)); bytes.Equal(head, bom) {
		start = int64(len(bom))
	}
	lr := newLineReader(s.section(start, s.size-start), start, s.lim.MaxLine)
	for {
		raw, off, err := lr.next()
		r.line, r.off = lr.line, off
		switch {
		case errors.Is(err, io.EOF):
			return r.finish()
		case errors.Is(err, errLineTooLong):
			return nil, r.fail("%v", sizeLimit("the line is", int64(s.lim.MaxLine), "--max-line"))
		case err != nil:
			return nil, err
		}
		if r.line%1024 == 0 {
			if err := s.cancelled(); err != nil {
				return nil, err
			}
		}
		raw, complete := bytes.CutSuffix(raw, []byte("\n"))
		done, err := r.readLine(raw, complete)
		if err != nil {
			return nil, err
		}
		if done {
			return r.xs, nil
		}
	}
}

// finish ends the read at the end of the capture.
func (r *jsonlReader) finish() ([]*Exchange, error) {
	if r.cur != nil {
		r.cut(r.cur, "capture ends without an end line: the recorder stopped before the body ended")
	}
	if len(r.xs) == 0 {
		return nil, &FormatError{File: r.s.name, Format: FormatJSONL, Line: 1, Offset: 0, Err: errors.New("no header line")}
	}
	return r.xs, nil
}

// readLine reads one line (without its '\n'; complete is false for a last
// line cut short). done is true when the capture was cut inside a line:
// what was read before it is the whole result.
func (r *jsonlReader) readLine(raw []byte, complete bool) (done bool, err error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return false, nil
	}
	var probe struct {
		Format *string `json:"format"`
		T      string  `json:"t"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		if complete {
			return false, r.fail("not a JSON line: %v", jsonErr(err))
		}
		return true, r.cutInLine(len(raw))
	}
	switch {
	case probe.Format != nil:
		if r.cur != nil {
			r.cut(r.cur, fmt.Sprintf("no end line before the next exchange at line %d", r.line))
		}
		x, err := decodeHeader(r.s.name, raw, len(r.xs)+1)
		if err != nil {
			return false, r.fail("%v", err)
		}
		r.xs = append(r.xs, x)
		r.cur, r.body = x, r.s.body(x)
		r.body.live = true
		r.s.pub.start(x)
	case probe.T == "chunk" || probe.T == "end":
		return false, r.bodyLine(raw, probe.T)
	default:
		return false, r.fail("line is neither a header (\"format\") nor a chunk or end line (\"t\": %q)", probe.T)
	}
	return false, nil
}

// cutInLine handles a capture whose recorder died while writing the
// current line, n bytes of it written.
func (r *jsonlReader) cutInLine(n int) error {
	if r.cur != nil {
		r.cut(r.cur, fmt.Sprintf("capture cut at byte %d, inside line %d: read up to the last complete line", r.off+int64(n), r.line))
		return nil
	}
	if len(r.xs) == 0 {
		return r.fail("capture cut inside its first header line (%d bytes): no exchange to read", n)
	}
	// Cut inside the header of a later exchange: those before it are
	// whole; say that one more was begun.
	last := r.xs[len(r.xs)-1]
	last.Notes = append(last.Notes, fmt.Sprintf("capture cut inside the header line of the next exchange (line %d): it cannot be shown", r.line))
	return nil
}

// bodyLine reads a chunk or end line of the current exchange.
func (r *jsonlReader) bodyLine(raw []byte, t string) error {
	if r.cur == nil {
		return r.fail("%q line before any header line", t)
	}
	var l jsonlLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return r.fail("bad %s line: %v", t, jsonErr(err))
	}
	at, err := usDuration(l.AtUS)
	if err != nil {
		return r.fail("%v", err)
	}
	if t == "end" {
		x := r.cur
		x.End = End{Reason: endReason(l.Reason), Err: l.Err, At: at, By: endBy(l.By)}
		if x.End.Fired, err = firedOf(l); err != nil {
			return r.fail("%v", err)
		}
		if x.End.Reason == EndUnknown && l.Reason != string(EndUnknown) {
			x.Notes = append(x.Notes, fmt.Sprintf("unknown end reason %q", l.Reason))
		}
		r.cur = nil
		r.s.pub.end(x)
		return nil
	}
	data, err := decodeBytes(l.Text, l.B64)
	if err != nil {
		return r.fail("chunk: %v", err)
	}
	if err := r.body.chunk(at, data); err != nil {
		return fmt.Errorf("%s: %w", r.s.name, err)
	}
	return nil
}

// firedOf reads the injected_* fields of an end line (End.Fired): nil
// when the line does not say (a clean exchange, an older capture).
func firedOf(l jsonlLine) (*Fired, error) {
	if l.InjectedFired == nil {
		return nil, nil
	}
	f := &Fired{Fired: *l.InjectedFired}
	if !f.Fired {
		return f, nil
	}
	if ev := l.InjectedEvent; ev != nil {
		if *ev < 0 {
			return nil, fmt.Errorf("injected_event %d is below 0", *ev)
		}
		f.Event = *ev
	}
	f.AfterLast = l.InjectedAfterLast
	if l.InjectedAtUS != nil {
		at, err := usDuration(*l.InjectedAtUS)
		if err != nil {
			return nil, fmt.Errorf("injected_at_us: %v", err)
		}
		f.At = at
	}
	return f, nil
}
