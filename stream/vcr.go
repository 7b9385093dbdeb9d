package stream

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// go-vcr v2 cassette (go-vcr v1 files read too: they lack only proto and
// duration). go-vcr writes the Go http.Header map as is.
type goVCRCassette struct {
	Version      int `yaml:"version"`
	Interactions []*struct {
		Request struct {
			Proto   string      `yaml:"proto"`
			Body    string      `yaml:"body"`
			Headers yamlHeaders `yaml:"headers"`
			URL     string      `yaml:"url"`
			Method  string      `yaml:"method"`
		} `yaml:"request"`
		Response struct {
			Proto    string      `yaml:"proto"`
			Body     string      `yaml:"body"`
			Headers  yamlHeaders `yaml:"headers"`
			Status   string      `yaml:"status"` // "200 OK"
			Code     int         `yaml:"code"`
			Duration yaml.Node   `yaml:"duration"` // "1.5s" (yaml.v2) or nanoseconds
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// vcrpy / pytest-recording cassette: status is a mapping, the response body
// a mapping with "string" (which may be !!binary), headers lists.
// pydantic-ai's cassette serializer (its tests' json_body_serializer) writes
// a JSON body as the parsed YAML under "parsed_body" instead of "body".
type vcrpyCassette struct {
	Version      int `yaml:"version"`
	Interactions []*struct {
		Request struct {
			Body    yaml.Node   `yaml:"body"` // a string, null, or {string: …}
			Parsed  yaml.Node   `yaml:"parsed_body"`
			Headers yamlHeaders `yaml:"headers"`
			Method  string      `yaml:"method"`
			URI     string      `yaml:"uri"`
		} `yaml:"request"`
		Response struct {
			Body    yaml.Node   `yaml:"body"`
			Parsed  yaml.Node   `yaml:"parsed_body"`
			Headers yamlHeaders `yaml:"headers"`
			Status  struct {
				Code    int    `yaml:"code"`
				Message string `yaml:"message"`
			} `yaml:"status"`
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// yamlHeaders reads header maps whose values are lists (go-vcr, vcrpy) or
// single strings (old vcrpy).
type yamlHeaders http.Header

// UnmarshalYAML implements yaml.Unmarshaler.
func (h *yamlHeaders) UnmarshalYAML(n *yaml.Node) error {
	var raw map[string]yaml.Node
	if err := n.Decode(&raw); err != nil {
		return err
	}
	out := make(http.Header, len(raw))
	for k, v := range raw {
		switch v.Kind {
		case yaml.ScalarNode:
			out.Add(k, v.Value)
		case yaml.SequenceNode:
			var vs []string
			if err := v.Decode(&vs); err != nil {
				return err
			}
			for _, s := range vs {
				out.Add(k, s)
			}
		default:
			return fmt.Errorf("line %d: header %q is neither a string nor a list", v.Line, k)
		}
	}
	*h = yamlHeaders(out)
	return nil
}

var vcrInteractions = regexp.MustCompile(`(?m)^interactions:`)

// vcrFlavor tells a YAML cassette's flavour, or "" when b is not one.
func vcrFlavor(b []byte) Format {
	if len(b) == 0 || b[0] == '{' || !vcrInteractions.Match(b[:min(len(b), 1<<20)]) {
		return ""
	}
	var probe struct {
		Interactions []struct {
			Response struct {
				Status yaml.Node `yaml:"status"`
			} `yaml:"response"`
		} `yaml:"interactions"`
	}
	if err := yaml.Unmarshal(b, &probe); err == nil {
		for _, it := range probe.Interactions {
			if it.Response.Status.Kind == yaml.MappingNode {
				return FormatVCRPy
			}
		}
		return FormatGoVCR
	}
	// Unparseable: guess from vcrpy's telltale keys so the error names a flavour.
	if bytes.Contains(b, []byte("\n    uri: ")) || bytes.Contains(b, []byte("string: ")) {
		return FormatVCRPy
	}
	return FormatGoVCR
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError turns a yaml.v3 error into a FormatError naming the line.
func yamlError(name string, f Format, err error) error {
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return &FormatError{File: name, Format: f, Line: line, Offset: -1, Err: yamlMessage{err}}
}

// yamlMessage words a yaml.v3 error for people: the FormatError already
// names the line, so yaml's own "yaml: line N:" prefix is dropped and its
// multi-line "unmarshal errors" list is joined on one line.
type yamlMessage struct{ err error }

var yamlPrefix = regexp.MustCompile(`^(yaml: )?(unmarshal errors:\s*)?(line \d+: )?`)

// Error returns yaml's message without its own "yaml: line N:" prefix,
// which FormatError states once.
func (m yamlMessage) Error() string {
	lines := strings.Split(strings.TrimSpace(m.err.Error()), "\n")
	for i, l := range lines {
		lines[i] = yamlPrefix.ReplaceAllString(strings.TrimSpace(l), "")
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

// Unwrap returns yaml's error.
func (m yamlMessage) Unwrap() error { return m.err }

// ReadGoVCR reads a go-vcr cassette: one exchange per interaction, Source
// "name#N".
func ReadGoVCR(name string, b []byte) ([]*Exchange, error) {
	return memSource(name, b).readGoVCR(b)
}

// readGoVCR reads the go-vcr cassette b, the document of s.
func (s *source) readGoVCR(b []byte) ([]*Exchange, error) {
	name := s.name
	var c goVCRCassette
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, yamlError(name, FormatGoVCR, err)
	}
	if len(c.Interactions) == 0 {
		return nil, &FormatError{File: name, Format: FormatGoVCR, Offset: -1, Err: errors.New("the cassette holds no interactions")}
	}
	xs := make([]*Exchange, 0, len(c.Interactions))
	for i, it := range c.Interactions {
		fail := func(err error) error {
			return &FormatError{File: name, Format: FormatGoVCR, Offset: -1, Err: fmt.Errorf("interaction %d: %w", i+1, err)}
		}
		if it == nil {
			return nil, fail(errors.New("empty interaction"))
		}
		q, p := it.Request, it.Response
		x := &Exchange{Source: fmt.Sprintf("%s#%d", name, i+1), Format: FormatGoVCR, End: End{Reason: EndEOF},
			Request: &Request{Method: q.Method, URL: q.URL, Proto: q.Proto, Header: http.Header(q.Headers), Body: []byte(q.Body)}}
		if x.Request.Header == nil {
			x.Request.Header = http.Header{}
		}
		code, text := p.Code, ""
		if num, rest, ok := strings.Cut(p.Status, " "); ok || p.Status != "" {
			text = rest
			if code == 0 {
				code, _ = strconv.Atoi(num)
			}
		}
		if code < 100 || code > 999 {
			return nil, fail(fmt.Errorf("response code %d (status %q)", code, p.Status))
		}
		x.Response = &Response{Proto: p.Proto, Status: code, StatusText: text, Header: http.Header(p.Headers)}
		if x.Response.Header == nil {
			x.Response.Header = http.Header{}
		}
		if p.Duration.Kind == yaml.ScalarNode && p.Duration.Value != "" {
			d, err := parseVCRDuration(p.Duration.Value)
			if err != nil {
				return nil, &FormatError{File: name, Format: FormatGoVCR, Line: p.Duration.Line, Offset: -1, Err: fmt.Errorf("interaction %d: duration: %w", i+1, err)}
			}
			// go-vcr times RoundTrip, which returns once headers arrive.
			x.Response.At = d
		}
		if err := s.body(x).chunk(0, []byte(p.Body)); err != nil {
			return nil, err
		}
		s.pub.whole(x)
		xs = append(xs, x)
	}
	return xs, nil
}

// parseVCRDuration reads "1.5s" (yaml.v2 writes Duration.String()) or a
// plain count of nanoseconds.
func parseVCRDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if n, ierr := strconv.ParseInt(s, 10, 64); ierr == nil {
		d, err = time.Duration(n), nil
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}

// ReadVCRPy reads a vcrpy / pytest-recording cassette.
func ReadVCRPy(name string, b []byte) ([]*Exchange, error) {
	return memSource(name, b).readVCRPy(b)
}

// readVCRPy reads the vcrpy cassette b, the document of s.
func (s *source) readVCRPy(b []byte) ([]*Exchange, error) {
	name := s.name
	var c vcrpyCassette
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, yamlError(name, FormatVCRPy, err)
	}
	if len(c.Interactions) == 0 {
		return nil, &FormatError{File: name, Format: FormatVCRPy, Offset: -1, Err: errors.New("the cassette holds no interactions")}
	}
	xs := make([]*Exchange, 0, len(c.Interactions))
	// parsed_body is re-encoded as JSON; aliases could make that far larger
	// than the file, so all of a file's parsed bodies share one budget.
	budget := 2*int64(len(b)) + 1<<20
	for i, it := range c.Interactions {
		fail := func(line int, err error) error {
			return &FormatError{File: name, Format: FormatVCRPy, Line: line, Offset: -1, Err: fmt.Errorf("interaction %d: %w", i+1, err)}
		}
		if it == nil {
			return nil, fail(0, errors.New("empty interaction"))
		}
		q, p := it.Request, it.Response
		reqBody, _, err := vcrpyBodyOf(&q.Body, &q.Parsed, q.Headers, &budget)
		if err != nil {
			return nil, fail(max(q.Body.Line, q.Parsed.Line), fmt.Errorf("request body: %w", err))
		}
		body, found, err := vcrpyBodyOf(&p.Body, &p.Parsed, p.Headers, &budget)
		if err != nil {
			return nil, fail(max(p.Body.Line, p.Parsed.Line), fmt.Errorf("response body: %w", err))
		}
		if !found {
			return nil, fail(0, errors.New("the response has no body: neither body nor parsed_body"))
		}
		if p.Status.Code < 100 || p.Status.Code > 999 {
			return nil, fail(0, fmt.Errorf("response status code %d", p.Status.Code))
		}
		x := &Exchange{Source: fmt.Sprintf("%s#%d", name, i+1), Format: FormatVCRPy, End: End{Reason: EndEOF},
			Request:  &Request{Method: q.Method, URL: q.URI, Header: http.Header(q.Headers), Body: reqBody},
			Response: &Response{Status: p.Status.Code, StatusText: p.Status.Message, Header: http.Header(p.Headers)}}
		if x.Request.Header == nil {
			x.Request.Header = http.Header{}
		}
		if x.Response.Header == nil {
			x.Response.Header = http.Header{}
		}
		// vcrpy keeps bodies as sent on the wire unless told to decode them.
		bb := s.body(x)
		if enc := x.Response.Header.Get("Content-Encoding"); strings.EqualFold(enc, "gzip") && bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
			if err := s.gunzip(bb, body); err != nil {
				return nil, fail(p.Body.Line, fmt.Errorf("gzip response body: %w", err))
			}
			x.Notes = append(x.Notes, "response body was gzip-compressed in the cassette")
		} else if err := bb.chunk(0, body); err != nil {
			return nil, err
		}
		s.pub.whole(x)
		xs = append(xs, x)
		c.Interactions[i] = nil // its body is in x now
	}
	return xs, nil
}

// vcrpyBodyOf reads a body from "body" or, failing that, pydantic-ai's
// "parsed_body"; found is false when the cassette holds neither.
func vcrpyBodyOf(body, parsed *yaml.Node, h yamlHeaders, budget *int64) (b []byte, found bool, err error) {
	if body.Kind != 0 || parsed.Kind == 0 {
		b, err = vcrpyBody(body)
		return b, body.Kind != 0, err
	}
	switch parsed.Kind {
	case yaml.ScalarNode:
		b, err = vcrpyBody(parsed) // a string is the body itself
	case yaml.SequenceNode:
		mt, _, _ := strings.Cut(http.Header(h).Get("Content-Type"), ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/event-stream") {
			b, err = parsedEvents(parsed, budget)
			break
		}
		fallthrough
	default:
		var buf bytes.Buffer
		err = nodeJSON(&buf, parsed, budget, 0)
		b = buf.Bytes()
	}
	if err != nil {
		return nil, true, fmt.Errorf("parsed_body: %w", err)
	}
	return b, true, nil
}

// parsedEvents writes a parsed_body list of a text/event-stream response
// as SSE: a string item is an event's text as is, any other item the JSON
// of one "data:" line.
func parsedEvents(n *yaml.Node, budget *int64) ([]byte, error) {
	var buf bytes.Buffer
	for _, it := range n.Content {
		if it.Kind == yaml.ScalarNode && it.Tag == "!!str" {
			*budget -= int64(len(it.Value))
			if *budget < 0 {
				return nil, errors.New("expands past twice the cassette's size")
			}
			buf.WriteString(strings.TrimRight(it.Value, "\r\n"))
			buf.WriteString("\n\n")
			continue
		}
		buf.WriteString("data: ")
		if err := nodeJSON(&buf, it, budget, 0); err != nil {
			return nil, err
		}
		buf.WriteString("\n\n")
	}
	return buf.Bytes(), nil
}

// nodeJSON writes n as JSON, keeping the order of mapping keys. Every node
// it writes spends budget, its bytes and one (aliases repeat nodes, so a
// small file can stand for a huge document), and nesting past 10000 is
// refused.
func nodeJSON(buf *bytes.Buffer, n *yaml.Node, budget *int64, depth int) error {
	start := buf.Len()
	defer func() { *budget -= 1 + int64(buf.Len()-start) }()
	if *budget < 0 {
		return errors.New("expands past twice the cassette's size")
	}
	if depth > 10000 {
		return errors.New("nested too deep")
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.AliasNode:
		var c *yaml.Node
		if n.Kind == yaml.AliasNode {
			c = n.Alias
		} else if len(n.Content) > 0 {
			c = n.Content[0]
		}
		if c == nil {
			buf.WriteString("null")
			return nil
		}
		return nodeJSON(buf, c, budget, depth+1)
	case yaml.MappingNode, yaml.SequenceNode:
		open, close, step := byte('['), byte(']'), 1
		if n.Kind == yaml.MappingNode {
			open, close, step = '{', '}', 2
		}
		buf.WriteByte(open)
		for i := 0; i+step-1 < len(n.Content); i += step {
			if i > 0 {
				buf.WriteByte(',')
			}
			if step == 2 {
				k := n.Content[i]
				if k.Kind == yaml.AliasNode && k.Alias != nil {
					k = k.Alias
				}
				if k.Kind != yaml.ScalarNode {
					return fmt.Errorf("line %d: a mapping key that is not a scalar", k.Line)
				}
				writeJSONString(buf, k.Value)
				buf.WriteByte(':')
			}
			if err := nodeJSON(buf, n.Content[i+step-1], budget, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(close)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return err
			}
			j, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			buf.Write(j)
		case "!!binary":
			var s string
			if err := n.Decode(&s); err != nil {
				return err
			}
			writeJSONString(buf, s)
		default:
			writeJSONString(buf, n.Value)
		}
	default:
		return fmt.Errorf("line %d: an unknown YAML node", n.Line)
	}
	return nil
}

// writeJSONString writes s as a JSON string, leaving <, > and & as they are.
func writeJSONString(buf *bytes.Buffer, s string) {
	e := json.NewEncoder(buf)
	e.SetEscapeHTML(false)
	e.Encode(s)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// vcrpyBody reads a body written as a string, as null, or as a mapping
// with a "string" key; yaml.v3 decodes !!binary scalars to their bytes.
func vcrpyBody(n *yaml.Node) ([]byte, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		var s string
		if err := n.Decode(&s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	case yaml.MappingNode:
		var m struct {
			String yaml.Node `yaml:"string"`
		}
		if err := n.Decode(&m); err != nil {
			return nil, err
		}
		if m.String.Kind == yaml.MappingNode {
			return nil, errors.New("body.string is a mapping")
		}
		return vcrpyBody(&m.String)
	}
	return nil, fmt.Errorf("line %d: body is a list", n.Line)
}

// gunzip decompresses a cassette's gzip body into bb, piece by piece. The
// bytes all bodies of the file decompress to are bounded together by
// Limits.MaxDecompressed: past it is an error, not a truncated body, for a
// cassette is untrusted input (gzip bombs, twenty of them) and a cut body
// would read as a stream that ended early.
func (s *source) gunzip(bb *bodyBuilder, b []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	buf := make([]byte, 256<<10)
	for {
		n, err := zr.Read(buf)
		if n > 0 {
			s.unzipped += int64(n)
			if s.unzipped > s.lim.MaxDecompressed {
				return sizeLimit("with the file's other compressed bodies, it decompresses to", s.lim.MaxDecompressed, "--max-decompressed")
			}
			if gerr := bb.grow(buf[:n]); gerr != nil {
				return gerr
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			if bb.x.ChunkCount() == 0 {
				bb.grow(nil)
			}
			bb.cut()
			return nil
		case err != nil:
			return err
		}
	}
}
