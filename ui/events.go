package ui

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// eventDecoder turns body bytes into timeline events as they arrive, so a
// live stream or a large capture shows its first events long before its
// last byte. Only the bytes after the last complete frame are kept; each
// feed decodes those plus the new bytes (O(new bytes) for normal frames).
//
// It lives in ui for now; inspect.Diagnose decodes the whole body once the
// exchange is complete and its events replace these.
type eventDecoder struct {
	base    int64  // body offset of pending[0]
	pending []byte // bytes after the last dispatched frame
}

// feed decodes data that arrived at at, appending completed events to out.
// With final set, a frame left open at the end is returned as Unterminated.
func (d *eventDecoder) feed(data []byte, at time.Duration, final bool, out []inspect.EventInfo) []inspect.EventInfo {
	d.pending = append(d.pending, data...)
	if len(d.pending) == 0 {
		return out
	}
	dec := stream.NewDecoder(bytes.NewReader(d.pending))
	comments := 0
	dec.OnComment(func(stream.Comment) { comments++ })
	var consumed int64
	for {
		ev, err := dec.Next()
		if err != nil {
			break
		}
		if ev.Unterminated && !final {
			break
		}
		// A frame ending in CR may yet be followed by the LF of a CRLF,
		// which belongs to it: wait for the next byte before dispatching.
		if end := ev.Offset + ev.Length; !final && end == int64(len(d.pending)) && d.pending[end-1] == '\r' {
			break
		}
		out = append(out, inspect.EventInfo{
			Index:        len(out),
			Type:         ev.Type,
			DataType:     dataType(ev.Data),
			ID:           ev.ID,
			Offset:       d.base + ev.Offset,
			Length:       ev.Length,
			At:           at,
			Summary:      summarize(ev.Type, ev.Data),
			Comments:     comments,
			Unterminated: ev.Unterminated,
		})
		comments = 0
		consumed = ev.Offset + ev.Length
	}
	if final {
		consumed = int64(len(d.pending))
	}
	d.base += consumed
	// Copy the tail so the consumed prefix can be collected.
	d.pending = append([]byte(nil), d.pending[consumed:]...)
	return out
}

func dataType(data []byte) string {
	i := bytes.Index(data, []byte(`"type"`))
	if i < 0 || len(data) == 0 || data[0] != '{' {
		return ""
	}
	// Cheap path for the common {"type":"x",…} shape; fall back to JSON.
	var t struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(data, &t) != nil {
		return ""
	}
	s, err := strconv.Unquote(string(t.Type))
	if err != nil {
		return ""
	}
	return s
}

// probe is the union of the fields summaries are made from, across the
// Anthropic and OpenAI shapes.
type probe struct {
	Type    string `json:"type"`
	Message *struct {
		Model string `json:"model"`
	} `json:"message"`
	ContentBlock *struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
		Content     string `json:"content"`
	} `json:"delta"`
	Error   json.RawMessage `json:"error"`
	Code    json.RawMessage `json:"code"`
	Choices []struct {
		Delta struct {
			Content   string `json:"content"`
			ToolCalls []struct {
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
}

type errBody struct {
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
}

// summarize returns a short human summary of one event's data: a text
// snippet, a tool name, a stop reason or an error type.
func summarize(typ string, data []byte) string {
	if len(data) == 0 {
		return ""
	}
	if data[0] != '{' {
		if string(data) == "[DONE]" {
			return "[DONE]"
		}
		return snippet(string(data))
	}
	var p probe
	if json.Unmarshal(data, &p) != nil {
		return "invalid JSON: " + snippet(string(data))
	}
	if len(p.Error) > 0 && string(p.Error) != "null" {
		var e errBody
		if json.Unmarshal(p.Error, &e) == nil {
			kind := e.Type
			if kind == "" {
				kind = unquote(e.Code)
			}
			return strings.TrimSpace(kind + ": " + e.Message)
		}
		return "error: " + snippet(unquote(p.Error))
	}
	if p.Type == "error" || typ == "error" || strings.HasSuffix(p.Type, ".failed") {
		return "error " + snippet(unquote(p.Code))
	}
	switch {
	case p.Message != nil && p.Message.Model != "":
		return "model " + p.Message.Model
	case p.ContentBlock != nil:
		if p.ContentBlock.Name != "" {
			return p.ContentBlock.Type + " " + p.ContentBlock.Name
		}
		return p.ContentBlock.Type
	case p.Delta != nil:
		d := p.Delta
		switch {
		case d.StopReason != "":
			return "stop_reason " + d.StopReason
		case d.Text != "":
			return strconv.Quote(snippet(d.Text))
		case d.Thinking != "":
			return "thinking " + strconv.Quote(snippet(d.Thinking))
		case d.PartialJSON != "":
			return "json " + snippet(d.PartialJSON)
		case d.Content != "":
			return strconv.Quote(snippet(d.Content))
		}
	case len(p.Choices) > 0:
		c := p.Choices[0]
		switch {
		case c.Delta.Content != "":
			return strconv.Quote(snippet(c.Delta.Content))
		case len(c.Delta.ToolCalls) > 0:
			f := c.Delta.ToolCalls[0].Function
			if f.Name != "" {
				return "tool " + f.Name
			}
			return "json " + snippet(f.Arguments)
		case c.FinishReason != nil:
			return "finish_reason " + *c.FinishReason
		}
	}
	return ""
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// snippet keeps summaries short; rows are cut to width later anyway.
func snippet(s string) string {
	const max = 160
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && s[len(s)-1]&0xc0 == 0x80 {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] >= 0xc0 {
			s = s[:len(s)-1]
		}
	}
	return s
}
