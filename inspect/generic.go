package inspect

// genericGrammar reads SSE from an unknown API.
type genericGrammar struct{}

func (genericGrammar) id() dialect                             { return dialectGeneric }
func (genericGrammar) name() string                            { return "generic" }
func (genericGrammar) terminator() string                      { return "its terminator" }
func (genericGrammar) owns(p Provider) bool                    { return p == ProviderGeneric }
func (genericGrammar) detect(*sniffed) (detection, bool)       { return detection{}, false }
func (genericGrammar) checker(d *diag) checker                 { return &genericChecker{d: d} }
func (genericGrammar) summary(_, _ string, data []byte) string { return rawSummary(data) }
func (genericGrammar) assemble(*assembler, []byte)             {}

// errorOf reads an event named error or a top-level error object: an
// exact Anthropic type maps by appendix A1, anything else by A4.
func (genericGrammar) errorOf(name, dt string, data []byte) (errInfo, bool) {
	return errorObject(name, dt, data, chatErrorStatus)
}

// genericChecker handles SSE from an unknown API: EOF is its end, and an
// event named "error" or a top-level "error" member is its error.
type genericChecker struct{ d *diag }

func (c *genericChecker) event(i int, ev *evCtx) {
	d, data := c.d, ev.data
	eo := jfield(data, "error")
	if ev.name != "error" && !isObject(eo) {
		return
	}
	if !isObject(eo) {
		eo = data
	}
	typ := jstring(jfield(eo, "type"))
	code := jstring(jfield(eo, "code"))
	msg := jstring(jfield(eo, "message"))
	status := 0
	if s := AnthropicStatus(typ); s != 0 {
		status = s
	} else if typ != "" || code != "" {
		status = OpenAIStatus(code, typ)
	}
	if typ == "" {
		typ = code
	}
	d.setError(i, typ, msg, status)
}

func (c *genericChecker) finish() {
	d := c.d
	if d.err != nil {
		d.errorFinding("G-error-event")
		return
	}
	// A generic stream has no terminator: it is complete when it ended
	// cleanly, so never while it is still arriving, nor when a raw JSON
	// error ended it (rawtail.go).
	d.complete = d.v.EventCount > 0 && !allUnterminated(d.v.Events) && !transportFailed(d.x.End.Reason) && !d.opt.InFlight && d.cutErr == nil
}

func allUnterminated(ev Events) bool { return lastEvent(ev) < 0 }

// lastEvent returns the index of the last dispatched event, -1 if none
// (only the last event of a timeline can be unterminated).
func lastEvent(ev Events) int {
	i := ev.Len() - 1
	for i >= 0 && ev.Meta(i).Unterminated {
		i--
	}
	return i
}
