package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
)

// assembled is the message as an SDK would have assembled it from the
// events up to and including upTo (inspect.Assemble): what had been
// delivered before the error.
type assembled struct {
	upTo int
	msg  *inspect.Message
}

// lines renders the assembled message for the detail pane.
func (a *assembled) lines() []string {
	m := a.msg
	out := []string{fmt.Sprintf("Assembled from events 1–%d (what an SDK had delivered):", a.upTo+1)}
	if m.Model != "" || m.ID != "" {
		out = append(out, strings.TrimSpace("model "+m.Model+"  id "+m.ID))
	}
	if len(m.Blocks) == 0 {
		out = append(out, "  (no content delivered yet)")
	}
	for _, b := range m.Blocks {
		title := fmt.Sprintf("[%d] %s", b.Index, b.Type)
		if b.Name != "" {
			title += " " + b.Name
		}
		if !b.Complete {
			title += " (open: never closed)"
		}
		out = append(out, title)
		txt := b.Text
		if b.Input != "" {
			txt = b.Input
			if !json.Valid([]byte(b.Input)) {
				out[len(out)-1] += " · input JSON incomplete"
			}
		}
		for _, l := range strings.Split(txt, "\n") {
			out = append(out, "  "+l)
		}
	}
	stop := m.StopReason
	if stop == "" {
		stop = "— (never sent)"
	}
	out = append(out, "stop reason: "+stop)
	if m.Usage.OutputTokens > 0 || m.Usage.InputTokens > 0 {
		out = append(out, fmt.Sprintf("usage: %d in, %d out", m.Usage.InputTokens, m.Usage.OutputTokens))
	}
	if m.ErrorType != "" {
		out = append(out, "error: "+m.ErrorType+": "+m.ErrorMessage)
	}
	return out
}
