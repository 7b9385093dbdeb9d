package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"

	"github.com/midstreamhq/midstream/stream"
)

// The Google Gen AI SDKs (Go google.golang.org/genai, JS @google/genai,
// Python google-genai) for Gemini API and Vertex AI Gemini streams.
//
// The Go and JS SDKs' answers are measured: e2e/genai_test.go runs genai
// v1.79.1, and e2e/genaijs_test.go @google/genai 3.3.0, against `midstream
// serve` of Gemini captures (a mid-stream error chunk, a raw JSON error
// tail, a cut stream, an HTTP 429) and assert what they surface; change an
// answer here only together with those tests. The Python SDK was not run
// (PyPI cannot be reached here), so its answers say "not measured".
//
// All three name themselves the same way in User-Agent and
// x-goog-api-client: "google-genai-sdk/VERSION gl-LANG/RUNTIME" (genai
// api_client.go appendSDKHeaders; @google/genai LIBRARY_LABEL and
// LANGUAGE_LABEL_PREFIX "gl-node/"; python-genai _api_client.py
// append_library_version_headers, "gl-python/"). On Vertex the library
// label carries "+vertex-…" after the version.

// The Google Gen AI SDK names --sdk accepts.
const (
	SDKGenAIGo     = "google-genai-go"
	SDKGenAIJS     = "google-genai-js"
	SDKGenAIPython = "google-genai-python"
)

// genaiUA matches the Gen AI SDK label for one language runtime tag.
func genaiUA(lang string) []*regexp.Regexp {
	return []*regexp.Regexp{regexp.MustCompile(`(?i)\bgoogle-genai-sdk/v?([0-9]+(?:\.[0-9]+){0,2}(?:-[0-9A-Za-z.]+)?)\S*\s+gl-` + lang + `/`)}
}

var geminiSDKs = []sdkSpec{
	{name: SDKGenAIGo, current: "1.79.1", speaks: ProviderGemini, answer: genaiGo, ua: genaiUA("go")},
	{name: SDKGenAIJS, current: "3.3.0", speaks: ProviderGemini, answer: genaiJS, ua: genaiUA("node")},
	// PyPI cannot be reached here, so the newest Python release is not
	// known: 2.0.0 is the floor googleapis/python-aiplatform#6776 (May
	// 2026) requires, not the JS SDK's 3.3.0.
	{name: SDKGenAIPython, current: "2.0.0", speaks: ProviderGemini, answer: genaiNotMeasured("google-genai for Python (PyPI cannot be reached here)"), ua: genaiUA("python")},
}

// genaiMeasured and genaiJSMeasured are the citations the measured
// answers carry.
const (
	genaiMeasured   = " (measured: e2e/genai_test.go against midstream serve, genai v1.79.1.)"
	genaiJSMeasured = " (measured: e2e/genaijs_test.go against midstream serve, @google/genai 3.3.0.)"
)

// genaiGo answers for google.golang.org/genai: Models.GenerateContentStream
// returns an iter.Seq2[*GenerateContentResponse, error].
func genaiGo(a *SDKAnswer, v version, s situation, _ detected) {
	s = geminiSituation(s)
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		a.Raises, a.ErrorTypeAt = "genai.APIError", "apiErr.Status (apiErr.Code holds the number)"
		if s.mapped != 0 {
			a.StatusReported = intp(s.mapped)
		}
		a.Advice = "The iterator yields the error chunk as a genai.APIError value (errors.As into genai.APIError) whose Code and Status come from the chunk, not from the HTTP 200, after the text it already yielded. It does not stop by itself: a loop that logs the error and continues ends normally when the body ends, so break or return on it. A raw JSON error tail after the last event surfaces the same way (measured). Not retried: HTTPOptions.RetryOptions covers only the HTTP request." +
			genaiMeasured + " " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "genai.APIError", intp(s.status), "apiErr.Status (apiErr.Code holds the number)"
		a.Advice = "The first value the iterator yields is a genai.APIError with Code (the HTTP status) and Status from the body. The SDK sent the request once: it retries only when HTTPOptions.RetryOptions is set (then 408, 429 and 5xx, 5 attempts by default; HTTPRetryOptions in genai types.go)." + genaiMeasured
	case sitTruncated:
		a.Advice = "Nothing is returned: the iterator ends without an error after the last chunk, and the last candidate's FinishReason is empty." + genaiMeasured + genaiTruncatedAdvice
	case sitDropped:
		a.Raises = "not measured"
		a.Advice = "A connection that breaks mid-body was not measured with the Go Gen AI SDK; by its source (api_client.go iterateResponseStream) the iterator yields the read error as its last value, not a genai.APIError, and does not retry it. Retry only if nothing was delivered."
	}
}

