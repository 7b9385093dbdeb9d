package inspect

import (
	"bytes"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

const testConverseURL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1:0/converse-stream"

// converseX is a ConverseStream exchange: HTTP 200, event-stream content
// type, the Converse URL when withURL is set.
func converseX(body []byte, withURL bool) *stream.Exchange {
	x := withResponse(stream.FromBody("converse.bin", body), 200, "Content-Type", "application/vnd.amazon.eventstream")
	if withURL {
		withRequest(x, "POST", testConverseURL, `{"messages":[]}`)
	}
	return x
}

var (
	cvStart  = cvEvent("messageStart", `{"p":"abc","role":"assistant"}`)
	cvText   = cvEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"ab"}`)
	cvStop0  = cvEvent("contentBlockStop", `{"contentBlockIndex":0,"p":"a"}`)
	cvMeta   = cvEvent("metadata", `{"metrics":{"latencyMs":90},"p":"abcd","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4}}`)
	cvEndOf  = func(reason string) []byte { return cvEvent("messageStop", `{"p":"ab","stopReason":"`+reason+`"}`) }
	cvWhole  = join(cvStart, cvText, cvStop0, cvEndOf("end_turn"), cvMeta)
	cvPrefix = join(cvStart, cvText)
)

// TestConverseGrammar: each way a ConverseStream can end or break, with
// the outcome, the status it stands for and exactly the findings a user
// sees.
func TestConverseGrammar(t *testing.T) {
	cases := []struct {
		name     string
		body     []byte
		outcome  Outcome
		mapped   int
		errType  string
		findings []string
	}{
		{"complete", cvWhole, OutcomeComplete, 0, "", nil},
		{"tool use with a start event", join(cvStart,
			cvEvent("contentBlockStart", `{"contentBlockIndex":0,"p":"a","start":{"toolUse":{"name":"f","toolUseId":"t1"}}}`),
			cvEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{}"}},"p":"a"}`),
			cvStop0, cvEndOf("tool_use"), cvMeta), OutcomeComplete, 0, "", nil},
		{"no messageStop", cvPrefix, OutcomeTruncated, 0, "", []string{"C-truncated"}},
		{"messageStop without metadata", join(cvStart, cvText, cvStop0, cvEndOf("end_turn")), OutcomeTruncated, 0, "", []string{"C-truncated-after-stop"}},
		{"max_tokens", join(cvStart, cvText, cvStop0, cvEndOf("max_tokens"), cvMeta), OutcomeComplete, 0, "", []string{"C-stop-max-tokens"}},
		{"guardrail_intervened", join(cvStart, cvText, cvStop0, cvEndOf("guardrail_intervened"), cvMeta), OutcomeComplete, 0, "", []string{"C-stop-filtered"}},
		{"content_filtered", join(cvStart, cvText, cvStop0, cvEndOf("content_filtered"), cvMeta), OutcomeComplete, 0, "", []string{"C-stop-filtered"}},
		{"malformed_tool_use", join(cvStart, cvStop0, cvEndOf("malformed_tool_use"), cvMeta), OutcomeComplete, 0, "", []string{"C-stop-malformed"}},
		{"unknown stop reason", join(cvStart, cvText, cvStop0, cvEndOf("tea_break"), cvMeta), OutcomeComplete, 0, "", []string{"C-unknown-stop-reason"}},
		{"empty stop reason", join(cvStart, cvText, cvStop0, cvEvent("messageStop", `{"p":"a"}`), cvMeta), OutcomeComplete, 0, "", []string{"C-no-stop-reason"}},
		{"first event not messageStart", join(cvText, cvStop0, cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-first-event"}},
		{"two messageStarts", join(cvStart, cvStart, cvText, cvStop0, cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-second-message-start"}},
		{"delta after its block stopped", join(cvStart, cvText, cvStop0, cvText, cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-block-order"}},
		{"delta without an index", join(cvStart, cvEvent("contentBlockDelta", `{"delta":{"text":"x"}}`), cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-block-order"}},
		{"event after metadata", join(cvWhole, cvText), OutcomeComplete, 0, "", []string{"C-after-metadata", "C-block-order"}},
		{"unknown event", join(cvStart, cvEvent("citationsDelta", `{"p":"a"}`), cvText, cvStop0, cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-unknown-event"}},
		{"payload not JSON", join(cvStart, cvEvent("contentBlockDelta", `{"contentBlockIndex":0,`), cvStop0, cvEndOf("end_turn"), cvMeta), OutcomeComplete, 0, "", []string{"C-data-not-json"}},
		{"throttlingException before content", join(cvStart, cvException("throttlingException", `{"message":"Too many requests"}`)), OutcomeErrorEvent, 429, "throttlingException", []string{"C-exception-frame"}},
		{"modelStreamErrorException with the model's status", join(cvPrefix, cvException("modelStreamErrorException", `{"message":"x","originalStatusCode":503}`)), OutcomeErrorEvent, 503, "modelStreamErrorException", []string{"C-exception-frame"}},
		{"modelStreamErrorException alone", join(cvPrefix, cvException("modelStreamErrorException", `{"message":"x"}`)), OutcomeErrorEvent, 424, "modelStreamErrorException", []string{"C-exception-frame"}},
		{"serviceUnavailableException", join(cvPrefix, cvException("serviceUnavailableException", `{"message":"x"}`)), OutcomeErrorEvent, 503, "serviceUnavailableException", []string{"C-exception-frame"}},
		{"exception after metadata is still the error", join(cvWhole, cvException("internalServerException", `{"message":"x"}`)), OutcomeErrorEvent, 500, "internalServerException", []string{"C-exception-frame"}},
		{"validationException is not retryable", join(cvStart, cvException("validationException", `{"message":"bad"}`)), OutcomeErrorEvent, 400, "validationException", []string{"C-exception-frame"}},
		{"cut inside a frame", join(cvPrefix, cvStop0[:20]), OutcomeTruncated, 0, "", []string{"C-truncated", "B-frame"}},
	}
	// retryable is what AWS's docs say for each exception
	// (API_runtime_ConverseStreamOutput: "Retry your request." /
	// "Resubmit your request later."; validation: fix the input).
	retryable := map[string]bool{
		"throttlingException": true, "modelStreamErrorException": true, "serviceUnavailableException": true,
		"internalServerException": true, "validationException": false,
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(converseX(c.body, true), Options{})
			if v.Provider != ProviderBedrockConverse || v.Gateway != GatewayBedrock {
				t.Fatalf("provider %s/%s", v.Provider, v.Gateway)
			}
			if v.Outcome != c.outcome || v.MappedStatus != c.mapped {
				t.Errorf("outcome %s mapped %d, want %s %d", v.Outcome, v.MappedStatus, c.outcome, c.mapped)
			}
			if v.Error != nil {
				if v.Error.Type != c.errType || v.Error.Retryable != retryable[c.errType] {
					t.Errorf("error %q retryable %v, want %q %v", v.Error.Type, v.Error.Retryable, c.errType, retryable[c.errType])
				}
			} else if c.errType != "" {
				t.Errorf("no error, want %s", c.errType)
			}
			got, want := codes(v), slices.Clone(c.findings)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, want exactly %v", got, want)
			}
			checkInvariants(t, v)
		})
	}
}

// TestConverseInFlight: a ConverseStream still arriving is not truncated,
// whether or not messageStop has come; once metadata is in it is complete.
func TestConverseInFlight(t *testing.T) {
	cases := []struct {
		name string
		body []byte
		want Outcome
	}{
		{"before messageStop", cvPrefix, OutcomeInFlight},
		{"after messageStop, before metadata", join(cvPrefix, cvStop0, cvEndOf("end_turn")), OutcomeInFlight},
		{"after metadata", cvWhole, OutcomeComplete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(converseX(c.body, true), Options{InFlight: true})
			if v.Outcome != c.want || len(v.Findings) != 0 {
				t.Errorf("outcome %s findings %v, want %s and none", v.Outcome, codes(v), c.want)
			}
		})
	}
}

// TestConverseStatus covers the ConverseStream error table of AWS's docs,
// as the :exception-type header and the x-amzn-ErrorType header spell it.
func TestConverseStatus(t *testing.T) {
	cases := []struct {
		exc  string
		orig int
		want int
	}{
		{"throttlingException", 0, 429},
		{"ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", 0, 429},
		{"modelStreamErrorException", 0, 424},
		{"modelStreamErrorException", 529, 529},
		{"serviceUnavailableException", 0, 503},
		{"internalServerException", 0, 500},
		{"validationException", 0, 400},
		{"modelTimeoutException", 0, 408},
		{"AccessDeniedException", 0, 403},
		{"resourceNotFoundException", 0, 404},
		{"ModelErrorException", 0, 424},
		{"modelNotReadyException", 0, 429},
		{"somethingNewException", 0, 0},
		{"", 0, 0},
		{":", 0, 0},
	}
	for _, c := range cases {
		if got := ConverseStatus(c.exc, c.orig); got != c.want {
			t.Errorf("ConverseStatus(%q, %d) = %d, want %d", c.exc, c.orig, got, c.want)
		}
	}
}

// TestBedrockDetection: ConverseStream and InvokeModelWithResponseStream
// share the framing; the URL or the frames tell them apart.
func TestBedrockDetection(t *testing.T) {
	invoke := join(ebChunk(evMS), ebChunk(evStart(0, "text")))
	exc := ebException("throttlingException", `{"message":"x"}`)
	cases := []struct {
		name string
		x    *stream.Exchange
		want Provider
	}{
		{"Converse frames, no URL", converseX(cvWhole, false), ProviderBedrockConverse},
		{"Converse frames, Converse URL", converseX(cvWhole, true), ProviderBedrockConverse},
		{"chunk frames, no URL", converseX(invoke, false), ProviderAnthropic},
		{"chunk frames, invoke URL", withRequest(converseX(invoke, false), "POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1:0/invoke-with-response-stream", ""), ProviderAnthropic},
		{"exception first, no URL", converseX(exc, false), ProviderAnthropic},
		{"exception first, Converse URL", converseX(exc, true), ProviderBedrockConverse},
		{"HTTP 400 JSON, Converse URL", withRequest(withResponse(stream.FromBody("e", []byte(`{"message":"bad"}`)), 400, "Content-Type", "application/json", "X-Amzn-Errortype", "ValidationException:http://x/"), "POST", testConverseURL, ""), ProviderBedrockConverse},
		{"HTTP 429 JSON, Converse path on a VPC endpoint", withRequest(withResponse(stream.FromBody("e", []byte(`{"message":"slow"}`)), 429, "Content-Type", "application/json"), "POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.meta.llama3-2-1b-instruct-v1%3A0/converse", ""), ProviderBedrockConverse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Diagnose(c.x, Options{})
			if v.Provider != c.want || v.Gateway != GatewayBedrock {
				t.Errorf("provider %s/%s, want %s/bedrock", v.Provider, v.Gateway, c.want)
			}
		})
	}
}

// TestConverseTimeline: the inspector's timeline names each Converse
// event and summarizes what it carried.
func TestConverseTimeline(t *testing.T) {
	body := join(cvStart,
		cvEvent("contentBlockStart", `{"contentBlockIndex":1,"p":"a","start":{"toolUse":{"name":"get_weather","toolUseId":"t1"}}}`),
		cvEvent("contentBlockDelta", `{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}},"p":"a"}`),
		cvEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"thinking"}},"p":"a"}`),
		cvEvent("contentBlockDelta", `{"contentBlockIndex":2,"delta":{"text":"a\u001b[31mred"},"p":"a"}`),
		cvEndOf("tool_use"), cvMeta, cvException("validationException", `{"message":"bad\u202einput"}`))
	v := Diagnose(converseX(body, true), Options{})
	want := []struct{ typ, summary string }{
		{"messageStart", ""},
		{"contentBlockStart", "tool get_weather"},
		{"contentBlockDelta", `{"city":`},
		{"contentBlockDelta", "thinking"},
		{"contentBlockDelta", ""}, // checked below: sanitized
		{"messageStop", "tool_use"},
		{"metadata", "in 3 out 1 tokens"},
		{"validationException", ""},
	}
	if v.Events.Len() != len(want) {
		t.Fatalf("%d events, want %d", v.Events.Len(), len(want))
	}
	for i, w := range want {
		e := v.Events.At(i)
		if e.Type != w.typ || (w.summary != "" && e.Summary != w.summary) {
			t.Errorf("event %d = %s %q, want %s %q", i, e.Type, e.Summary, w.typ, w.summary)
		}
		if stream.HasUnsafe(e.Summary) || strings.ContainsRune(e.Summary, 0x1b) {
			t.Errorf("event %d summary %q is not sanitized", i, e.Summary)
		}
	}
	if s := v.Events.At(4).Summary; !strings.Contains(s, "red") {
		t.Errorf("text summary %q lost the text", s)
	}
	var txt, md bytes.Buffer
	d := &Diagnosis{ToolVersion: "t", Exchanges: []*Verdict{v}}
	if err := WriteText(&txt, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if !strings.Contains(out, "bedrock-converse via bedrock") || !strings.Contains(out, "not measured") {
			t.Errorf("%s report lacks the dialect, gateway or the SDK note:\n%s", name, out)
		}
		if strings.Contains(out, "anthropic-python") || strings.Contains(out, "openai-python") {
			t.Errorf("%s report predicts an Anthropic or OpenAI SDK on a ConverseStream:\n%s", name, out)
		}
	}
}

// FuzzConverse builds well-framed event streams from arbitrary event
// names and payloads (one "name\tpayload" per line; a name starting with
// "!" is an exception frame), so the fuzzer reaches the Converse checker
// rather than the CRC check, and checks the verdict's invariants and that
// no report of it holds an unsafe character.
func FuzzConverse(f *testing.F) {
	f.Add([]byte("messageStart\t{\"role\":\"assistant\"}\ncontentBlockDelta\t{\"contentBlockIndex\":0,\"delta\":{\"text\":\"hi\"}}\nmessageStop\t{\"stopReason\":\"end_turn\"}\nmetadata\t{}"), true)
	f.Add([]byte("messageStart\t{}\n!throttlingException\t{\"message\":\"slow\"}"), false)
	f.Add([]byte("contentBlockStop\t{\"contentBlockIndex\":-1}\ncontentBlockDelta\t{\"contentBlockIndex\":99999999999999999999}\n\u202e\t\x1b[2J"), true)
	f.Fuzz(func(t *testing.T, spec []byte, withURL bool) {
		var body []byte
		for _, line := range bytes.Split(spec, []byte("\n")) {
			name, payload, _ := bytes.Cut(line, []byte("\t"))
			if len(name) > 255 || len(payload) > 1<<16 {
				continue
			}
			if n, ok := bytes.CutPrefix(name, []byte("!")); ok {
				body = append(body, cvException(string(n), string(payload))...)
			} else {
				body = append(body, cvEvent(string(name), string(payload))...)
			}
		}
		v := Diagnose(converseX(body, withURL), Options{})
		checkInvariants(t, v)
		checkReportsSafe(t, &Diagnosis{ToolVersion: "fuzz", Exchanges: []*Verdict{v}})
		Assemble(v, v.Events.Len())
	})
}

// TestConverseAssemble: the assembled view of a ConverseStream holds the
// reasoning, the text and the tool call with its input, the stop reason
// and the usage — and the exception when one ended the stream.
func TestConverseAssemble(t *testing.T) {
	v := Diagnose(loadExchange(t, filepath.Join("testdata", "bedrock-converse-claude-tool-use.http")), Options{})
	m := Assemble(v, 100)
	if len(m.Blocks) != 2 || m.StopReason != "tool_use" || m.Usage.InputTokens != 402 || m.Usage.OutputTokens != 61 || m.Role != "assistant" {
		t.Fatalf("assembled %+v", *m)
	}
	if b := m.Blocks[0]; b.Type != "thinking" || b.Text != "The user wants the weather." || b.Signature == "" || !b.Complete {
		t.Errorf("reasoning block %+v", b)
	}
	if b := m.Blocks[1]; b.Type != "tool_use" || b.Name != "get_weather" || b.ID == "" || b.Input != `{"city": "Paris"}` || !b.Complete {
		t.Errorf("tool block %+v", b)
	}
	if m := Assemble(v, 2); len(m.Blocks) != 1 || m.StopReason != "" || m.Events != 3 {
		t.Errorf("assembled up to event 2: %+v", *m)
	}
	v = Diagnose(loadExchange(t, filepath.Join("testdata", "bedrock-converse-llama-throttling.http")), Options{})
	if m := Assemble(v, 100); m.ErrorType != "throttlingException" || len(m.Blocks) != 1 || m.Blocks[0].Text != "The capital of France" {
		t.Errorf("assembled %+v", *m)
	}
}

// TestConverseBlocksBounded: a stream naming ever new block indexes does
// not grow the checker's block table past its bound.
func TestConverseBlocksBounded(t *testing.T) {
	var body []byte
	for i := range maxConverseBlocks + 100 {
		body = append(body, cvEvent("contentBlockStop", `{"contentBlockIndex":`+strconv.Itoa(i)+`}`)...)
	}
	d, _ := newDiag(converseX(join(cvStart, body), true), Options{})
	d.decodeBedrock()
	c := d.chk.(*converseChecker)
	if len(c.blocks) != maxConverseBlocks {
		t.Errorf("%d blocks tracked, want the bound %d", len(c.blocks), maxConverseBlocks)
	}
}

// TestConverseExceptionWording: the exception finding says where its
// status comes from — the model's originalStatusCode or AWS's table — and
// that the AWS SDKs' reported status is not measured.
func TestConverseExceptionWording(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"bedrock-converse-model-stream-error.http", []string{"originalStatusCode", "is 500", "gives the frame 424", "not measured"}},
		{"bedrock-converse-llama-throttling.http", []string{"error table gives it status 429", "not measured", "Content had already been delivered"}},
	}
	for _, c := range cases {
		v := Diagnose(loadExchange(t, filepath.Join("testdata", c.file)), Options{})
		f := finding(v, "C-exception-frame")
		if f == nil {
			t.Fatalf("%s: no C-exception-frame in %v", c.file, codes(v))
		}
		for _, w := range c.want {
			if !strings.Contains(f.Detail, w) {
				t.Errorf("%s: detail lacks %q: %s", c.file, w, f.Detail)
			}
		}
	}
}
