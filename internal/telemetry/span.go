package telemetry

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
)

// The midstream.* attributes (the GenAI conventions name the rest).
const (
	attrMappedStatus = attribute.Key("midstream.mapped_status")
	attrMismatch     = attribute.Key("midstream.mismatch")
	attrOutcome      = attribute.Key("midstream.outcome")
	attrErrorIndex   = attribute.Key("midstream.error.event_index")
	attrErrorMessage = attribute.Key("midstream.error.message")
	attrSDKName      = attribute.Key("midstream.sdk.name")
	attrSDKVersion   = attribute.Key("midstream.sdk.version")
	attrCapture      = attribute.Key("midstream.capture")
	attrRequestID    = attribute.Key("midstream.request_id")
	attrEventCount   = attribute.Key("midstream.event_count")
	attrAssumed      = attribute.Key("midstream.http_status_assumed")
	attrEnd          = attribute.Key("midstream.end")

	attrFindingCode     = attribute.Key("midstream.finding.code")
	attrFindingSeverity = attribute.Key("midstream.finding.severity")
	attrFindingTitle    = attribute.Key("midstream.finding.title")
	attrFindingIndex    = attribute.Key("midstream.finding.event_index")
)

// maxAttr bounds a free-text attribute (an error message, a path).
const maxAttr = 1024

// clean is the one way a string from the exchange becomes an attribute:
// credentials redacted by shape (stream.RedactText), control and bidi
// characters escaped (stream.SafeLine: Jaeger's UI and log pipelines show
// it to people), and cut to n bytes.
func clean(s string, n int) string {
	s = stream.SafeLine(stream.RedactText(s))
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	// A copy: a string the verdict shares with a larger buffer must not
	// keep that buffer alive in the export queue.
	return strings.Clone(s)
}

// providerName maps a verdict to gen_ai.provider.name's well-known values
// (semconv 1.41: anthropic, openai, aws.bedrock, gcp.vertex_ai); a
// gateway in front of Anthropic names the platform that serves it.
func providerName(v *inspect.Verdict) string {
	switch {
	case v.Gateway == "bedrock":
		return semconv.GenAIProviderNameAWSBedrock.Value.AsString()
	case v.Gateway == "vertex":
		return semconv.GenAIProviderNameGCPVertexAI.Value.AsString()
	}
	switch v.Provider {
	case inspect.ProviderAnthropic:
		return semconv.GenAIProviderNameAnthropic.Value.AsString()
	case inspect.ProviderOpenAIChat, inspect.ProviderOpenAIResponses:
		return semconv.GenAIProviderNameOpenAI.Value.AsString()
	case inspect.ProviderOpenRouter:
		return "openrouter"
	}
	return "_OTHER"
}

// errorType is error.type: the in-stream error's type, else the outcome
// when the exchange failed without one (truncated, transport_error…); ""
// when it did not fail.
func errorType(v *inspect.Verdict) string {
	if v.Error != nil && v.Error.Type != "" {
		return clean(v.Error.Type, 128)
	}
	if failed(v) {
		return string(v.Outcome)
	}
	return ""
}

// failed reports whether the exchange failed: a span with status Error.
// A user's own cancel and a body still arriving are not failures.
func failed(v *inspect.Verdict) bool {
	switch v.Outcome {
	case inspect.OutcomeComplete, inspect.OutcomeCanceled, inspect.OutcomeInFlight:
		return v.Error != nil
	}
	return true
}

// spanName is "chat {model}" (GenAI conventions: "{operation} {model}").
func spanName(model string) string {
	if model == "" {
		return "chat"
	}
	return "chat " + model
}

// requestModel is the model the request asked for, else the stream's.
func requestModel(v *inspect.Verdict) string {
	if v.Request != nil && v.Request.Model != "" {
		return v.Request.Model
	}
	return v.Model
}

// serverAttrs are server.address and server.port of the request URL.
func serverAttrs(v *inspect.Verdict) []attribute.KeyValue {
	if v.Exchange == nil || v.Exchange.Request == nil {
		return nil
	}
	u, err := url.Parse(v.Exchange.Request.URL)
	if err != nil || u.Host == "" {
		return nil
	}
	out := []attribute.KeyValue{semconv.ServerAddress(clean(u.Hostname(), 256))}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if p, err := strconv.Atoi(port); err == nil {
		out = append(out, semconv.ServerPort(p))
	}
	return out
}

