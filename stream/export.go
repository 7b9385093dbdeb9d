package stream

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"time"
	"unicode/utf8"
)

// WriteSSE writes the exact response body bytes of x to w: what a client
// read after the headers, chunk by chunk, nothing added or removed.
func WriteSSE(w io.Writer, x *Exchange) error {
	return x.EachChunk(func(c Chunk) error {
		_, err := w.Write(c.Data)
		return err
	})
}

// harCreatorName is written as log.creator.name.
const harCreatorName = "midstream"

// WriteHAR writes every exchange in xs to w as a HAR 1.2 file, redacted.
// Response bodies go in content.text, base64-encoded when they are not
// UTF-8. Chunk times and the way the body ended, which HAR cannot hold,
// go in each entry's "_midstream" field so that midstream reads them back.
//
// The response bodies are streamed into w rather than encoded as part of
// the document: a 64 MiB body would otherwise be held three more times
// (as a string, escaped, and in the encoder's growing buffer). The rest
// of the document is encoded whole with a placeholder for each body,
// which is then written around the streamed body; the bytes are those
// encoding/json writes for the whole document.
func WriteHAR(w io.Writer, xs ...*Exchange) error {
	var nonce [8]byte
	rand.Read(nonce[:])
	type streamed struct {
		placeholder []byte // the placeholder's JSON string, quotes included
		x           *Exchange
		base64      bool
	}
	var bodies []streamed
	f := newHARFile()
	for i, x := range xs {
		// A HAR holds the request body whole in its JSON anyway: read a
		// spooled one in, so that Redact sees it.
		r := Redact(heldRequest(x, -1))
		e := harEntryOf(r)
		if !r.BodyMissing {
			ph := fmt.Sprintf("\x00midstream-body-%x-%d\x00", nonce, i)
			q, _ := json.Marshal(ph)
			b64, err := notUTF8(r)
			if err != nil {
				return err
			}
			e.Response.Content.Text = &ph
			if b64 {
				e.Response.Content.Encoding = "base64"
			}
			bodies = append(bodies, streamed{q, r, b64})
		}
		f.Log.Entries = append(f.Log.Entries, e)
	}
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	rest := SafeJSON(doc.Bytes())
	for _, b := range bodies {
		i := bytes.Index(rest, b.placeholder)
		if i < 0 {
			return errors.New("har: a body placeholder is missing from the encoded document")
		}
		if _, err := w.Write(rest[:i+1]); err != nil { // up to the opening quote
			return err
		}
		if err := writeBody(w, b.x, b.base64); err != nil {
			return err
		}
		rest = rest[i+len(b.placeholder)-1:] // from the closing quote
	}
	_, err := w.Write(rest)
	return err
}

// newHARFile returns an empty HAR 1.2 document written by midstream.
func newHARFile() harFile {
	return harFile{Log: &harLog{Version: "1.2", Creator: harCreator{Name: harCreatorName, Version: "1"}, Pages: []any{}, Entries: []*harEntry{}}}
}

