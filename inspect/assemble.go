package inspect

import (
	"github.com/midstreamhq/midstream/stream"
)

// Message is a stream's response as an SDK would have assembled it from
// the events seen so far (the UI's "assembled view"). For Anthropic it is
// what the SDKs' accumulators build (Go's Message.Accumulate, Python's
// MessageStream): content blocks with concatenated text, thinking and tool
// input, stop_reason and usage. For OpenAI-style streams it is the
// accumulated choice 0 (content, reasoning, tool calls, finish_reason) or
// the Responses output items.
type Message struct {
	Provider     Provider
	ID           string // message id (Anthropic), chunk id (Chat), response id (Responses)
	Model        string
	Role         string
	Blocks       []Block
	StopReason   string // Anthropic stop_reason, OpenAI finish_reason, Responses status; "" until known
	StopSequence string
	Usage        Usage
	// ErrorType and ErrorMessage hold the error the stream carried, if it
	// arrived within the assembled events.
	ErrorType    string
	ErrorMessage string
	// Events is how many events were applied (ignoring those cut before
	// their blank line, which no client sees).
	Events int
	// Truncated says the stream carried more than an assembled view
	// holds (maxAssembled bytes of text, input and signatures, or
	// maxAssembledBlocks blocks): the rest was left out.
	Truncated bool
}

// Block is one content block (Anthropic) or output part (OpenAI-style).
type Block struct {
	Index int    // the stream's index for it (content block index, tool-call index, output index)
	Type  string // text, thinking, redacted_thinking, tool_use, server_tool_use, …; OpenAI: text, reasoning, tool_call
	Text  string // text or thinking so far
	ID    string // tool_use id / tool call id
	Name  string // tool name
	// Input is the tool input as sent: the concatenated partial_json (or
	// the complete input of content_block_start when no deltas came), or
	// the concatenated function arguments. It may be invalid JSON while
	// the block is open.
	Input     string
	Signature string // thinking signature
	Citations int    // citations_delta count
	Complete  bool   // the block was closed (content_block_stop, output_item.done)
}

// Usage is the token usage the stream reported so far (cumulative).
type Usage struct {
	InputTokens              int64
	OutputTokens             int64
	CacheCreationInputTokens int64
	CacheReadInputTokens     int64
}

// Assemble returns the message an SDK would have assembled from events
// 0..upTo of v (all of them when upTo is past the end; none when upTo < 0).
// It decodes the body of v.Exchange again, so the verdict keeps no copy of
// event data.
func Assemble(v *Verdict, upTo int) *Message {
	m := &Message{Provider: v.Provider}
	// Only the events of the timeline count: an HTTP error body is not
	// decoded as a stream.
	upTo = min(upTo, v.Events.Len()-1)
	if v.Exchange == nil || upTo < 0 {
		return m
	}
	a := assembler{m: m, pos: map[int]int{}}
	defer a.flush()
	if looksLikeEventStream(v.Exchange.BodyPrefix(16)) {
		bedrockEvents(v.Exchange, upTo, func(eventType string, data []byte, exc string, payload []byte) {
			m.Events++
			switch {
			case exc != "":
				if m.ErrorType == "" {
					m.ErrorType, m.ErrorMessage = exc, jstring(jfield(payload, "message"))
				}
			case v.Provider == ProviderBedrockConverse:
				a.converse(eventType, payload)
			case data != nil:
				a.anthropic(data)
			}
		})
		return m
	}
	g := grammarOf(dialectNamed(v.Dialect, v.Provider))
	if g.id() == dialectGemini && jsonArrayBody(v.Exchange) {
		arrayEvents(v.Exchange, upTo, func(data []byte) {
			m.Events++
			g.assemble(&a, data)
		})
		return m
	}
	dec := stream.NewDecoder(v.Exchange.BodyReader())
	for i := 0; i <= upTo; i++ {
		e, err := dec.Next()
		if err != nil {
			break
		}
		if e.Unterminated {
			continue
		}
		m.Events++
		g.assemble(&a, e.Data)
	}
	return m
}

// The assembled view is built in memory from an untrusted body: these
// bound it, so a 1 GiB stream of deltas (or of content_block_starts with
// fresh indexes) costs at most this much, not the body's size.
const (
	maxAssembled       = 32 << 20 // bytes of text, input and signatures
	maxAssembledBlocks = 4096     // blocks (Anthropic's index, OpenAI's choices and items)
)

type assembler struct {
	m    *Message
	pos  map[int]int // stream index → position in m.Blocks
	bufs []blockBuf  // parallel to m.Blocks
	size int         // bytes held in bufs, at most maxAssembled

	// Past maxAssembledBlocks, new blocks land here and are dropped.
	spare    Block
	spareBuf blockBuf
}