// spanAttrs are the span's attributes: GenAI conventions first, then
// midstream's own. Every string from the exchange goes through clean.
func spanAttrs(v *inspect.Verdict, m *meta, capture string) []attribute.KeyValue {
	model := requestModel(v)
	a := []attribute.KeyValue{
		semconv.GenAIOperationNameChat,
		semconv.GenAIProviderNameKey.String(providerName(v)),
		attrOutcome.String(string(v.Outcome)),
		attrMismatch.Bool(v.Mismatch),
		attrEventCount.Int(v.EventCount),
	}
	if model != "" {
		a = append(a, semconv.GenAIRequestModel(clean(model, 256)))
	}
	if m.Model != "" {
		a = append(a, semconv.GenAIResponseModel(clean(m.Model, 256)))
	}
	if m.ID != "" {
		a = append(a, semconv.GenAIResponseID(clean(m.ID, 256)))
	}
	if len(m.FinishReasons) > 0 {
		fr := make([]string, len(m.FinishReasons))
		for i, r := range m.FinishReasons {
			fr[i] = clean(r, 64)
		}
		a = append(a, semconv.GenAIResponseFinishReasons(fr...))
	}
	if m.HasUsage {
		a = append(a, semconv.GenAIUsageInputTokens(int(m.InputTokens)), semconv.GenAIUsageOutputTokens(int(m.OutputTokens)))
	}
	a = append(a, serverAttrs(v)...)
	if v.HTTPStatus != 0 {
		a = append(a, semconv.HTTPResponseStatusCode(v.HTTPStatus), attrAssumed.Bool(v.HTTPStatusAssumed))
	}
	if et := errorType(v); et != "" {
		a = append(a, semconv.ErrorTypeKey.String(et))
	}
	if v.MappedStatus != 0 {
		a = append(a, attrMappedStatus.Int(v.MappedStatus))
	}
	if v.Error != nil {
		a = append(a, attrErrorIndex.Int(v.Error.EventIndex), attrErrorMessage.String(clean(v.Error.Message, maxAttr)))
	}
	if v.SDK != nil && v.SDK.Name != "" {
		a = append(a, attrSDKName.String(clean(v.SDK.Name, 128)))
		if v.SDK.Version != "" {
			a = append(a, attrSDKVersion.String(clean(v.SDK.Version, 64)))
		}
	}
	if capture != "" {
		a = append(a, attrCapture.String(clean(capture, maxAttr)))
	}
	if v.RequestID != "" {
		a = append(a, attrRequestID.String(clean(v.RequestID, 256)))
	}
	if x := v.Exchange; x != nil && x.End.Reason != "" && x.End.Reason != stream.EndEOF {
		a = append(a, attrEnd.String(clean(string(x.End.Reason)+": "+x.End.Err, maxAttr)))
	}
	return a
}

// contentAttrs are gen_ai.input.messages and gen_ai.output.messages, for
// --otlp-content only: the request's "messages" (redacted by
// stream.RedactBody, then by shape) and the streamed completion text, each
// at most maxContent bytes.
func contentAttrs(v *inspect.Verdict, m *meta) []attribute.KeyValue {
	var a []attribute.KeyValue
	if x := v.Exchange; x != nil && x.Request != nil {
		var req struct {
			Messages json.RawMessage `json:"messages"`
			Input    json.RawMessage `json:"input"` // Responses API
		}
		body := x.Request.BodyPrefix(4 * maxContent)
		if json.Unmarshal(body, &req) == nil {
			msgs := req.Messages
			if msgs == nil {
				msgs = req.Input
			}
			if len(msgs) > 0 && len(msgs) <= maxContent {
				a = append(a, semconv.GenAIInputMessagesKey.String(string(stream.SafeJSON([]byte(stream.RedactText(string(stream.RedactBody(msgs))))))))
			}
		}
	}
	if len(m.Text) > 0 {
		type part struct {
			Type    string `json:"type"`
			Content string `json:"content"`
		}
		out := []struct {
			Role         string `json:"role"`
			Parts        []part `json:"parts"`
			FinishReason string `json:"finish_reason,omitempty"`
		}{{Role: "assistant", Parts: []part{{"text", stream.RedactText(strings.ToValidUTF8(string(m.Text), ""))}}}}
		if len(m.FinishReasons) > 0 {
			// Untrusted like the text: redacted and bounded as in
			// gen_ai.response.finish_reasons.
			out[0].FinishReason = clean(m.FinishReasons[0], 64)
		}
		b, _ := json.Marshal(out)
		a = append(a, semconv.GenAIOutputMessagesKey.String(string(stream.SafeJSON(b))))
	}
	return a
}

// findingAttrs are the attributes of one finding's span event.
func findingAttrs(f *inspect.Finding) []attribute.KeyValue {
	idx := -1
	if len(f.Events) > 0 {
		idx = f.Events[0]
	}
	return []attribute.KeyValue{
		attrFindingCode.String(clean(f.Code, 128)),
		attrFindingSeverity.String(string(f.Severity)),
		attrFindingTitle.String(clean(f.Title, maxAttr)),
		attrFindingIndex.Int(idx),
	}
}

// times are the span's start and end: from at when it is set (serve
// replays now), else the exchange's own clock (a capture read by diagnose
// keeps the time it was recorded), else now; the end adds the exchange's
// duration when it was timed.
func times(v *inspect.Verdict, at time.Time) (start, end time.Time) {
	switch {
	case !at.IsZero():
		start = at
	case v.Exchange != nil && !v.Exchange.Started.IsZero():
		start = v.Exchange.Started
	default:
		start = time.Now()
	}
	end = start
	if v.Timing != nil {
		end = start.Add(v.Timing.Duration)
	}
	return start, end
}
