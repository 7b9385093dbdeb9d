package inspect

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// NewInjector returns the stream.Injector for `--inject`, `--attempts`
// and `--chaos`. Requests whose number at does not list are answered
// clean. Without chaos (chaosSeed 0), every hit request gets all the
// faults at once, combined in the order given: the pauses of stall and
// the pace of drip add up, and the first fault that changes the stream at
// an event (an error, a cut, …) decides what that event becomes. With
// chaos, each hit request gets one fault picked from faults (from
// DrillFaults of the request's dialect when faults is empty) by a
// generator seeded with chaosSeed and the request's number, so the same
// seed gives the same fault to the same request whatever the timing.
func NewInjector(faults []Fault, at Attempts, chaosSeed int64) stream.Injector {
	return &injector{faults: append([]Fault(nil), faults...), at: at, seed: chaosSeed}
}

type injector struct {
	faults []Fault
	at     Attempts
	seed   int64
}

// For returns request seq's rewrite, or nil when it is answered clean.
func (in *injector) For(seq int, r *http.Request, x *stream.Exchange) stream.Rewrite {
	if !in.at.Hits(seq) {
		return nil
	}
	fs := in.faults
	if in.seed != 0 {
		pool := fs
		if len(pool) == 0 {
			pool = DrillFaults(detectDialectProvider(x, nil))
		}
		rng := rand.New(rand.NewPCG(uint64(in.seed), uint64(seq)))
		fs = []Fault{pool[rng.IntN(len(pool))]}
	}
	if len(fs) == 0 {
		return nil
	}
	return newRewrite(fs, seq)
}

// rewrite is one request's faults, applied as its bytes pass.
type rewrite struct {
	faults []Fault
	name   string
	seq    int
	d      faultDialect
	known  bool   // d was detected (else sniffed from the first event)
	inert  bool   // a non-2xx answer: its body is left alone
	nl     string // the stream's line ending
	reqID  string
	respID string // Responses: the response id seen in the stream
	seqNum int    // Responses: the next sequence_number
	timed  bool   // error@T has fired
}

func newRewrite(fs []Fault, seq int) *rewrite {
	specs := make([]string, len(fs))
	for i, f := range fs {
		specs[i] = f.Spec
	}
	return &rewrite{faults: fs, name: strings.Join(specs, "+"), seq: seq, nl: "\n"}
}

// Name is the specs joined with "+".
func (w *rewrite) Name() string { return w.name }

// Rate is the slowest drip's pace, 0 without drip.
func (w *rewrite) Rate() int {
	rate := 0
	for _, f := range w.faults {
		if f.Class == FaultDrip && (rate == 0 || f.Rate < rate) {
			rate = f.Rate
		}
	}
	return rate
}

// Head detects the dialect and answers status: faults.
func (w *rewrite) Head(x *stream.Exchange, status int, h http.Header) *stream.Answer {
	p := detectDialectProvider(x, h)
	w.d, w.known = faultDialectOf(p), p != ProviderGeneric && p != ""
	if w.d == fdGemini {
		w.nl = "\r\n"
	}
	w.reqID = h.Get("Request-Id")
	if w.reqID == "" {
		w.reqID = h.Get("X-Request-Id")
	}
	if w.reqID == "" {
		w.reqID = fakeRequestID(w.name, w.seq)
	}
	for _, f := range w.faults {
		if f.Class == FaultStatus {
			hdr, body := statusAnswer(w.d, f, w.reqID)
			return &stream.Answer{Status: f.Status, Header: hdr, Body: body}
		}
	}
	w.inert = status < 200 || status > 299
	return nil
}

// Event applies the faults to event n.
func (w *rewrite) Event(n int, frame []byte, at time.Duration) stream.Step {
	if w.inert {
		return stream.Step{Send: frame}
	}
	if n == 1 && !w.known {
		w.d, w.known = sniffDialect(frame), true
	}
	w.observe(frame)
	var out stream.Step
	decided := false
	for _, f := range w.faults {
		st := w.faultStep(f, n, frame, at)
		if !st.Fired {
			continue
		}
		out.Fired = true
		out.Pause += st.Pause
		if out.Ping == nil {
			out.Ping, out.PingEvery = st.Ping, st.PingEvery
		}
		if !decided && (st.End != stream.Continue || !bytes.Equal(st.Send, frame)) {
			out.Send, out.End, decided = st.Send, st.End, true
		}
	}
	if !decided {
		out.Send = frame
	}
	return out
}

