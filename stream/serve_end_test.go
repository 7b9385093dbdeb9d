package stream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

const (
	chatDelta  = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
	chatDone   = "data: [DONE]\n\n"
	msgStop    = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	errOverEvt = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
)

func endedWith(body string, e End) *Exchange {
	x := FromBody("t", []byte(body))
	x.End = e
	return x
}

// ServedClean replays the upstream's end: a client that hung up after a
// complete terminator does not turn the replay into a dropped connection;
// anything the upstream (or midstream) broke stays broken.
func TestServedClean(t *testing.T) {
	canceled := func(by string) End { return End{Reason: EndCanceled, Err: "canceled", By: by} }
	tests := []struct {
		name string
		x    *Exchange
		want bool
	}{
		{"clean eof", endedWith(chatDelta+chatDone, End{Reason: EndEOF, By: ByUpstream}), true},
		{"client hung up after [DONE]", endedWith(chatDelta+chatDone, canceled(ByClient)), true},
		{"client hung up after message_stop", endedWith(msgStop, canceled(ByClient)), true},
		{"client hung up after an error event", endedWith(errOverEvt, canceled(ByClient)), true},
		{"client hung up after a CRLF [DONE]", endedWith(strings.ReplaceAll(chatDelta+chatDone, "\n", "\r\n"), canceled(ByClient)), true},
		{"client hung up after a Gemini finishReason", endedWith("data: {\"candidates\":[{\"finishReason\": \"STOP\"}]}\r\n\r\n", canceled(ByClient)), true},
		{"client hung up after response.completed", endedWith("event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n", canceled(ByClient)), true},
		{"old capture (no by) canceled after [DONE]", endedWith(chatDelta+chatDone, canceled("")), true},
		{"client hung up mid-stream", endedWith(chatDelta, canceled(ByClient)), false},
		{"client hung up mid-frame after [DONE] text", endedWith(chatDelta+"data: [DONE]", canceled(ByClient)), false},
		{"old capture canceled mid-stream", endedWith(chatDelta, canceled("")), false},
		{"shutdown after [DONE]", endedWith(chatDelta+chatDone, canceled(ByMidstream)), false},
		{"upstream reset after [DONE]", endedWith(chatDelta+chatDone, End{Reason: EndReset, By: ByUpstream}), false},
		{"upstream timeout", endedWith(chatDelta, End{Reason: EndTimeout}), false},
		{"injected cut", endedWith(chatDelta, End{Reason: EndReset, By: ByMidstream}), false},
		{"empty body canceled", endedWith("", canceled(ByClient)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServedClean(tt.x); got != tt.want {
				t.Errorf("ServedClean = %v, want %v", got, tt.want)
			}
		})
	}
}

// A real HTTP client sees a clean end for a capture whose recording
// client hung up after [DONE] or message_stop, and an aborted connection
// for one the upstream cut.
func TestServeReplaysTheUpstreamsEnd(t *testing.T) {
	tests := []struct {
		name      string
		x         *Exchange
		wantClean bool
	}{
		{"client canceled after [DONE]", endedWith(chatDelta+chatDone, End{Reason: EndCanceled, By: ByClient}), true},
		{"client canceled after message_stop", endedWith(msgStop, End{Reason: EndCanceled, By: ByClient}), true},
		{"old capture canceled after message_stop", endedWith(msgStop, End{Reason: EndCanceled}), true},
		{"upstream cut mid-stream", endedWith(chatDelta, End{Reason: EndReset, By: ByUpstream}), false},
		{"client canceled mid-stream", endedWith(chatDelta, End{Reason: EndCanceled, By: ByClient}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serveOne(t, &Server{Plan: []*Exchange{tt.x}, Instant: true})
			_, body, err := get(t, url)
			if clean := err == nil; clean != tt.wantClean {
				t.Errorf("read error %v; want clean end %v", err, tt.wantClean)
			}
			if !bytes.Equal(body, tt.x.Body()) {
				t.Errorf("body %q, want %q", body, tt.x.Body())
			}
		})
	}
}

// An old capture (no "by", no "injected") still reads, and the new fields
// round-trip through the JSONL format.
func TestCaptureByAndInjectedFields(t *testing.T) {
	old := `{"format":"midstream-capture","version":1,"timed":true,"request":{"method":"POST","url":"https://api.openai.com/v1/chat/completions","headers":{}},"response":{"status":200,"status_text":"OK","headers":{},"at_us":1000}}
{"t":"chunk","at_us":2000,"text":"data: [DONE]\n\n"}
{"t":"end","at_us":3000,"reason":"canceled","err":"canceled: context canceled"}
`
	xs, err := Parse("old.jsonl", []byte(old))
	if err != nil || len(xs) != 1 {
		t.Fatalf("old capture: %v (%d exchanges)", err, len(xs))
	}
	if x := xs[0]; x.End.By != "" || x.Injected != "" || !ServedClean(x) {
		t.Errorf("old capture: by %q injected %q served clean %v; want \"\", \"\", true", x.End.By, x.Injected, ServedClean(x))
	}

	x := endedWith(chatDelta, End{Reason: EndReset, Err: "aborted by injected fault cut@1", By: ByMidstream})
	x.Injected = "cut@1"
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, x); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"injected":"cut@1"`, `"by":"midstream"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("capture lacks %s:\n%s", want, buf.String())
		}
	}
	ys, err := Read("new.jsonl", io.Reader(&buf))
	if err != nil || len(ys) != 1 || ys[0].Injected != "cut@1" || ys[0].End.By != ByMidstream {
		t.Fatalf("round trip: %v %+v", err, ys)
	}

	// A "by" midstream does not write is ignored, not trusted.
	odd := strings.Replace(old, `"reason":"canceled"`, `"reason":"canceled","by":"someone"`, 1)
	if zs, err := Parse("odd.jsonl", []byte(odd)); err != nil || zs[0].End.By != "" {
		t.Errorf("unknown by: %v %+v", err, zs)
	}
}

