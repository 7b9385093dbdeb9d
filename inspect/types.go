// Package inspect holds midstream's semantics: it detects the provider of a
// captured stream, maps an in-stream error to the HTTP status it stands
// for, checks the stream's grammar, says what the user's SDK will raise and
// how to fix it, and renders reports. It is pure: exchanges in, verdicts
// out, no terminal or UI imports.
package inspect

import (
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// Provider is the API family a stream comes from.
type Provider string

// The providers midstream knows.
const (
	ProviderAnthropic       Provider = "anthropic"
	ProviderOpenAIChat      Provider = "openai-chat"
	ProviderOpenAIResponses Provider = "openai-responses"
	ProviderOpenRouter      Provider = "openrouter"
	// ProviderBedrockConverse is Amazon Bedrock's ConverseStream: binary
	// event-stream frames carrying Converse events for any model
	// (gateway "bedrock").
	ProviderBedrockConverse Provider = "bedrock-converse"
	// ProviderGemini is the Gemini API and Gemini on Vertex AI (gateway
	// "vertex").
	ProviderGemini  Provider = "gemini"
	ProviderGeneric Provider = "generic"
)

// Outcome is how an exchange ended, as the user should read it.
type Outcome string

// The outcomes.
const (
	OutcomeComplete       Outcome = "complete"
	OutcomeErrorEvent     Outcome = "error_event"
	OutcomeTruncated      Outcome = "truncated"
	OutcomeTransportError Outcome = "transport_error"
	OutcomeHTTPError      Outcome = "http_error"
	OutcomeEmpty          Outcome = "empty"
	// OutcomeInFlight: the body is still arriving (Options.InFlight) and
	// nothing so far decides the outcome; no mismatch follows from it.
	OutcomeInFlight Outcome = "in_flight"
	// OutcomeNoResponse: the request got no HTTP response at all (refused,
	// DNS, TLS, timeout or reset before the headers): there is no status
	// to compare, so no mismatch either.
	OutcomeNoResponse Outcome = "no_response"
	// OutcomeCanceled: the user stopped the exchange (Ctrl-C in live,
	// quitting the inspector): their own act, not a failure of the stream.
	OutcomeCanceled Outcome = "canceled"
)

// Severity ranks a finding.
type Severity string

// The severities, most serious first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Options tune Diagnose.
type Options struct {
	// Status overrides the HTTP status of an exchange whose capture did not
	// record one (0: assume 200).
	Status int
	// SDK, when set, is the SDK the user names with --sdk; it wins over
	// the one detected from request headers.
	SDK *SDKRef
	// StallThreshold is the gap between events above which a stall is
	// reported (0: the default, 10s).
	StallThreshold time.Duration
	// Window, when above 0, bounds the timeline a verdict keeps for a
	// caller that only renders reports (diagnose, the proxy): the first
	// Window events, the last Window, and Window on each side of the
	// error, of the first event of each finding and of the stream's
	// terminator; and each event a finding lists. Counts, timing and
	// findings still cover every event, and reports render as with the
	// full timeline. Values below 8 count as 8. 0 keeps every event.
	Window int
	// InFlight says the exchange is a snapshot of a body still arriving
	// (the interim diagnoses of live and proxy): a missing terminator is
	// then no truncation, and the outcome is OutcomeInFlight until an
	// error event, a terminator or an HTTP error decides it.
	InFlight bool
}

// ReportWindow is the Options.Window of callers that only render reports
// or one-line summaries: their memory no longer grows with the stream.
const ReportWindow = 16

// SDKRef names an SDK and version, e.g. anthropic-python@0.121.0.
type SDKRef struct {
	Name    string // anthropic-python, anthropic-typescript, anthropic-go, anthropic-java, vercel-ai, openai-python, openai-node, openai-go
	Version string // "" when unknown
}

// Verdict is everything midstream concludes about one exchange. Its JSON
// form is one element of "exchanges" in schema midstream.diagnosis/v1.
type Verdict struct {
	Source   string   `json:"source"`
	Provider Provider `json:"provider"`
	// Dialect names the grammar the stream was read with: "anthropic",
	// "openai-chat", "openai-responses", "gemini", "bedrock-converse" or
	// "generic" (dialectTable). It follows the stream's shape, so it may
	// differ from what Provider implies: an OpenRouter stream of
	// Responses events is "openai-responses".
	Dialect           string       `json:"dialect"`
	Request           *RequestInfo `json:"request"`
	RequestID         string       `json:"-"`
	HTTPStatus        int          `json:"-"` // 0 when unknown and not assumed
	HTTPStatusAssumed bool         `json:"http_status_assumed"`
	MappedStatus      int          `json:"-"` // 0 when the stream stands for no error status
	Mismatch          bool         `json:"mismatch"`
	Outcome           Outcome      `json:"outcome"`
	Error             *StreamError `json:"error"`
	EventCount        int          `json:"event_count"`
	Timing            *Timing      `json:"timing"`
	Findings          []Finding    `json:"findings"`
	SDK               *SDKAnswer   `json:"sdk"`

	// Model is the model the exchange used: the request body's "model",
	// else the one the stream names (message_start, chunk "model"); "" if
	// neither says. Request.Model repeats it when a request was captured.
	Model string `json:"-"`
	// Gateway names a recognised gateway in front of the provider:
	// "vertex", "bedrock", "portkey"; "" when none was recognised.
	Gateway string `json:"-"`
	// Host names a recognised OpenAI-compatible host serving the stream
	// ("groq", "vllm", "azure-openai", … see Hosts), separately from the
	// dialect its events follow (Dialect); "" when none was recognised.
	Host string `json:"host,omitempty"`

	// Events is the decoded timeline (not part of the JSON report): every
	// event, or a bounded part of them with Options.Window.
	Events Events `json:"-"`
	// Exchange is the capture the verdict is about.
	Exchange *stream.Exchange `json:"-"`
}

// RequestInfo is the part of the request a report shows.
type RequestInfo struct {
	Method string `json:"method"`
	URL    string `json:"url"` // redacted
	Model  string `json:"model,omitempty"`
}

// StreamError is the error a stream carried (or the HTTP error body).
type StreamError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	// EventIndex is the 0-based index of the event that carried it; -1
	// for an HTTP error before any stream.
	EventIndex        int  `json:"event_index"`
	Retryable         bool `json:"retryable"`
	OutputBeforeError bool `json:"output_before_error"`
}

