package inspect

import "fmt"

// Dialects: the grammar a stream is read with. A dialect follows the
// stream's shape, not its host: an OpenRouter, Azure or LiteLLM stream
// whose events are Responses-shaped (response.*) is read with Responses
// rules, whatever its URL says; the host stays in Verdict.Provider and
// Verdict.Gateway. Each dialect lives in its own file (anthropic.go,
// openai_chat.go, openai_responses.go, gemini.go, generic.go) and is one
// row of dialectTable below: adding a dialect is one file, one id and one
// row.

// dialect identifies a grammar; entries of the timeline keep it (one
// byte) to derive their summaries on demand.
type dialect uint8

// The dialect ids. dialectBedrock is no grammar: it marks a binary
// event-stream frame on the timeline, whose embedded events are read with
// the Anthropic grammar.
const (
	dialectGeneric dialect = iota
	dialectAnthropic
	dialectChat
	dialectResponses
	dialectBedrock
	dialectGemini
	dialectConverse
)

// grammar is one stream dialect. Implementations are stateless values;
// the state of one diagnosis lives in the checker they return.
type grammar interface {
	// id is the dialect's id (the timeline entries' dialect byte).
	id() dialect
	// name is the dialect's name in reports (Verdict.Dialect).
	name() string
	// owns reports whether p's streams are read with this grammar when
	// their shape names none (the provider's native dialect).
	owns(p Provider) bool
	// detect recognises one leading event by its shape. final is false
	// for a shape later events may still refine (a plain chat chunk may
	// turn out OpenRouter's). det.shape is set when the shape names this
	// grammar beyond doubt (an Anthropic error type alone does not: a
	// gateway may pass it through inside another dialect). A zero
	// detection means the shape is not this dialect's.
	detect(e *sniffed) (det detection, final bool)
	// checker returns the per-event checks of one diagnosis; its finish
	// runs once after the last event and sets d.complete / d.err.
	checker(d *diag) checker
	// errorOf reads the error an event's data carries, as the checker
	// would, without checker state: for a frame no client dispatched
	// (cut before its blank line) and for a raw JSON error tail. ok is
	// false when the data is no error.
	errorOf(name, dataType string, data []byte) (e errInfo, ok bool)
	// summary is an event's one-line summary (text snippet, stop
	// reason, error type), derived from its data alone.
	summary(name, dataType string, data []byte) string
	// assemble folds one dispatched event's data into the message.
	assemble(a *assembler, data []byte)
	// terminator names what ends a successful stream of this dialect.
	terminator() string
}

// errInfo is the error an event carries: its type (or code), message,
// the status it stands for (0 when unknown) and whether it is the
// spend-cap 429.
type errInfo struct {
	typ, msg string
	status   int
	spendCap bool
	// rawType and code are the error object's "type" and "code" as sent,
	// for a host's own table (hosts.go).
	rawType, code string
}

// hostStatus lets an OpenAI-compatible host's documented codes decide the
// status of a chat or generic error (hosts.go).
func (d *diag) hostStatus(e errInfo) errInfo {
	if d.dialect != dialectChat && d.dialect != dialectGeneric {
		return e
	}
	if s := hostErrorStatus(d.v.Host, e.code, e.rawType); s != 0 {
		e.status = s
	}
	return e
}

// dialectTable lists the grammars in detection order: an event is tried
// against each in turn and the first sure match names the dialect. The
// typed shapes (response.*, message_*, Gemini's candidates) come before
// the chat chunk, whose only mark is a "choices" or "error" member.
var dialectTable = []grammar{
	responsesGrammar{},
	anthropicGrammar{},
	geminiGrammar{},
	chatGrammar{},
	converseGrammar{},
	genericGrammar{},
}

// grammars indexes dialectTable by id.
var grammars = func() (g [256]grammar) {
	for _, d := range dialectTable {
		g[d.id()] = d
	}
	return g
}()

