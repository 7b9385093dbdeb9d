package stream

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"
)

// maxJSONAnswer bounds the body JSONAnswer reads through.
const maxJSONAnswer = 64 << 20

// JSONAnswer reports whether x is a whole JSON answer, not a stream: a 2xx
// response labelled application/json (or +json) whose body is exactly one
// JSON object or array. A cassette of streamed calls may hold such an
// answer beside them (a non-streaming call of the same test); reports
// over several exchanges skip it, exports keep it.
func (x *Exchange) JSONAnswer() bool {
	if x.Response == nil || x.Response.Status < 200 || x.Response.Status > 299 || x.BodyMissing {
		return false
	}
	mt, _, err := mime.ParseMediaType(x.Response.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return false
	}
	if n := x.BodyLen(); n == 0 || n > maxJSONAnswer {
		return false
	}
	d := json.NewDecoder(x.BodyReader())
	t, err := d.Token()
	if err != nil {
		return false
	}
	if t != json.Delim('{') && t != json.Delim('[') {
		return false
	}
	for depth := 1; depth > 0; {
		t, err := d.Token()
		if err != nil {
			return false
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	_, err = d.Token()
	return errors.Is(err, io.EOF)
}