// genaiJS answers for @google/genai: models.generateContentStream returns
// an async generator of GenerateContentResponse.
func genaiJS(a *SDKAnswer, v version, s situation, _ detected) {
	s = geminiSituation(s)
	if !v.atLeast("3.0.0") || v.major > 3 {
		genaiNotMeasured("@google/genai "+v.String()+" (only 3.3.0 was run)")(a, v, s, detected{})
		return
	}
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		if s.rawTail {
			a.Raises, a.ErrorTypeAt = "Error (Incomplete JSON segment at the end)", "not exposed (the raw tail is not parsed)"
			a.Advice = "The raw JSON error tail after the last event is not parsed: the for await loop throws a plain Error \"Incomplete JSON segment at the end\" with no status, after the text already yielded, so the error's code and status are lost and nothing is retried." + genaiJSMeasured + " " + retryAdvice(s)
			return
		}
		a.Raises, a.ErrorTypeAt = "ApiError", `JSON in e.message after "got status: STATUS. " (e.status holds the code)`
		if s.mapped != 0 {
			a.StatusReported = intp(s.mapped)
		}
		a.Advice = "Thrown from the for await loop as ApiError whose status is the chunk's code (not the HTTP 200), after the text already yielded; the status string is only in e.message. Not retried." + genaiJSMeasured + " " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "ApiError", intp(s.status), "JSON error body in e.message (e.status holds the code)"
		a.Advice = "Thrown by generateContentStream() before any chunk as ApiError with status set. The SDK sent the request once with default options: retry it yourself or set httpOptions.retryOptions." + genaiJSMeasured
	case sitTruncated:
		a.Advice = "Nothing is thrown: the for await loop ends normally and the last chunk has no finishReason." + genaiJSMeasured + genaiTruncatedAdvice
	case sitDropped:
		a.Raises = "not measured"
		a.Advice = "A connection that breaks mid-body was not measured with @google/genai. Retry only if nothing was delivered."
	}
}

// genaiTruncatedAdvice is what to do about a Gemini stream with no final
// finishReason.
const genaiTruncatedAdvice = " Require a final candidate with a FinishReason (STOP, MAX_TOKENS, …) and treat its absence as a failure; retry only if nothing was delivered."

// genaiNotMeasured answers for a Gen AI SDK that could not be run here.
func genaiNotMeasured(what string) func(a *SDKAnswer, v version, s situation, d detected) {
	return func(a *SDKAnswer, _ version, s situation, _ detected) {
		s = geminiSituation(s)
		if s.kind == sitNone {
			a.Advice = completeAdvice
			return
		}
		a.Raises = "not measured"
		a.Advice = "What " + what + " surfaces here was not measured." + genaiTruncatedAdviceFor(s)
	}
}

// genaiTruncatedAdviceFor adds the truncation advice where it applies.
func genaiTruncatedAdviceFor(s situation) string {
	if s.kind == sitTruncated {
		return genaiTruncatedAdvice
	}
	return ""
}

// rawTailWindow is how much of the body's end rawJSONErrorTail reads: a
// Google error object is well under 1 KiB, details included.
const rawTailWindow = 8 << 10

// rawJSONErrorTail reports whether x's body ends in a raw JSON error
// object after its last SSE frame, as Gemini sends when it sheds load
// (vercel/ai issue #5217): the bytes after the last blank line are not an
// SSE field but parse as {"error": {...}}. code is the object's
// error.code (0 if it has none). It reads only the body's last
// rawTailWindow bytes.
func rawJSONErrorTail(x *stream.Exchange) (code int, ok bool) {
	n := x.BodyLen()
	if n == 0 {
		return 0, false
	}
	off := max(n-rawTailWindow, 0)
	buf := make([]byte, n-off)
	if _, err := x.ReadBodyAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	buf = bytes.TrimRight(buf, " \t\r\n")
	i := max(bytes.LastIndex(buf, []byte("\n\n")), bytes.LastIndex(buf, []byte("\r\n\r\n")))
	if i < 0 {
		return 0, false
	}
	tail := bytes.TrimSpace(buf[i:])
	var doc struct {
		Error *struct {
			Code json.Number `json:"code"`
		} `json:"error"`
	}
	if len(tail) == 0 || tail[0] != '{' || json.Unmarshal(tail, &doc) != nil || doc.Error == nil {
		return 0, false
	}
	c, _ := doc.Error.Code.Int64()
	if c < 100 || c > 599 {
		c = 0
	}
	return int(c), true
}

// geminiSituation is s as the Gemini SDKs meet it: a body ending in a raw
// JSON error tail is an error to them (measured) even when the dialect
// that judged the stream did not see one, with the tail's code as the
// status it stands for.
func geminiSituation(s situation) situation {
	if s.rawTail && (s.kind == sitNone || s.kind == sitTruncated) {
		s.kind = sitStreamErr
	}
	if s.rawTail && s.kind == sitStreamErr && s.mapped == 0 {
		s.mapped = s.tailCode
	}
	return s
}

// genaiGoSnippet retries a Gemini stream with google.golang.org/genai while
// nothing was delivered. It stops at the first error the iterator yields
// (the iterator itself goes on after an error chunk) and counts a stream
// without a final FinishReason as failed. The statuses are those Google's
// API error guide calls retryable. e2e/snippetvet compiles it against the
// SDK.
const genaiGoSnippet = `import (
	"context"
	"errors"
	"time"

	"google.golang.org/genai"
)

var retryable = map[string]bool{"UNAVAILABLE": true, "RESOURCE_EXHAUSTED": true, "INTERNAL": true, "DEADLINE_EXCEEDED": true}

func streamWithRetry(ctx context.Context, client *genai.Client, model string, contents []*genai.Content, on func(*genai.GenerateContentResponse)) error {
	for attempt := 0; ; attempt++ {
		delivered, finished := false, false
		var err error
		for resp, e := range client.Models.GenerateContentStream(ctx, model, contents, nil) {
			if e != nil {
				err = e // the iterator does not stop after an error chunk
				break
			}
			delivered = delivered || resp.Text() != ""
			finished = finished || len(resp.Candidates) > 0 && resp.Candidates[0].FinishReason != ""
			on(resp)
		}
		if err == nil && !finished {
			err = errors.New("gemini stream ended without a finishReason")
		}
		if err == nil || delivered || attempt >= 4 {
			return err
		}
		var apiErr genai.APIError
		if errors.As(err, &apiErr) && !retryable[apiErr.Status] {
			return err
		}
		time.Sleep(min(time.Minute, time.Second<<attempt))
	}
}
`