// grammarOf returns the grammar of id; the generic one for an id that
// names none (dialectBedrock).
func grammarOf(id dialect) grammar {
	if g := grammars[id]; g != nil {
		return g
	}
	return genericGrammar{}
}

// dialectOf is the native dialect of provider p.
func dialectOf(p Provider) dialect {
	for _, g := range dialectTable {
		if g.owns(p) {
			return g.id()
		}
	}
	return dialectGeneric
}

// shapeMatch is what the first grammar (in dialectTable order) that
// recognises one event's shape says of it: final is false for a shape
// later events may refine.
type shapeMatch struct {
	det   detection
	final bool
}

// matchShape returns the shape match of e; ok is false when no grammar
// recognises it. Sniffing keeps only this, never the event's data.
func matchShape(e *sniffed) (m shapeMatch, ok bool) {
	for _, g := range dialectTable {
		det, final := g.detect(e)
		if det.provider == "" {
			continue
		}
		det.dialect = g.id()
		return shapeMatch{det: det, final: final}, true
	}
	return shapeMatch{}, false
}

// shapeOf returns the detection the events' shape matches imply: the
// first final match, else the first tentative one, refined by a later one
// of the same dialect (OpenRouter's "provider" label or "gen-" id on a
// later chat chunk); zero when no shape is known. sure says the shape
// names the grammar beyond doubt (detection.shape), whatever URL and
// headers say.
func shapeOf(matches []shapeMatch) (det detection, sure bool) {
	var tentative detection
	for _, m := range matches {
		det := m.det
		if m.final && tentative.provider != "" && det.dialect != tentative.dialect {
			// A chat stream carrying, say, a Google-shaped error
			// chunk stays a chat stream.
			continue
		}
		if m.final {
			return det, det.shape
		}
		if tentative.provider == "" || tentative.provider == ProviderOpenAIChat {
			tentative = det
		}
	}
	return tentative, tentative.shape
}

// newChecker sets the diagnosis' dialect from its detection and returns
// the dialect's checker.
func (d *diag) newChecker() checker {
	g := grammarOf(d.dialect)
	d.v.Dialect = g.name()
	return g.checker(d)
}

// dialectNamed returns the id of the dialect a verdict names (its Dialect
// field), or provider p's own when the name is empty or unknown (a
// verdict built by hand).
func dialectNamed(name string, p Provider) dialect {
	for _, g := range dialectTable {
		if g.name() == name {
			return g.id()
		}
	}
	return dialectOf(p)
}

// errorFinding adds the finding for the error event the checker found.
func (d *diag) errorFinding(code string) {
	e := d.err
	st := "an unknown status"
	if d.errStatus != 0 {
		st = fmt.Sprint(d.errStatus)
	}
	name := e.Type
	if name == "" {
		name = "error without a type"
	}
	title := fmt.Sprintf("In-stream %s after HTTP %d: stands for %s", name, d.v.HTTPStatus, st)
	detail := fmt.Sprintf("Event %d carries %s", e.EventIndex+1, name)
	if e.Message != "" {
		detail += fmt.Sprintf(" (%q)", oneLine(red(e.Message), 160))
	}
	if d.dialect == dialectGemini {
		detail += fmt.Sprintf(" after the server answered HTTP %d, so a retry keyed on the HTTP status never sees %s (the SDK section says what each Gen AI SDK raises).", d.v.HTTPStatus, st)
	} else {
		detail += fmt.Sprintf(" after the server answered HTTP %d, so SDKs report status %d or none and their retry on %s never fires.", d.v.HTTPStatus, d.v.HTTPStatus, st)
	}
	if d.errStatus == 0 && e.Type != "" {
		detail += " The type is not in the docs (unknown; infer from its name)."
	}
	if e.OutputBeforeError {
		detail += " Content had already been delivered, so a retry must discard it."
	} else {
		detail += " No content was delivered before it."
	}
	d.f.add(code, SeverityError, title, detail, e.EventIndex)
}