// writeBody writes b as the inside of a JSON string: base64-encoded, or
// escaped as encoding/json (without HTML escaping) escapes valid UTF-8
// text, 64 KiB at a time, each piece cut at the start of a rune so that
// escaping piece by piece gives the bytes escaping the whole would.
func writeBody(w io.Writer, x *Exchange, b64 bool) error {
	if b64 {
		e := base64.NewEncoder(base64.StdEncoding, w)
		if _, err := io.Copy(e, x.BodyReader()); err != nil {
			return err
		}
		return e.Close()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	r := x.BodyReader()
	win := make([]byte, 64<<10+utf8.UTFMax)
	have := 0 // bytes of win still to write (a rune cut by the last read)
	for {
		k, rerr := io.ReadFull(r, win[have:])
		have += k
		if have == 0 {
			break
		}
		n := have
		if rerr == nil { // more follows: keep a rune the read cut for the next piece
			n = completeRunes(win[:have])
		}
		buf.Reset()
		if err := enc.Encode(string(win[:n])); err != nil {
			return err
		}
		esc := SafeJSON(buf.Bytes())                            // no raw C1 or bidi for a person reading the file
		if _, err := w.Write(esc[1 : len(esc)-2]); err != nil { // without the quotes and newline
			return err
		}
		have = copy(win, win[n:have])
		if rerr != nil && have == 0 {
			break
		}
	}
	return nil
}

// completeRunes returns the length of b without a trailing rune cut short
// (b is valid UTF-8 up to the cut: HAR writes other bodies as base64).
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// notUTF8 reports whether x's body is not valid UTF-8 (HAR then holds it
// base64-encoded), reading it once through a window rather than whole.
func notUTF8(x *Exchange) (bool, error) {
	var tail [utf8.UTFMax]byte
	nt := 0
	bad := false
	err := x.EachChunk(func(c Chunk) error {
		b := c.Data
		if nt > 0 { // finish the rune the last chunk cut
			need := min(len(b), utf8.UTFMax-nt)
			joined := append(tail[:nt:nt], b[:need]...)
			if !utf8.FullRune(joined) {
				nt = copy(tail[:], joined)
				return nil
			}
			r, size := utf8.DecodeRune(joined)
			if r == utf8.RuneError && size == 1 {
				bad = true
				return io.EOF
			}
			b = b[size-nt:]
			nt = 0
		}
		cut := completeRunes(b)
		if !utf8.Valid(b[:cut]) {
			bad = true
			return io.EOF
		}
		nt = copy(tail[:], b[cut:])
		return nil
	})
	if err == io.EOF {
		err = nil
	}
	return bad || nt > 0, err
}

func harEntryOf(x *Exchange) *harEntry {
	started := x.Started
	if started.IsZero() {
		started = time.Unix(0, 0) // HAR requires a start time
	}
	e := &harEntry{StartedDateTime: started.UTC().Format(time.RFC3339Nano), Timings: &harTimings{}}
	total := msf(x.End.At)
	e.Time = &total
	if q := x.Request; q != nil {
		r := &harRequest{Method: q.Method, URL: q.URL, HTTPVersion: orDefault(q.Proto, "HTTP/1.1"),
			Cookies: []harNV{}, Headers: harNVs(q.Header), QueryString: []harNV{}, HeadersSize: -1, BodySize: int64(len(q.Body))}
		if u, err := url.Parse(q.URL); err == nil {
			r.QueryString = harNVs(u.Query())
		}
		if len(q.Body) > 0 {
			pd := &harPostData{MimeType: q.Header.Get("Content-Type")}
			pd.Text, pd.Encoding = harEncode(q.Body)
			r.PostData = pd
		}
		e.Request = r
	} else {
		e.Request = &harRequest{Method: "GET", URL: "", HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, QueryString: []harNV{}, HeadersSize: -1, BodySize: -1}
	}
	size := x.BodyLen()
	resp := &harResponse{Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: size}
	if p := x.Response; p != nil {
		resp.Status, resp.StatusText, resp.HTTPVersion = p.Status, p.StatusText, orDefault(p.Proto, "HTTP/1.1")
		resp.Headers = harNVs(p.Header)
		resp.Content.MimeType = p.Header.Get("Content-Type")
		wait := msf(p.At)
		e.Timings.Wait = &wait
		if x.End.At > p.At {
			recv := msf(x.End.At - p.At)
			e.Timings.Receive = &recv
		}
	} else if x.End.Err != "" {
		resp.Error = &x.End.Err
	}
	zero := 0.0
	e.Timings.Send = &zero
	if e.Timings.Wait == nil {
		e.Timings.Wait = &zero
	}
	if e.Timings.Receive == nil {
		e.Timings.Receive = &zero
	}
	resp.Content.Size = size
	e.Response = resp // WriteHAR streams the body into content.text
	m := &harExtra{End: x.End.Reason, EndErr: RedactText(x.End.Err), EndAtUS: micros(x.End.At), BodyMissing: x.BodyMissing, NoRequest: x.Request == nil,
		EndBy: x.End.By, Injected: RedactText(x.Injected)}
	m.InjectedFired, m.InjectedEvent, m.InjectedAfterLast, m.InjectedAtUS = firedFields(x.End.Fired)
	if x.Timed {
		var start int64
		for _, c := range NewChunkIndex(x) {
			m.Chunks = append(m.Chunks, harChunk{AtUS: micros(c.at), Len: int(c.end - start)})
			start = c.end
		}
	}
	for _, n := range x.Notes {
		m.Notes = append(m.Notes, RedactText(n))
	}
	e.Midstream = m
	return e
}

// harEncode returns b as HAR text: verbatim when UTF-8, else base64.
func harEncode(b []byte) (*string, string) {
	t, b64 := encodeBytes(b)
	if t != nil {
		return t, ""
	}
	return b64, "base64"
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// harNVs lists h as HAR name/value pairs, sorted by name for stable output.
func harNVs(h map[string][]string) []harNV {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []harNV{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
		}
	}
	return out
}