// assemblePut appends s to a block buffer of a, unless that would take
// the message past maxAssembled: then it marks the message truncated.
func assemblePut[T string | []byte](a *assembler, dst *[]byte, s T) {
	if a.size+len(s) > maxAssembled {
		a.m.Truncated = true
		return
	}
	a.size += len(s)
	*dst = append(*dst, s...)
}

// blockBuf accumulates a block's growing fields; appending to strings
// would copy the whole block again for every delta (quadratic on a long
// tool input), so they become strings once, in flush.
type blockBuf struct{ text, input, sig []byte }

// block returns the block with stream index idx, creating it with typ,
// and its buffers.
func (a *assembler) block(idx int, typ string) (*Block, *blockBuf) {
	if p, ok := a.pos[idx]; ok {
		return &a.m.Blocks[p], &a.bufs[p]
	}
	if len(a.m.Blocks) >= maxAssembledBlocks {
		a.m.Truncated = true
		a.spare, a.spareBuf = Block{Index: idx, Type: typ}, blockBuf{}
		return &a.spare, &a.spareBuf
	}
	a.m.Blocks = append(a.m.Blocks, Block{Index: idx, Type: typ})
	a.bufs = append(a.bufs, blockBuf{})
	p := len(a.m.Blocks) - 1
	a.pos[idx] = p
	return &a.m.Blocks[p], &a.bufs[p]
}

// flush moves the buffers into the blocks.
func (a *assembler) flush() {
	for i := range a.m.Blocks {
		b, f := &a.m.Blocks[i], &a.bufs[i]
		b.Text, b.Input, b.Signature = string(f.text), string(f.input), string(f.sig)
	}
}

func (a *assembler) usage(u []byte) {
	set := func(dst *int64, k string) {
		if n, ok := jint(jfield(u, k)); ok {
			*dst = n
		}
	}
	set(&a.m.Usage.InputTokens, "input_tokens")
	set(&a.m.Usage.OutputTokens, "output_tokens")
	set(&a.m.Usage.CacheCreationInputTokens, "cache_creation_input_tokens")
	set(&a.m.Usage.CacheReadInputTokens, "cache_read_input_tokens")
	set(&a.m.Usage.InputTokens, "prompt_tokens")
	set(&a.m.Usage.OutputTokens, "completion_tokens")
}

func (a *assembler) anthropic(data []byte) {
	m := a.m
	switch jstring(jfield(data, "type")) {
	case "message_start":
		msg := jfield(data, "message")
		m.ID, m.Model, m.Role = jstring(jfield(msg, "id")), jstring(jfield(msg, "model")), jstring(jfield(msg, "role"))
		a.usage(jfield(msg, "usage"))
		// A spliced second message_start starts the message over, as the
		// SDK accumulators do.
		m.Blocks, a.bufs, a.pos, a.size = nil, nil, map[int]int{}, 0
	case "content_block_start":
		idx, _ := jint(jfield(data, "index"))
		cb := jfield(data, "content_block")
		// A repeated index replaces the block, as an accumulator would.
		delete(a.pos, int(idx))
		b, f := a.block(int(idx), jstring(jfield(cb, "type")))
		b.ID, b.Name = jstring(jfield(cb, "id")), jstring(jfield(cb, "name"))
		f.text = f.text[:0]
		assemblePut(a, &f.text, jstring(jfield(cb, "text")))
		assemblePut(a, &f.text, jstring(jfield(cb, "thinking")))
		f.input, f.sig = f.input[:0], f.sig[:0]
		if in := jfield(cb, "input"); isObject(in) && !emptyObject(in) {
			assemblePut(a, &f.input, in)
		}
	case "content_block_delta":
		idx, _ := jint(jfield(data, "index"))
		p, ok := a.pos[int(idx)]
		if !ok {
			return // a delta for a block never started: the SDKs drop or reject it
		}
		b, f := &m.Blocks[p], &a.bufs[p]
		d := jfield(data, "delta")
		switch jstring(jfield(d, "type")) {
		case "text_delta":
			assemblePut(a, &f.text, jstring(jfield(d, "text")))
		case "thinking_delta":
			assemblePut(a, &f.text, jstring(jfield(d, "thinking")))
		case "input_json_delta":
			assemblePut(a, &f.input, jstring(jfield(d, "partial_json")))
		case "signature_delta":
			assemblePut(a, &f.sig, jstring(jfield(d, "signature")))
		case "citations_delta":
			b.Citations++
		}
	case "content_block_stop":
		idx, _ := jint(jfield(data, "index"))
		if p, ok := a.pos[int(idx)]; ok {
			m.Blocks[p].Complete = true
		}
	case "message_delta":
		d := jfield(data, "delta")
		if s, ok := jstr(jfield(d, "stop_reason")); ok {
			m.StopReason = s
		}
		if s, ok := jstr(jfield(d, "stop_sequence")); ok {
			m.StopSequence = s
		}
		a.usage(jfield(data, "usage"))
	case "error":
		a.err(jfield(data, "error"))
	}
}

