package inspect

import (
	"errors"
	"io"
)

// Diagnosis is a whole report: the verdicts of every exchange read.
type Diagnosis struct {
	ToolVersion string
	Exchanges   []*Verdict
}

// WriteText writes the terminal report.
//
// PLACEHOLDER(#3).
func WriteText(w io.Writer, d *Diagnosis) error { return errors.New("text report not available yet") }

// WriteMarkdown writes the bug-report-ready Markdown report.
//
// PLACEHOLDER(#3).
func WriteMarkdown(w io.Writer, d *Diagnosis) error {
	return errors.New("markdown report not available yet")
}

// WriteJSON writes the midstream.diagnosis/v1 JSON report.
//
// PLACEHOLDER(#3).
func WriteJSON(w io.Writer, d *Diagnosis) error { return errors.New("json report not available yet") }
