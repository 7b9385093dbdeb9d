package inspect

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// SchemaDiagnosis names the JSON report's schema.
const SchemaDiagnosis = "midstream.diagnosis/v1"

// Diagnosis is a whole report: the verdicts of every exchange read.
type Diagnosis struct {
	ToolVersion string
	Exchanges   []*Verdict
	// Runtime describes where the tool ran, e.g. "go1.26.8 linux/amd64";
	// empty means this process's runtime (tests set it for stable output).
	Runtime string
}

func (d *Diagnosis) runtime() string {
	if d.Runtime != "" {
		return d.Runtime
	}
	return runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// HasError reports whether any exchange has an error-severity finding;
// `midstream diagnose` exits 1 when it does.
func (d *Diagnosis) HasError() bool {
	for _, v := range d.Exchanges {
		for _, f := range v.Findings {
			if f.Severity == SeverityError {
				return true
			}
		}
	}
	return false
}

// HasMismatch reports whether any exchange's verdict is a MISMATCH: the
// HTTP status disagrees with how the stream ended. Such a verdict fails
// diagnose whatever the severities of its findings.
func (d *Diagnosis) HasMismatch() bool {
	for _, v := range d.Exchanges {
		if v.Mismatch {
			return true
		}
	}
	return false
}

// The JSON report mirrors schema midstream.diagnosis/v1 field by field, in
// its order, with null wherever the schema allows it. Every string that
// can hold user data passes through redaction.
type jsonDiagnosis struct {
	Schema      string         `json:"schema"`
	ToolVersion string         `json:"tool_version"`
	Exchanges   []jsonExchange `json:"exchanges"`
}

type jsonExchange struct {
	Source   string `json:"source"`
	Injected string `json:"injected,omitempty"` // the fault midstream injected (serve/proxy --inject)
	// InjectedFired and InjectedEvent: whether and at which event (0: in
	// place of the response) the injected fault fired, when the capture
	// says (stream.End.Fired); absent otherwise.
	InjectedFired     *bool         `json:"injected_fired,omitempty"`
	InjectedEvent     *int          `json:"injected_event,omitempty"`
	InjectedAfterLast bool          `json:"injected_after_last,omitempty"`
	Provider          Provider      `json:"provider"`
	Dialect           string        `json:"dialect"`
	Host              string        `json:"host,omitempty"` // the host or gateway, apart from the dialect
	Request           *jsonRequest  `json:"request"`
	RequestID         *string       `json:"request_id"`
	HTTPStatus        *int          `json:"http_status"`
	HTTPStatusAssumed bool          `json:"http_status_assumed"`
	MappedStatus      *int          `json:"mapped_status"`
	Mismatch          bool          `json:"mismatch"`
	Outcome           Outcome       `json:"outcome"`
	Error             *jsonError    `json:"error"`
	EventCount        int           `json:"event_count"`
	Timing            *jsonTiming   `json:"timing"`
	Findings          []jsonFinding `json:"findings"`
	SDK               *jsonSDK      `json:"sdk"`
}

type jsonRequest struct {
	Method string  `json:"method"`
	URL    string  `json:"url"`
	Model  *string `json:"model"` // null when the request body named none
}

type jsonError struct {
	Type              string `json:"type"`
	Message           string `json:"message"`
	EventIndex        *int   `json:"event_index"` // null for an HTTP error before any event
	Retryable         bool   `json:"retryable"`
	OutputBeforeError bool   `json:"output_before_error"`
}

type jsonTiming struct {
	TTFB         *float64 `json:"ttfb_ms"`
	FirstContent *float64 `json:"first_content_ms"`
	Duration     *float64 `json:"duration_ms"`
	MaxGap       *float64 `json:"max_gap_ms"`
}

type jsonFinding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
	Events   []int    `json:"event_indexes"`
	Fixes    []string `json:"fixes"`
}