// Finish adds what faults put after the last event: a tail. (An error@T
// whose stream ended before T never fires, like an error@N past the last
// event: the stream is then served as it was.)
func (w *rewrite) Finish(events int, at time.Duration) stream.Step {
	if w.inert {
		return stream.Step{}
	}
	for _, f := range w.faults {
		if f.Class == FaultTail {
			return stream.Step{Send: tailBytes(w.d, f, w.reqID), End: stream.EndClean, Fired: true}
		}
	}
	return stream.Step{}
}

// faultStep is what fault f alone makes of event n.
func (w *rewrite) faultStep(f Fault, n int, frame []byte, at time.Duration) stream.Step {
	fired := func(send []byte, end stream.Ending) stream.Step {
		return stream.Step{Send: send, End: end, Fired: true}
	}
	switch f.Class {
	case FaultError:
		if (f.N > 0 && n == f.N) || (f.N == 0 && !w.timed && at >= f.After) {
			w.timed = true
			return fired(w.errorBytes(f), stream.EndClean)
		}
	case FaultCut:
		if n == f.N {
			return fired(frame[:cutPoint(frame)], stream.EndAbort)
		}
	case FaultCutBetween:
		if n == f.N {
			return fired(frame, stream.EndAbort)
		}
	case FaultCutBeforeEnd:
		if isTerminator(w.d, frame) {
			return fired(nil, stream.Continue)
		}
	case FaultReset:
		if n == f.N {
			return fired(nil, stream.EndResetConn)
		}
	case FaultStall:
		if n == f.N {
			st := fired(frame, stream.Continue)
			st.Pause = f.Stall
			if f.Pings {
				st.Ping, st.PingEvery = w.pingBytes(), min(5*time.Second, max(f.Stall/3, 10*time.Millisecond))
			}
			return st
		}
	case FaultDrip:
		if n == 1 {
			return fired(frame, stream.Continue)
		}
	case FaultGarble:
		if n == f.N {
			return fired(garble(frame), stream.Continue)
		}
	}
	return stream.Step{Send: frame}
}

// observe keeps what later fault bytes quote from the stream: its line
// ending and, for Responses, the response id and sequence number.
func (w *rewrite) observe(frame []byte) {
	if bytes.Contains(frame, []byte("\r\n")) {
		w.nl = "\r\n"
	} else if bytes.IndexByte(frame, '\n') >= 0 {
		w.nl = "\n"
	}
	if w.d != fdResponses {
		return
	}
	if w.respID == "" {
		if m := respIDRe.FindSubmatch(frame); m != nil {
			w.respID = string(m[1])
		}
	}
	if m := seqNumRe.FindSubmatch(frame); m != nil {
		if v, err := strconv.Atoi(string(m[1])); err == nil {
			w.seqNum = v + 1
		}
	}
}

var (
	respIDRe = regexp.MustCompile(`"id"\s*:\s*"(resp_[A-Za-z0-9_-]+)"`)
	seqNumRe = regexp.MustCompile(`"sequence_number"\s*:\s*(\d{1,9})`)
)

// cutPoint is where cut@N cuts a frame: in its middle, never after the
// last data byte (the client must get a frame it cannot complete).
func cutPoint(frame []byte) int {
	body := len(bytes.TrimRight(frame, "\r\n"))
	return max(1, min(len(frame)/2, body-1))
}

// garble makes the JSON of a frame's first data line malformed by
// cutting it in half; the frame keeps its end, so the stream goes on.
func garble(frame []byte) []byte {
	lines := bytes.SplitAfter(frame, []byte("\n"))
	var out []byte
	done := false
	for _, l := range lines {
		if !done && bytes.HasPrefix(l, []byte("data:")) {
			content := bytes.TrimRight(l, "\r\n")
			end := l[len(content):]
			v := bytes.TrimPrefix(bytes.TrimPrefix(content, []byte("data:")), []byte(" "))
			keep := len(content) - len(v) + max(1, len(v)/2)
			out = append(append(out, content[:keep]...), end...)
			done = true
			continue
		}
		out = append(out, l...)
	}
	return out
}

// terminatorRes match, per dialect, the event that ends a complete stream.
var (
	anthropicStop = regexp.MustCompile(`(?m)^(event: ?message_stop|data: ?\{\s*"type"\s*:\s*"message_stop")`)
	chatDone      = regexp.MustCompile(`(?m)^data: ?\[DONE\]`)
	respDone      = regexp.MustCompile(`(?m)^(event: ?response\.completed|data: ?\{\s*"type"\s*:\s*"response\.completed")`)
	geminiDone    = regexp.MustCompile(`"finishReason"\s*:\s*"[A-Z_]+"`)
)

