package inspect

import (
	"fmt"
	"strings"
)

// findings collects findings, merging repeats of one code into a single
// finding that lists every event (up to maxEventRefs) and counts the rest,
// so a million malformed events yield one finding, not a million.
type findings struct {
	byKey map[string]*Finding
	count map[string]int
	order []string
	// pin, when set, keeps an event a finding lists on a windowed
	// timeline: the first event of each code with context around it.
	pin func(i int, context bool)
}

// maxEventRefs caps the event indexes one finding lists.
const maxEventRefs = 50

func newFindings() *findings {
	return &findings{byKey: map[string]*Finding{}, count: map[string]int{}}
}

// add records a finding; a second add with the same code only appends its
// events.
func (fs *findings) add(code string, sev Severity, title, detail string, events ...int) *Finding {
	if f, ok := fs.byKey[code]; ok {
		fs.count[code]++
		for _, e := range events {
			if len(f.Events) < maxEventRefs {
				f.Events = append(f.Events, e)
				if fs.pin != nil {
					fs.pin(e, false)
				}
			}
		}
		return f
	}
	if fs.pin != nil {
		for k, e := range events[:min(len(events), maxEventRefs)] {
			fs.pin(e, k == 0)
		}
	}
	// The first add is capped like the later ones: a caller may pass
	// every event it saw (one per stall, say).
	f := &Finding{Code: code, Severity: sev, Title: title, Detail: detail, Events: append([]int{}, events[:min(len(events), maxEventRefs)]...)}
	fs.byKey[code] = f
	fs.count[code] = 1
	fs.order = append(fs.order, code)
	return f
}

func (fs *findings) has(code string) bool { _, ok := fs.byKey[code]; return ok }

// remove drops a finding that turned out not to apply.
func (fs *findings) remove(code string) {
	if _, ok := fs.byKey[code]; !ok {
		return
	}
	delete(fs.byKey, code)
	delete(fs.count, code)
	for i, c := range fs.order {
		if c == code {
			fs.order = append(fs.order[:i], fs.order[i+1:]...)
			break
		}
	}
}

// list returns the findings, most severe first (stable within a severity),
// each with its fixes.
func (fs *findings) list(v *Verdict) []Finding {
	out := make([]Finding, 0, len(fs.order))
	for _, sev := range []Severity{SeverityError, SeverityWarning, SeverityInfo} {
		for _, code := range fs.order {
			f := fs.byKey[code]
			if f.Severity != sev {
				continue
			}
			if n := fs.count[code]; n > 1 {
				f.Detail = strings.TrimRight(f.Detail, ".") + fmt.Sprintf(". (%d occurrences", n)
				if n > len(f.Events) {
					f.Detail += fmt.Sprintf("; the first %d are listed", len(f.Events))
				}
				f.Detail += ".)"
			}
			f.Fixes = fixesFor(f.Code, v)
			out = append(out, *f)
		}
	}
	return out
}