type jsonSDK struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	DetectedFrom   string `json:"detected_from"`
	Raises         string `json:"raises"`
	StatusReported *int   `json:"status_reported"`
	ErrorTypeAt    string `json:"error_type_at"`
	BuiltinRetry   bool   `json:"builtin_retry"`
	Advice         string `json:"advice"`
}

// red is the redaction every report applies to free text.
func red(s string) string { return stream.RedactText(s) }

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// ms converts a duration to milliseconds with microsecond precision.
func ms(d time.Duration) *float64 {
	f := math.Round(float64(d)/float64(time.Microsecond)) / 1000
	return &f
}

// WriteJSON writes the midstream.diagnosis/v1 JSON report. Strings keep
// their values exactly, but DEL, C1 controls and bidi or other format
// characters are written as \u escapes (stream.SafeJSON), like the C0
// controls encoding/json escapes itself: the report is often read on a
// terminal, with cat or jq.
func WriteJSON(w io.Writer, d *Diagnosis) error {
	out := jsonDiagnosis{Schema: SchemaDiagnosis, ToolVersion: d.ToolVersion, Exchanges: []jsonExchange{}}
	for _, v := range d.Exchanges {
		out.Exchanges = append(out.Exchanges, toJSON(v))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(stream.SafeJSON(b.Bytes()))
	return err
}

func toJSON(v *Verdict) jsonExchange {
	x := jsonExchange{
		Source:            red(v.Source),
		Provider:          v.Provider,
		Dialect:           dialectName(v),
		Host:              red(hostLabel(v)),
		HTTPStatus:        nonZero(v.HTTPStatus),
		HTTPStatusAssumed: v.HTTPStatusAssumed,
		MappedStatus:      nonZero(v.MappedStatus),
		Mismatch:          v.Mismatch,
		Outcome:           v.Outcome,
		EventCount:        v.EventCount,
		Findings:          []jsonFinding{},
	}
	if v.Exchange != nil && v.Exchange.Injected != "" {
		x.Injected = red(v.Exchange.Injected)
		if f := v.Exchange.End.Fired; f != nil {
			x.InjectedFired = &f.Fired
			if f.Fired {
				ev := f.Event
				x.InjectedEvent, x.InjectedAfterLast = &ev, f.AfterLast
			}
		}
	}
	if v.Request != nil {
		x.Request = &jsonRequest{Method: v.Request.Method, URL: stream.RedactURL(v.Request.URL)}
		if v.Request.Model != "" {
			m := red(v.Request.Model)
			x.Request.Model = &m
		}
	}
	if v.RequestID != "" {
		id := red(v.RequestID)
		x.RequestID = &id
	}
	if e := v.Error; e != nil {
		je := &jsonError{Type: red(e.Type), Message: red(e.Message), Retryable: e.Retryable, OutputBeforeError: e.OutputBeforeError}
		if e.EventIndex >= 0 {
			i := e.EventIndex
			je.EventIndex = &i
		}
		x.Error = je
	}
	if t := v.Timing; t != nil {
		jt := &jsonTiming{TTFB: ms(t.TTFB), Duration: ms(t.Duration), MaxGap: ms(t.MaxGap)}
		if t.FirstContent > 0 {
			jt.FirstContent = ms(t.FirstContent)
		}
		x.Timing = jt
	}
	for _, f := range v.Findings {
		jf := jsonFinding{Code: f.Code, Severity: f.Severity, Title: red(f.Title), Detail: red(f.Detail), Events: f.Events, Fixes: []string{}}
		if jf.Events == nil {
			jf.Events = []int{}
		}
		for _, fx := range f.Fixes {
			jf.Fixes = append(jf.Fixes, red(fx))
		}
		x.Findings = append(x.Findings, jf)
	}
	if a := v.SDK; a != nil {
		x.SDK = &jsonSDK{Name: a.Name, Version: red(a.Version), DetectedFrom: a.DetectedFrom, Raises: a.Raises,
			StatusReported: a.StatusReported, ErrorTypeAt: a.ErrorTypeAt, BuiltinRetry: a.BuiltinRetry, Advice: red(a.Advice)}
	}
	return x
}