// isTerminator reports whether frame is the dialect's terminator, the one
// event cut-before-end drops.
func isTerminator(d faultDialect, frame []byte) bool {
	switch d {
	case fdAnthropic:
		return anthropicStop.Match(frame)
	case fdResponses:
		return respDone.Match(frame)
	case fdGemini:
		return geminiDone.Match(frame)
	}
	return chatDone.Match(frame)
}

// pingBytes is the dialect's keep-alive: Anthropic's ping event, an SSE
// comment elsewhere (OpenAI-compatible servers send ": keep-alive";
// Gemini sends none that midstream knows of: not measured).
func (w *rewrite) pingBytes() []byte {
	if w.d == fdAnthropic {
		return []byte("event: ping" + w.nl + `data: {"type": "ping"}` + w.nl + w.nl)
	}
	return []byte(": keep-alive" + w.nl + w.nl)
}

// errorBytes renders error@…:TYPE in the dialect's own words, followed by
// whatever the provider sends after it before closing.
func (w *rewrite) errorBytes(f Fault) []byte {
	k, _ := lookupErrorKind(f.Type)
	nl := w.nl
	ev := func(name, data string) string {
		s := ""
		if name != "" {
			s = "event: " + name + nl
		}
		return s + "data: " + data + nl + nl
	}
	switch w.d {
	case fdAnthropic:
		// Nothing follows an Anthropic error event (no message_stop).
		return []byte(ev("error", anthropicErrorJSON(k, w.reqID)))
	case fdResponses:
		code := k.oaCode
		if code == "" {
			code = k.oaType
		}
		id := w.respID
		if id == "" {
			id = "resp_" + strings.TrimPrefix(w.reqID, "req_")
		}
		e := fmt.Sprintf(`{"type":"error","sequence_number":%d,"code":%s,"message":%s,"param":null}`,
			w.seqNum, jsonQuote(code), jsonQuote(k.oaMsg))
		failed := fmt.Sprintf(`{"type":"response.failed","sequence_number":%d,"response":{"id":%s,"object":"response","status":"failed","error":{"code":%s,"message":%s}}}`,
			w.seqNum+1, jsonQuote(id), jsonQuote(code), jsonQuote(k.oaMsg))
		return []byte(ev("error", e) + ev("response.failed", failed))
	case fdGemini:
		return []byte(ev("", googleErrorCompact(k, k.gCode)))
	case fdOpenRouter:
		code := k.oaCode
		if code == "" {
			code = k.oaType
		}
		return []byte(ev("", fmt.Sprintf(`{"error":{"code":%s,"message":%s},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}`,
			jsonQuote(code), jsonQuote(k.oaMsg))))
	}
	return []byte(ev("", `{"error":`+openAIErrorObject(k)+`}`) + ev("", "[DONE]"))
}

// fakeRequestID makes a request id in Anthropic's form (req_011 and 21
// base58 characters) for a stream that carried none, stable per request.
func fakeRequestID(name string, seq int) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	h := fnv.New64a()
	fmt.Fprintf(h, "%s#%d", name, seq)
	rng := rand.New(rand.NewPCG(h.Sum64(), 13))
	b := []byte("req_011")
	for range 21 {
		b = append(b, alphabet[rng.IntN(len(alphabet))])
	}
	return string(b)
}

// detectDialectProvider says which provider's words a fault uses for x
// (h: the response header about to be sent, nil if none yet): Gemini by
// its URL (:streamGenerateContent) or body (candidates), the rest as
// DetectProvider says.
func detectDialectProvider(x *stream.Exchange, h http.Header) Provider {
	if x == nil {
		return ProviderGeneric
	}
	if x.Request != nil && strings.Contains(x.Request.URL, ":streamGenerateContent") {
		return ProviderGemini
	}
	if bytes.Contains(x.BodyPrefix(4096), []byte(`"candidates"`)) {
		return ProviderGemini
	}
	y := *x
	if y.Response == nil && h != nil {
		y.Response = &stream.Response{Status: 200, Header: h}
	}
	return DetectProvider(&y)
}

// sniffDialect guesses the dialect from a stream's first event, for
// streams whose URL and headers did not say.
func sniffDialect(frame []byte) faultDialect {
	switch {
	case bytes.Contains(frame, []byte(`"candidates"`)):
		return fdGemini
	case bytes.Contains(frame, []byte("message_start")):
		return fdAnthropic
	case bytes.Contains(frame, []byte(`"response.`)), bytes.Contains(frame, []byte("event: response.")):
		return fdResponses
	}
	return fdOpenAIChat
}