// HAR exports keep who ended the exchange and the injected fault in
// midstream's own "_midstream" field, and read them back.
func TestHARKeepsByAndInjected(t *testing.T) {
	x := endedWith(chatDelta, End{Reason: EndReset, Err: "aborted by injected fault cut@1", By: ByMidstream})
	x.Injected = "cut@1"
	x.Request = &Request{Method: "POST", URL: "https://api.openai.com/v1/chat/completions"}
	x.Response = &Response{Status: 200, Header: map[string][]string{"Content-Type": {"text/event-stream"}}}
	var buf bytes.Buffer
	if err := WriteHAR(&buf, x); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"injected":"cut@1"`, `"end_by":"midstream"`} {
		if !strings.Contains(strings.ReplaceAll(buf.String(), `": "`, `":"`), want) {
			t.Errorf("HAR lacks %s", want)
		}
	}
	ys, err := Read("x.har", &buf)
	if err != nil || len(ys) != 1 || ys[0].Injected != "cut@1" || ys[0].End.By != ByMidstream {
		t.Fatalf("round trip: %v %+v", err, ys)
	}
}

// The injected name is copied from whatever capture was read, so writing
// it again (export, a proxy re-recording) redacts a key in it like every
// other field: neither JSONL nor HAR repeats one.
func TestInjectedNameIsRedactedWhenWritten(t *testing.T) {
	x := endedWith(chatDelta, End{Reason: EndEOF})
	x.Injected = "error@1 " + canary
	x.Request = &Request{Method: "POST", URL: "https://api.openai.com/v1/chat/completions"}
	x.Response = &Response{Status: 200, Header: map[string][]string{"Content-Type": {"text/event-stream"}}}
	for _, w := range []struct {
		name  string
		write func(io.Writer, ...*Exchange) error
	}{{"jsonl", WriteJSONL}, {"har", WriteHAR}} {
		var buf bytes.Buffer
		if err := w.write(&buf, x); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if strings.Contains(buf.String(), canary) {
			t.Errorf("%s repeats the key in the injected name", w.name)
		}
		ys, err := Read("x."+w.name, &buf)
		if err != nil || len(ys) != 1 || !strings.HasPrefix(ys[0].Injected, "error@1 ") {
			t.Errorf("%s round trip: %v %+v", w.name, err, ys)
		}
	}
}

// The case end to end: a client that hangs up right after [DONE]
// while the upstream holds the connection is recorded as ended by the
// client, and serving that capture gives the next client a clean end.
func TestProxyClientHangUpAfterDoneServesClean(t *testing.T) {
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, chatDelta+chatDone)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the upstream has not closed yet
	}))
	defer env.close(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", env.srv.URL+"/v1/chat/completions", nil)
	resp, err := env.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, 256)
	for !bytes.HasSuffix(got, []byte(chatDone)) {
		b := make([]byte, 256)
		n, err := resp.Body.Read(b)
		got = append(got, b[:n]...)
		if err != nil {
			t.Fatalf("read %q: %v", got, err)
		}
	}
	cancel() // the SDK stops at [DONE] and hangs up
	resp.Body.Close()
	x, _ := readCapture(t, env.next(t).capture)
	if x.End.Reason != EndCanceled || x.End.By != ByClient {
		t.Fatalf("capture end = %+v, want cancelled by the client", x.End)
	}
	if !ServedClean(x) {
		t.Fatal("ServedClean = false for a capture whose client hung up after [DONE]")
	}
	url := serveOne(t, &Server{Plan: []*Exchange{x}, Instant: true})
	if _, body, err := get(t, url); err != nil || string(body) != chatDelta+chatDone {
		t.Errorf("served %q, %v; want the whole stream and a clean end", body, err)
	}
}

func TestEndedBy(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ByUpstream},
		{io.EOF, ByUpstream},
		{io.ErrUnexpectedEOF, ByUpstream},
		{ErrClientGone, ByClient},
		{ErrUserCanceled, ByClient},
		{ErrShutdown, ByMidstream},
		{ErrIdleTimeout, ByMidstream},
		{ErrTotalTimeout, ByMidstream},
	}
	for _, tt := range tests {
		if got := endedBy(tt.err); got != tt.want {
			t.Errorf("endedBy(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// FuzzServedClean: the terminator check reads the tail of an untrusted
// body. Whatever the body, it never panics; a body followed by a complete
// [DONE] event is served clean, and the same without the blank line that
// ends the event is not (the last frame is then incomplete).
func FuzzServedClean(f *testing.F) {
	for _, s := range []string{"", chatDelta, msgStop, errOverEvt, "data: x\r", "\r\n\r\n", strings.Repeat("data: y\n", 2000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		hungUp := End{Reason: EndCanceled, By: ByClient}
		ServedClean(endedWith(string(body), hungUp))
		if x := endedWith(string(body)+"\n\n"+chatDone, hungUp); !ServedClean(x) {
			t.Errorf("body + [DONE] event not served clean")
		}
		if x := endedWith(string(body)+"\n\n"+strings.TrimSuffix(chatDone, "\n"), hungUp); ServedClean(x) {
			t.Errorf("body + [DONE] without its blank line served clean")
		}
	})
}
