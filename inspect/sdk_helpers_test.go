package inspect

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// Hand-built verdicts for the SDK and report tests: they stand in for what
// Diagnose concludes, so these tests pin the tables and the reports alone.

const anthropicMidBody = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\",\"content\":[]}}\n\n" +
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
	"event: ping\ndata: {\"type\":\"ping\"}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n" +
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}\n\n"

func anthropicErrorFrame(typ, msg string) string {
	return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"" + typ + "\",\"message\":\"" + msg + "\"}}\n\n"
}

// sseVerdict decodes body into a verdict's timeline; the other fields are
// the caller's to set.
func sseVerdict(t testing.TB, provider Provider, body string) *Verdict {
	t.Helper()
	x := stream.FromBody("test.sse", []byte(body))
	v := &Verdict{Source: "test.sse", Provider: provider, Exchange: x, HTTPStatus: 200, HTTPStatusAssumed: true, Outcome: OutcomeComplete}
	v.Events = testEvents(t, x, provider)
	v.EventCount = v.Events.Len()
	return v
}

// testEvents decodes x's body into a timeline summarized as provider's.
func testEvents(t testing.TB, x *stream.Exchange, provider Provider) Events {
	b := newEventsBuilder(x, newTypeTable(), 0)
	d := stream.NewDecoder(bytes.NewReader(x.Body()))
	for {
		e, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("decoding test body: %v", err)
		}
		var dt struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(e.Data, &dt)
		b.add(&evRec{typ: e.Type, dataType: dt.Type, off: e.Offset, length: e.Length, id: e.ID, dialect: dialectOf(provider)})
	}
	return b.finish()
}

// infos returns every event of ev, as At gives them.
func infos(ev Events) []EventInfo {
	out := make([]EventInfo, ev.Len())
	for i := range out {
		out[i] = ev.At(i)
	}
	return out
}

// withError marks the last event of v as its error.
func withError(v *Verdict, typ string, mapped int, output bool) *Verdict {
	v.Outcome = OutcomeErrorEvent
	v.Error = &StreamError{Type: typ, Message: "m", EventIndex: v.Events.Len() - 1, OutputBeforeError: output}
	v.MappedStatus, v.Mismatch = mapped, true
	return v
}

// scenario builds the verdict for one sdk-matrix scenario.
func scenario(t testing.TB, name string) *Verdict {
	t.Helper()
	switch name {
	case "ok":
		return sseVerdict(t, ProviderAnthropic, anthropicMidBody+"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	case "midstream_overloaded":
		return withError(sseVerdict(t, ProviderAnthropic, anthropicMidBody+anthropicErrorFrame("overloaded_error", "Overloaded")), "overloaded_error", 529, true)
	case "midstream_rate_limit":
		return withError(sseVerdict(t, ProviderAnthropic, anthropicMidBody+anthropicErrorFrame("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")), "rate_limit_error", 429, true)
	case "midstream_api_error":
		return withError(sseVerdict(t, ProviderAnthropic, anthropicMidBody+anthropicErrorFrame("api_error", "Internal server error")), "api_error", 500, true)
	case "first_event_overloaded":
		return withError(sseVerdict(t, ProviderAnthropic, anthropicErrorFrame("overloaded_error", "Overloaded")), "overloaded_error", 529, false)
	case "first_event_rate_limit":
		return withError(sseVerdict(t, ProviderAnthropic, anthropicErrorFrame("rate_limit_error", "slow down")), "rate_limit_error", 429, false)
	case "http_529_overloaded":
		return httpVerdict(ProviderAnthropic, 529, "overloaded_error", nil)
	case "truncated_clean":
		v := sseVerdict(t, ProviderAnthropic, anthropicMidBody)
		v.Outcome, v.Mismatch = OutcomeTruncated, true
		return v
	case "truncated_abort":
		v := sseVerdict(t, ProviderAnthropic, anthropicMidBody)
		v.Outcome, v.Mismatch = OutcomeTransportError, true
		v.Exchange.End = stream.End{Reason: stream.EndReset, Err: "connection reset by peer"}
		return v
	case "openai_ok":
		return sseVerdict(t, ProviderOpenAIChat, openaiChunks+"data: [DONE]\n\n")
	case "openai_midstream_error":
		return withError(sseVerdict(t, ProviderOpenAIChat, openaiChunks+openaiErrorFrame), "server_error", 500, true)
	case "openai_first_event_error":
		return withError(sseVerdict(t, ProviderOpenAIChat, openaiErrorFrame), "server_error", 500, false)
	case "openai_http_429":
		return httpVerdict(ProviderOpenAIChat, 429, "requests", nil)
	case "openai_truncated_abort":
		v := sseVerdict(t, ProviderOpenAIChat, openaiChunks)
		v.Outcome, v.Mismatch = OutcomeTransportError, true
		return v
	case "responses_top_level_error":
		return withError(sseVerdict(t, ProviderOpenAIResponses, "event: error\ndata: {\"type\":\"error\",\"code\":\"server_is_overloaded\",\"message\":\"busy\",\"sequence_number\":1}\n\n"), "server_is_overloaded", 503, false)
	case "portkey_finish_reason":
		return withError(sseVerdict(t, ProviderOpenAIChat, "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"overloaded_error\"}]}\n\n"), "overloaded_error", 529, false)
	}
	t.Fatalf("unknown scenario %q", name)
	return nil
}

const openaiChunks = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n" +
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"}}]}\n\n"

const openaiErrorFrame = "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"

// httpVerdict is an HTTP error before any stream.
func httpVerdict(p Provider, status int, typ string, h http.Header) *Verdict {
	if h == nil {
		h = http.Header{}
	}
	x := &stream.Exchange{Source: "http.txt", Format: stream.FormatHTTP, Response: &stream.Response{Proto: "HTTP/1.1", Status: status, Header: h}}
	return &Verdict{Source: "http.txt", Provider: p, Exchange: x, HTTPStatus: status, MappedStatus: status, Outcome: OutcomeHTTPError,
		Error: &StreamError{Type: typ, Message: "m", EventIndex: -1, Retryable: true}}
}

// answer returns SDK name@version's answer for v, failing when there is none.
func answer(t testing.TB, v *Verdict, name, ver string) *SDKAnswer {
	t.Helper()
	a := SDKFor(v, Options{SDK: &SDKRef{Name: name, Version: ver}})
	if a == nil {
		t.Fatalf("SDKFor(%s@%s) = nil", name, ver)
	}
	return a
}

// stagedRequest is a request as anthropic-python 0.86.0 sends it, with
// canary secrets that no report may print.
var stagedRequest = stream.Request{
	Method: "POST",
	URL:    "https://api.anthropic.com/v1/messages?key=CANARYQUERYKEY0123456789",
	Header: http.Header{
		"User-Agent":        {"Anthropic/Python 0.86.0"},
		"X-Api-Key":         {"sk-ant-api03-CANARYHEADERKEY0123456789abcdef"},
		"Authorization":     {"Bearer CANARYBEARERTOKEN0123456789abcdef"},
		"Anthropic-Version": {"2023-06-01"},
		"Content-Type":      {"application/json"},
	},
}
