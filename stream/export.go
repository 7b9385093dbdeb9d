package stream

import (
	"encoding/json"
	"io"
	"net/url"
	"sort"
	"time"
)

// WriteSSE writes the exact response body bytes of x to w: what a client
// read after the headers, chunk by chunk, nothing added or removed.
func WriteSSE(w io.Writer, x *Exchange) error {
	for _, c := range x.Chunks {
		if _, err := w.Write(c.Data); err != nil {
			return err
		}
	}
	return nil
}

// harCreatorName is written as log.creator.name.
const harCreatorName = "midstream"

// WriteHAR writes every exchange in xs to w as a HAR 1.2 file, redacted.
// Response bodies go in content.text, base64-encoded when they are not
// UTF-8. Chunk times and the way the body ended, which HAR cannot hold,
// go in each entry's "_midstream" field so that midstream reads them back.
func WriteHAR(w io.Writer, xs ...*Exchange) error {
	f := harFile{Log: &harLog{Version: "1.2", Creator: harCreator{Name: harCreatorName, Version: "1"}, Pages: []any{}, Entries: []*harEntry{}}}
	for _, x := range xs {
		f.Log.Entries = append(f.Log.Entries, harEntryOf(Redact(x)))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
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
	body := x.Body()
	resp := &harResponse{Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: int64(len(body))}
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
	resp.Content.Size = int64(len(body))
	if !x.BodyMissing {
		resp.Content.Text, resp.Content.Encoding = harEncode(body)
	}
	e.Response = resp
	m := &harExtra{End: x.End.Reason, EndErr: RedactText(x.End.Err), EndAtUS: micros(x.End.At), BodyMissing: x.BodyMissing, NoRequest: x.Request == nil}
	if x.Timed {
		for _, c := range x.Chunks {
			m.Chunks = append(m.Chunks, harChunk{AtUS: micros(c.At), Len: len(c.Data)})
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
