package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/stream"
)

// detail shows the selected row: the raw frame with control characters
// visible and its pretty-printed JSON, or the assembled message.
type detail struct {
	textPane  // wrapped, sanitised, styled and fitted content
	styles    *Styles
	key       rowKey
	assembled bool
	asm       *assembled // for asmFor, when it matches
	// want names the raw bytes the content needs and wanting says they
	// are not loaded yet: the pane shows a placeholder until they are
	// (Model.requestFrame loads them in a command).
	want    frameKey
	wanting bool
	frames  *frameCache // the model's
}

// setContent builds the lines for row k of st. Called on selection change
// and on resize only, never per frame.
func (d *detail) setContent(st *exchangeState, k rowKey) {
	if d.key != k {
		d.top = 0
	}
	d.key = k
	d.wanting = false
	var raw []string
	if k.kind == rowEvent && k.ev < st.events.Len() {
		if d.assembled {
			if d.asm != nil && d.asm.upTo == k.ev {
				raw = d.asm.lines()
			} else {
				raw = []string{"Assembling up to event " + fmt.Sprint(k.ev+1) + "… (needs the diagnosis)"}
			}
		} else {
			raw = eventLines(st, k.ev, d.frame(st, func() (frameKey, bool) { return st.eventFrame(k.ev) }))
		}
	} else {
		raw = milestoneLines(st, k.kind, func() frameView { return d.frame(st, st.bodyFrame) })
	}
	d.lines = d.lines[:0]
	w := max(1, d.w-1)
	for _, l := range raw {
		l = oneLine(l) // tabs become spaces; control pictures pass through
		if width(l) <= w {
			d.lines = append(d.lines, l)
			continue
		}
		d.lines = append(d.lines, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
	}
	for i, l := range d.lines {
		d.lines[i] = d.styles.Value.Render(fit(l, d.w))
	}
	d.scroll(0)
}

// frameView is what the detail pane has of some raw bytes: loading,
// loaded (b, maybe empty) or failed to read (err).
type frameView struct {
	loading bool
	b       []byte
	err     error
}

// frame returns the cached bytes name names, or records that the pane
// wants them (and shows loading) when they are not loaded yet.
func (d *detail) frame(st *exchangeState, name func() (frameKey, bool)) frameView {
	k, ok := name()
	if !ok {
		return frameView{}
	}
	if f, ok := d.frames.get(k); ok {
		return frameView{b: f.b, err: f.err}
	}
	d.want, d.wanting = k, true
	return frameView{loading: true}
}

// frameLines are the lines of the raw bytes f under its heading, or
// what stands in for them.
func frameLines(f frameView, indent string) []string {
	switch {
	case f.loading:
		return []string{indent + "loading…"}
	case f.err != nil:
		return []string{indent + "✗ reading the body: " + stream.RedactText(f.err.Error())}
	}
	var out []string
	for _, l := range visibleFrame([]byte(stream.RedactText(string(f.b)))) {
		out = append(out, indent+l)
	}
	return out
}

func eventLines(st *exchangeState, i int, f frameView) []string {
	e := st.events.At(i)
	head := fmt.Sprintf("Event %d of %d · %s · byte %d · %s", i+1, st.events.Len(), e.Type, e.Offset, fmtSize(e.Length))
	if st.x.Timed {
		head += " · +" + fmtDur(e.At)
	}
	out := []string{head}
	if e.Comments > 0 {
		out = append(out, fmt.Sprintf("%d comment line(s) (keepalives) before it", e.Comments))
	}
	if e.Unterminated {
		out = append(out, "Unterminated: the body ended inside this frame; clients discard it.")
	}
	out = append(out, "", "Raw frame:")
	out = append(out, frameLines(f, "  ")...)
	if f.loading || f.err != nil {
		return out
	}
	raw := f.b
	if !e.Raw {
		raw = frameData(raw)
	}
	data := []byte(stream.RedactText(string(raw)))
	if len(data) > 0 && (data[0] == '{' || data[0] == '[') {
		var pretty bytes.Buffer
		if json.Indent(&pretty, data, "", "  ") == nil {
			out = append(out, "", "JSON:")
			for _, l := range strings.Split(pretty.String(), "\n") {
				out = append(out, "  "+l)
			}
		} else {
			out = append(out, "", "Data is not valid JSON.")
		}
	}
	return out
}

// milestoneLines are the lines of a milestone row; body gives the start
// of a body that is not a stream, for the headers row.
func milestoneLines(st *exchangeState, k rowKind, body func() frameView) []string {
	x := st.x
	if x == nil {
		return nil
	}
	switch k {
	case rowRequest:
		if x.Request == nil {
			return []string{"No request recorded."}
		}
		r := x.Request
		out := []string{"Request: " + r.Method + " " + stream.RedactURL(r.URL), ""}
		return append(out, headerLines(stream.RedactHeader(r.Header))...)
	case rowHeaders:
		r := x.Response
		out := []string{fmt.Sprintf("Response: %s %d %s", r.Proto, r.Status, r.StatusText)}
		if x.Timed {
			out = append(out, "headers after +"+fmtDur(r.At))
		}
		out = append(out, "")
		out = append(out, headerLines(stream.RedactHeader(r.Header))...)
		if st.events.Len() == 0 && x.BodyLen() > 0 {
			// Not a stream (an error document): the body is the detail.
			// Its start only, should it be huge.
			out = append(out, "", "Body:")
			out = append(out, frameLines(body(), "")...)
		}
		return out
	case rowFirstByte:
		first, _, _ := x.ChunkTimes()
		return []string{"First body byte after +" + fmtDur(first), fmt.Sprintf("%d chunks, %s body", x.ChunkCount(), fmtSize(x.BodyLen()))}
	case rowEnd:
		out := []string{"End of stream: " + endText(x.End)}
		if x.Timed {
			out = append(out, "at +"+fmtDur(x.End.At))
		}
		for _, n := range x.Notes {
			out = append(out, stream.RedactText(n))
		}
		return out
	}
	return nil
}

func headerLines(h map[string][]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, k+": "+v)
		}
	}
	return out
}

// frameData is the data of the event in frame, read by the wire decoder so
// that every SSE line ending and field form is honoured.
func frameData(frame []byte) []byte {
	ev, err := stream.NewDecoder(bytes.NewReader(frame)).Next()
	if err != nil {
		return nil
	}
	return ev.Data
}
