package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
)

// assembled is the message as an SDK would have assembled it from the
// events up to and including one event: what had been delivered.
//
// This interim assembler lives in ui until inspect.Assemble (#3) lands; it
// knows the Anthropic content-block deltas and OpenAI chat deltas.
type assembled struct {
	upTo   int
	blocks []asmBlock
	stop   string
	errTxt string
}

type asmBlock struct {
	kind, name string
	text       strings.Builder
}

type asmProbe struct {
	Type         string `json:"type"`
	Index        int    `json:"index"`
	ContentBlock *struct {
		Type string `json:"type"`
		Name string `json:"name"`
		Text string `json:"text"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Choices []struct {
		Delta struct {
			Content   string `json:"content"`
			ToolCalls []struct {
				Index    int `json:"index"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
}

// assemble folds events[0..upTo] of body into an assembled message. It
// reads only its arguments, so it can run in a command.
func assemble(body []byte, events []inspect.EventInfo, upTo int) *assembled {
	a := &assembled{upTo: upTo}
	block := func(i int, kind, name string) *asmBlock {
		for len(a.blocks) <= i {
			a.blocks = append(a.blocks, asmBlock{})
		}
		b := &a.blocks[i]
		if kind != "" {
			b.kind = kind
		}
		if name != "" {
			b.name = name
		}
		return b
	}
	for i := 0; i <= upTo && i < len(events); i++ {
		e := events[i]
		data := frameData(body, e)
		if isErrorEvent(e) {
			a.errTxt = e.Summary
		}
		var p asmProbe
		if len(data) == 0 || data[0] != '{' || json.Unmarshal(data, &p) != nil {
			continue
		}
		switch {
		case p.ContentBlock != nil:
			b := block(p.Index, p.ContentBlock.Type, p.ContentBlock.Name)
			b.text.WriteString(p.ContentBlock.Text)
		case p.Delta != nil && p.Type == "content_block_delta":
			d := p.Delta
			b := block(p.Index, "", "")
			b.text.WriteString(d.Text + d.Thinking + d.PartialJSON)
		case p.Delta != nil && d0(p.Delta.StopReason):
			a.stop = p.Delta.StopReason
		case len(p.Choices) > 0:
			c := p.Choices[0]
			if c.Delta.Content != "" {
				block(0, "text", "").text.WriteString(c.Delta.Content)
			}
			for _, tc := range c.Delta.ToolCalls {
				block(1+tc.Index, "tool_call", tc.Function.Name).text.WriteString(tc.Function.Arguments)
			}
			if c.FinishReason != nil {
				a.stop = *c.FinishReason
			}
		}
	}
	return a
}

func d0(s string) bool { return s != "" }

// frameData extracts the joined data lines of an event from its raw frame.
func frameData(body []byte, e inspect.EventInfo) []byte {
	lo, hi := e.Offset, e.Offset+e.Length
	if lo < 0 || hi > int64(len(body)) || lo > hi {
		return nil
	}
	var out []byte
	for _, line := range strings.Split(strings.ReplaceAll(string(body[lo:hi]), "\r\n", "\n"), "\n") {
		if v, ok := strings.CutPrefix(line, "data:"); ok {
			if len(out) > 0 {
				out = append(out, '\n')
			}
			out = append(out, strings.TrimPrefix(v, " ")...)
		}
	}
	return out
}

// lines renders the assembled message for the detail pane.
func (a *assembled) lines() []string {
	out := []string{fmt.Sprintf("Assembled up to event %d (what the SDK had delivered):", a.upTo+1)}
	if len(a.blocks) == 0 {
		out = append(out, "  (no content delivered yet)")
	}
	for i := range a.blocks {
		b := &a.blocks[i]
		title := fmt.Sprintf("[%d] %s", i, b.kind)
		if b.name != "" {
			title += " " + b.name
		}
		out = append(out, title)
		txt := b.text.String()
		if b.kind == "tool_use" || b.kind == "tool_call" {
			if txt != "" && !json.Valid([]byte(txt)) {
				title += " (input JSON incomplete)"
				out[len(out)-1] = title
			}
		}
		for _, l := range strings.Split(txt, "\n") {
			out = append(out, "  "+l)
		}
	}
	stop := a.stop
	if stop == "" {
		stop = "— (never sent)"
	}
	out = append(out, "stop reason: "+stop)
	if a.errTxt != "" {
		out = append(out, "error: "+a.errTxt)
	}
	out = append(out, "(interim assembler in ui; inspect.Assemble will replace it)")
	return out
}