// Timing holds the times a timed capture allows; nil when untimed.
type Timing struct {
	TTFB         time.Duration `json:"-"`
	FirstContent time.Duration `json:"-"` // 0 when no content arrived
	Duration     time.Duration `json:"-"`
	MaxGap       time.Duration `json:"-"`
	MaxGapAfter  int           `json:"-"` // index of the event that ended the largest gap
}

// Finding is one result of a check.
type Finding struct {
	Code     string   `json:"code"` // stable, e.g. "A-W10-error-event"
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
	Events   []int    `json:"event_indexes"` // 0-based
	Fixes    []string `json:"fixes"`
}

// EventInfo is one decoded event of the timeline, as Events.At returns it
// (the timeline itself keeps a compact form and derives ID and Summary).
type EventInfo struct {
	Index        int           // 0-based
	Type         string        // SSE event field ("message" when absent)
	DataType     string        // JSON "type" of the data, "" if none
	ID           string        // SSE id, "" if none
	Offset       int64         // byte offset of the raw frame in the body
	Length       int64         // raw frame length
	At           time.Duration // arrival time (timed captures), else 0
	Summary      string        // short human summary: text snippet, tool name, stop reason, error type
	Comments     int           // comment lines (keepalives) just before this event
	Unterminated bool
	// Raw is true for an event that is a bare JSON value rather than an
	// SSE frame: an element of a streamed JSON array (Gemini without
	// alt=sse) or a raw JSON error after the last frame. Its frame bytes
	// are its data.
	Raw bool
}

// SDKAnswer says what an SDK does with this exchange.
type SDKAnswer struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	DetectedFrom   string `json:"detected_from"` // "headers" or "flag"
	Raises         string `json:"raises"`        // exception class, "" when nothing is raised
	StatusReported *int   `json:"status_reported"`
	ErrorTypeAt    string `json:"error_type_at"`
	BuiltinRetry   bool   `json:"builtin_retry"`
	Advice         string `json:"advice"`
	// TypeField is true when ErrorTypeAt is a parsed field or accessor
	// (e.type, err.Type()), false when the type must be dug out of a
	// message or raw JSON text.
	TypeField bool `json:"-"`
	// NothingToRetry is true when the stream completed without an
	// error: whether the built-in retry would fire does not matter.
	NothingToRetry bool   `json:"-"`
	Snippet        string `json:"-"` // catch-and-retry code in the SDK's language
	Language       string `json:"-"` // snippet language for Markdown fences
}