func (a *assembler) err(e []byte) {
	if a.m.ErrorType != "" || a.m.ErrorMessage != "" {
		return
	}
	a.m.ErrorType = jstring(jfield(e, "type"))
	if a.m.ErrorType == "" {
		if c, ok := jstr(jfield(e, "code")); ok {
			a.m.ErrorType = c
		} else if c := jfield(e, "code"); c != nil && string(c) != "null" {
			a.m.ErrorType = string(c)
		}
	}
	a.m.ErrorMessage = jstring(jfield(e, "message"))
}

func (a *assembler) chat(data []byte) {
	m := a.m
	if !isObject(data) {
		return // [DONE]
	}
	if id := jstring(jfield(data, "id")); id != "" && m.ID == "" {
		m.ID = id
	}
	if s := jstring(jfield(data, "model")); s != "" && m.Model == "" {
		m.Model = s
	}
	if e := jfield(data, "error"); isObject(e) {
		a.err(e)
	}
	if u := jfield(data, "usage"); isObject(u) {
		a.usage(u)
	}
	ch := jfirstElem(jfield(data, "choices"))
	d := jfield(ch, "delta")
	if r := jstring(jfield(d, "role")); r != "" {
		m.Role = r
	}
	for _, k := range []string{"reasoning", "reasoning_content"} {
		if t := jstring(jfield(d, k)); t != "" {
			_, f := a.block(-2, "reasoning")
			assemblePut(a, &f.text, t)
		}
	}
	if t := jstring(jfield(d, "content")); t != "" {
		_, f := a.block(-1, "text")
		assemblePut(a, &f.text, t)
	}
	jelems(jfield(d, "tool_calls"), func(tc []byte) {
		n, _ := jint(jfield(tc, "index"))
		b, buf := a.block(int(n), "tool_call")
		if id := jstring(jfield(tc, "id")); id != "" {
			b.ID = id
		}
		f := jfield(tc, "function")
		if name := jstring(jfield(f, "name")); name != "" {
			b.Name = name
		}
		assemblePut(a, &buf.input, jstring(jfield(f, "arguments")))
	})
	if fr, ok := jstr(jfield(ch, "finish_reason")); ok && fr != "" {
		m.StopReason = fr
		if fr == "error" || AnthropicStatus(fr) != 0 {
			if m.ErrorType == "" {
				m.ErrorType = fr
			}
		}
		for i := range m.Blocks {
			m.Blocks[i].Complete = true
		}
	}
}

func (a *assembler) responses(data []byte) {
	m := a.m
	out, _ := jint(jfield(data, "output_index"))
	switch t := jstring(jfield(data, "type")); t {
	case "response.created", "response.in_progress":
		r := jfield(data, "response")
		m.ID, m.Model = jstring(jfield(r, "id")), jstring(jfield(r, "model"))
	case "response.output_item.added":
		item := jfield(data, "item")
		typ := jstring(jfield(item, "type"))
		if typ == "message" {
			typ = "text"
			m.Role = jstring(jfield(item, "role"))
		}
		b, _ := a.block(int(out), typ)
		b.ID, b.Name = jstring(jfield(item, "call_id")), jstring(jfield(item, "name"))
	case "response.output_text.delta", "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		typ := "text"
		if t != "response.output_text.delta" {
			typ = "reasoning"
		}
		_, f := a.block(int(out), typ)
		assemblePut(a, &f.text, jstring(jfield(data, "delta")))
	case "response.function_call_arguments.delta":
		_, f := a.block(int(out), "function_call")
		assemblePut(a, &f.input, jstring(jfield(data, "delta")))
	case "response.output_item.done":
		if p, ok := a.pos[int(out)]; ok {
			m.Blocks[p].Complete = true
		}
	case "response.completed", "response.incomplete", "response.failed":
		r := jfield(data, "response")
		m.StopReason = jstring(jfield(r, "status"))
		a.usage(jfield(r, "usage"))
		if e := jfield(r, "error"); isObject(e) {
			a.err(e)
		}
	case "error":
		if e := jfield(data, "error"); isObject(e) {
			a.err(e)
		} else if m.ErrorType == "" && m.ErrorMessage == "" {
			// The documented event: code and message at the top level.
			m.ErrorType, m.ErrorMessage = jstring(jfield(data, "code")), jstring(jfield(data, "message"))
		}
	}
}

func emptyObject(b []byte) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	return i < len(b) && b[i] == '}'
}
