package inspect

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// noRespX is a recorded request that got no response and ended with err.
func noRespX(err error) *stream.Exchange {
	r, msg := stream.ClassifyTransportError(err)
	return &stream.Exchange{
		Source:  "live",
		Format:  stream.FormatJSONL,
		Request: &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages", Header: http.Header{}, Body: []byte(`{"model":"claude-test","stream":true}`)},
		End:     stream.End{Reason: r, Err: msg},
	}
}

// refused is the error of a dial to a closed port.
var refused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

type fakeErr string

func (e fakeErr) Error() string { return string(e) }

// TestNoResponseOutcome: a recorded request with no response and a
// transport end is "no HTTP response (reason)" — no assumed 200, no
// mismatch — and the user's own cancel is "cancelled by you"; a bare body
// without a status line stays an assumed 200.
func TestNoResponseOutcome(t *testing.T) {
	midBody := func(err error) *stream.Exchange {
		x := withResponse(stream.FromBody("live", []byte(ant(evMS, evStart(0, "text"), evText(0, "Hi")))), 200, "Content-Type", "text/event-stream")
		x.End.Reason, x.End.Err = stream.ClassifyTransportError(err)
		return x
	}
	bareReset := stream.FromBody("t", []byte(ant(evMS)))
	bareReset.End.Reason = stream.EndReset
	rows := []struct {
		name     string
		x        *stream.Exchange
		want     Outcome
		status   int
		assumed  bool
		mismatch bool
	}{
		{"connection refused", noRespX(refused), OutcomeNoResponse, 0, false, false},
		{"DNS failure", noRespX(&net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}), OutcomeNoResponse, 0, false, false},
		{"TLS failure", noRespX(fakeErr("tls: failed to verify certificate: x509: certificate signed by unknown authority")), OutcomeNoResponse, 0, false, false},
		{"timeout before headers", noRespX(stream.ErrTotalTimeout), OutcomeNoResponse, 0, false, false},
		{"reset before headers", noRespX(fakeErr("read tcp: connection reset by peer")), OutcomeNoResponse, 0, false, false},
		{"user cancel before headers", noRespX(stream.ErrUserCanceled), OutcomeCanceled, 0, false, false},
		{"user cancel mid-body", midBody(stream.ErrUserCanceled), OutcomeCanceled, 200, false, false},
		{"client gone mid-body stays a transport error", midBody(stream.ErrClientGone), OutcomeTransportError, 200, false, true},
		{"bare body keeps the assumed 200", stream.FromBody("t", []byte(good)), OutcomeComplete, 200, true, false},
		{"bare body cut by a reset keeps the assumed 200", bareReset, OutcomeTransportError, 200, true, true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v := Diagnose(r.x, Options{})
			if v.Outcome != r.want || v.HTTPStatus != r.status || v.HTTPStatusAssumed != r.assumed || v.Mismatch != r.mismatch {
				t.Errorf("outcome %s status %d assumed %v mismatch %v, want %s %d %v %v (findings %v)",
					v.Outcome, v.HTTPStatus, v.HTTPStatusAssumed, v.Mismatch, r.want, r.status, r.assumed, r.mismatch, codes(v))
			}
			if r.want == OutcomeNoResponse {
				f := finding(v, "T-no-response")
				if f == nil || !strings.Contains(f.Title, strings.SplitN(r.x.End.Err, ":", 2)[0]) {
					t.Errorf("T-no-response finding %+v, want it to name the fault (%s)", f, r.x.End.Err)
				}
			}
			if r.want == OutcomeCanceled && !hasCode(v, "T-canceled-by-user") {
				t.Errorf("no T-canceled-by-user finding: %v", codes(v))
			}
		})
	}
}

// TestNoResponseReports: text, Markdown and JSON say "no HTTP response",
// never an assumed 200 or a mismatch.
func TestNoResponseReports(t *testing.T) {
	v := Diagnose(noRespX(refused), Options{})
	d := &Diagnosis{ToolVersion: "test", Exchanges: []*Verdict{v}}
	var text, md, js bytes.Buffer
	if err := WriteText(&text, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, d); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		for _, want := range []string{"no HTTP response", "connection refused"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s report lacks %q:\n%s", name, want, out)
			}
		}
		for _, bad := range []string{"MISMATCH", "assumed", "mid-body"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s report says %q:\n%s", name, bad, out)
			}
		}
	}
	var doc struct {
		Exchanges []struct {
			HTTPStatus *int   `json:"http_status"`
			Assumed    bool   `json:"http_status_assumed"`
			Mismatch   bool   `json:"mismatch"`
			Outcome    string `json:"outcome"`
		} `json:"exchanges"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Exchanges) != 1 {
		t.Fatalf("json: %v\n%s", err, js.String())
	}
	if e := doc.Exchanges[0]; e.HTTPStatus != nil || e.Assumed || e.Mismatch || e.Outcome != "no_response" {
		t.Errorf("json exchange %+v, want no status, not assumed, no mismatch, outcome no_response", e)
	}
}

// TestNoResponseSDKAnswers: each SDK's connection error, with its source;
// the rest "not measured".
func TestNoResponseSDKAnswers(t *testing.T) {
	ant := Diagnose(noRespX(refused), Options{})
	oai := noRespX(refused)
	oai.Request.URL = "https://api.openai.com/v1/chat/completions"
	openai := Diagnose(oai, Options{})
	rows := []struct {
		sdk, raises string
		retry       bool
	}{
		{SDKAnthropicPython, "anthropic.APIConnectionError", true},
		{SDKOpenAIPython, "openai.APIConnectionError", true},
		{SDKAnthropicTypeScript, "Anthropic.APIConnectionError", true},
		{SDKOpenAINode, "OpenAI.APIConnectionError", true},
		{SDKAnthropicGo, "net/http error", true},
		{SDKOpenAIGo, "net/http error", true},
		{SDKAnthropicJava, "not measured", false},
		{SDKVercelAI, "not measured", false},
	}
	for _, r := range rows {
		t.Run(r.sdk, func(t *testing.T) {
			v := ant
			if !isAnthropicSDK(r.sdk) {
				v = openai
			}
			a := SDKFor(v, Options{SDK: &SDKRef{Name: r.sdk}})
			if a == nil {
				t.Fatal("no answer")
			}
			if !strings.Contains(a.Raises, r.raises) || a.BuiltinRetry != r.retry {
				t.Errorf("raises %q retry %v, want %q %v", a.Raises, a.BuiltinRetry, r.raises, r.retry)
			}
			if strings.Contains(a.Raises, "RemoteProtocolError") || (r.raises != "not measured" && !strings.Contains(a.Advice, "source: ")) {
				t.Errorf("answer without its source: %+v", a)
			}
		})
	}
}

// noResponseDiagnosis: live's request to a closed port, for the golden
// reports.
func noResponseDiagnosis(testing.TB) *Diagnosis {
	v := Diagnose(noRespX(refused), Options{})
	return &Diagnosis{ToolVersion: "0.1.0-test", Runtime: "go1.26 testos/testarch", Exchanges: []*Verdict{v}}
}
