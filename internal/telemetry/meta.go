package telemetry

import (
	"encoding/json"
	"io"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// meta is what a span takes from the response stream beyond the verdict:
// the fields the GenAI conventions name. Memory is bounded whatever the
// body's size: one event at a time is decoded, and text is kept (only with
// --otlp-content) up to maxContent bytes.
type meta struct {
	ID            string
	Model         string
	FinishReasons []string
	InputTokens   int64
	OutputTokens  int64
	HasUsage      bool
	Text          []byte // completion text, only when wanted
	TextCut       bool   // Text stopped at maxContent
}

// maxContent bounds each exported prompt or completion (--otlp-content):
// a span is a record, not a copy of the exchange.
const maxContent = 16 << 10

// maxFinish bounds the finish reasons kept (one per choice).
const maxFinish = 8

// event is the union of the fields read from one event's JSON data, across
// the Anthropic Messages, OpenAI Chat Completions and Responses streams.
type event struct {
	Type    string    `json:"type"`
	ID      string    `json:"id"`
	Model   string    `json:"model"`
	Message *respMeta `json:"message"`  // Anthropic message_start
	Resp    *respMeta `json:"response"` // Responses response.*
	Delta   *delta    `json:"delta"`    // Anthropic deltas; Responses text delta is a string (see text)
	Usage   *usage    `json:"usage"`
	Choices []choice  `json:"choices"`
}

type respMeta struct {
	ID     string `json:"id"`
	Model  string `json:"model"`
	Status string `json:"status"`
	Usage  *usage `json:"usage"`
}

type delta struct {
	Text       string `json:"text"`
	StopReason string `json:"stop_reason"`
}

type usage struct {
	InputTokens      *int64 `json:"input_tokens"`
	OutputTokens     *int64 `json:"output_tokens"`
	PromptTokens     *int64 `json:"prompt_tokens"`
	CompletionTokens *int64 `json:"completion_tokens"`
}

type choice struct {
	Index        int     `json:"index"`
	FinishReason *string `json:"finish_reason"`
	Delta        *struct {
		Content string `json:"content"`
	} `json:"delta"`
}

// scanMeta reads the response body of v's exchange one event at a time.
// Events that are not JSON are skipped: the verdict already judged them.
func scanMeta(v *inspect.Verdict, wantText bool) meta {
	var m meta
	x := v.Exchange
	if x == nil || x.BodyLen() == 0 || v.Events.Len() == 0 {
		return m
	}
	dec := stream.NewDecoder(x.BodyReader())
	for {
		e, err := dec.Next()
		if err == io.EOF || err != nil {
			break
		}
		if e.Unterminated || len(e.Data) == 0 || e.Data[0] != '{' {
			continue
		}
		m.apply(e.Data, v.Provider, wantText)
	}
	return m
}

// apply folds one event's data into m.
func (m *meta) apply(data []byte, p inspect.Provider, wantText bool) {
	var ev event
	if json.Unmarshal(data, &ev) != nil {
		// The Responses text delta is a string "delta", which does not fit
		// the Anthropic object: read it alone.
		if wantText && p == inspect.ProviderOpenAIResponses {
			var s struct {
				Type  string `json:"type"`
				Delta string `json:"delta"`
			}
			if json.Unmarshal(data, &s) == nil && s.Type == "response.output_text.delta" {
				m.text(s.Delta)
			}
		}
		return
	}
	for _, r := range []*respMeta{ev.Message, ev.Resp} {
		if r == nil {
			continue
		}
		setOnce(&m.ID, r.ID)
		setOnce(&m.Model, r.Model)
		if r.Status != "" && r.Status != "in_progress" && r.Status != "queued" {
			m.FinishReasons = []string{r.Status}
		}
		m.usage(r.Usage)
	}
	if p == inspect.ProviderOpenAIChat || p == inspect.ProviderOpenRouter {
		setOnce(&m.ID, ev.ID)
		setOnce(&m.Model, ev.Model)
	}
	m.usage(ev.Usage)
	if ev.Delta != nil {
		if ev.Delta.StopReason != "" {
			m.FinishReasons = []string{ev.Delta.StopReason}
		}
		if wantText && ev.Type == "content_block_delta" {
			m.text(ev.Delta.Text)
		}
	}
	for _, c := range ev.Choices {
		if c.FinishReason != nil && *c.FinishReason != "" && len(m.FinishReasons) < maxFinish {
			m.FinishReasons = append(m.FinishReasons, *c.FinishReason)
		}
		if wantText && c.Index == 0 && c.Delta != nil {
			m.text(c.Delta.Content)
		}
	}
}

// usage takes the latest counts: every provider reports them cumulatively.
func (m *meta) usage(u *usage) {
	if u == nil {
		return
	}
	for _, in := range []*int64{u.InputTokens, u.PromptTokens} {
		if in != nil && *in > 0 {
			m.InputTokens, m.HasUsage = *in, true
		}
	}
	for _, out := range []*int64{u.OutputTokens, u.CompletionTokens} {
		if out != nil {
			m.OutputTokens, m.HasUsage = *out, true
		}
	}
}

// text appends completion text up to maxContent bytes.
func (m *meta) text(s string) {
	if m.TextCut || s == "" {
		return
	}
	if room := maxContent - len(m.Text); len(s) > room {
		s, m.TextCut = s[:room], true
	}
	m.Text = append(m.Text, s...)
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
