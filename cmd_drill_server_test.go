package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// builtinExchanges parses the built-in captures as drill does.
func builtinExchanges(t *testing.T) map[string]*stream.Exchange {
	t.Helper()
	s, err := prepare(&drillFlags{format: "table", timeout: time.Second, attempts: "1"})
	if err != nil {
		t.Fatal(err)
	}
	return s.builtins
}

// TestDrillBuiltinsAreCleanAndComplete: each built-in stream is what drill
// promises to serve: a complete stream of its dialect, served whole.
func TestDrillBuiltinsAreCleanAndComplete(t *testing.T) {
	want := map[string]inspect.Provider{
		"anthropic":        inspect.ProviderAnthropic,
		"openai-chat":      inspect.ProviderOpenAIChat,
		"openai-responses": inspect.ProviderOpenAIResponses,
	}
	for name, x := range builtinExchanges(t) {
		t.Run(name, func(t *testing.T) {
			v := inspect.Diagnose(x, inspect.Options{})
			if v.Outcome != inspect.OutcomeComplete || v.Error != nil {
				t.Errorf("outcome %s error %+v, want a complete stream", v.Outcome, v.Error)
			}
			// drill's default faults reach event 3 and the terminator:
			// a shorter stream would leave some of them nothing to break.
			if v.EventCount < 4 {
				t.Errorf("%d events, want at least 4", v.EventCount)
			}
			if p, ok := want[name]; ok && v.Provider != p {
				t.Errorf("provider %s, want %s", v.Provider, p)
			}
			if !x.End.Clean() {
				t.Errorf("end %s, want clean", x.End.Reason)
			}
		})
	}
}

// rawPost sends a streaming POST for path to addr and reads the answer
// until it has read stop (or all, when stop is ""), then hangs up.
func rawPost(t *testing.T, addr, path, stop string) (status int, body string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", path)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 64)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if stop != "" && strings.Contains(b.String(), stop) || err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// TestDrillServerFacts checks what the drill server records per request:
// the dialect chosen by path, the fault that rewrote it, and whether the
// whole answer went out.
func TestDrillServerFacts(t *testing.T) {
	builtins := builtinExchanges(t)
	fault := func(spec string) *inspect.Fault {
		f, err := inspect.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		return &f
	}
	// fired is the rewrite's own signal, as the run records it (At is
	// not compared: it is a time).
	fired := func(event int, afterLast bool) *stream.Fired {
		return &stream.Fired{Fired: true, Event: event, AfterLast: afterLast}
	}
	never := &stream.Fired{}
	cases := []struct {
		name      string
		fault     *inspect.Fault
		path      string
		stop      string // the client hangs up once it has read this
		status    int
		want      attempt // Fired aside
		wantFired *stream.Fired
	}{
		{"clean answer read to the end", nil, "/v1/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Complete: true, Full: true}, nil},
		{"client hangs up right after [DONE] (openai-go does)", nil, "/v1/chat/completions", "data: [DONE]", 200,
			attempt{Seq: 1, Dialect: "openai-chat", Complete: true, Full: true}, nil},
		{"Vercel's path without /v1", nil, "/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Complete: true, Full: true}, nil},
		{"a status fault fires in place of the response (event 0)", fault("status:529"), "/v1/messages", "", 529,
			attempt{Seq: 1, Dialect: "anthropic", Fault: "status:529"}, fired(0, false)},
		{"an error event fires at its event", fault("error@2:overloaded_error"), "/v1/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Fault: "error@2:overloaded_error"}, fired(2, false)},
		{"a fault past the stream's end never fires", fault("error@99:api_error"), "/v1/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Fault: "error@99:api_error", Complete: true}, never},
		{"a stall past the stream's end never fires, though no byte tells", fault("stall@99:5s"), "/v1/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Fault: "stall@99:5s", Complete: true}, never},
		{"a stall keeps the bytes and still fires", fault("stall@2:10ms"), "/v1/messages", "", 200,
			attempt{Seq: 1, Dialect: "anthropic", Fault: "stall@2:10ms", Complete: true}, fired(2, false)},
		{"a Gemini tail fires after the last event", fault("tail:503"), "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "", 200,
			attempt{Seq: 1, Dialect: "gemini", Fault: "tail:503", Complete: true}, fired(4, true)},
		{"a path drill does not serve", nil, "/v1/models", "", 404,
			attempt{Seq: 1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var inj func() stream.Injector
			if c.fault != nil {
				f := *c.fault
				at, _ := inspect.ParseAttempts("1")
				inj = func() stream.Injector { return inspect.NewInjector([]inspect.Fault{f}, at, 0) }
			}
			run := newDrillRun(nil, builtins, inj)
			srv := httptest.NewServer(run)
			defer srv.Close()
			status, _ := rawPost(t, strings.TrimPrefix(srv.URL, "http://"), c.path, c.stop)
			srv.Close() // waits for the handler
			run.Wait()
			got := run.Attempts()
			if len(got) != 1 {
				t.Fatalf("status %d attempts %+v, want one", status, got)
			}
			gotFired := got[0].Fired
			got[0].Fired = nil
			if status != c.status || got[0] != c.want {
				t.Errorf("status %d attempt %+v, want %d %+v", status, got[0], c.status, c.want)
			}
			switch {
			case (gotFired == nil) != (c.wantFired == nil):
				t.Errorf("fired %+v, want %+v", gotFired, c.wantFired)
			case gotFired != nil && (gotFired.Fired != c.wantFired.Fired || gotFired.Event != c.wantFired.Event || gotFired.AfterLast != c.wantFired.AfterLast):
				t.Errorf("fired %+v, want %+v", *gotFired, *c.wantFired)
			}
		})
	}
}

// TestDrillServerClientLeavesEarly: a client that reads part of a slow
// answer and hangs up did not get the full answer.
func TestDrillServerClientLeavesEarly(t *testing.T) {
	drip, err := inspect.ParseFault("drip:200")
	if err != nil {
		t.Fatal(err)
	}
	at, _ := inspect.ParseAttempts("1")
	run := newDrillRun(nil, builtinExchanges(t), func() stream.Injector {
		return inspect.NewInjector([]inspect.Fault{drip}, at, 0)
	})
	srv := httptest.NewServer(run)
	defer srv.Close()
	_, body := rawPost(t, strings.TrimPrefix(srv.URL, "http://"), "/v1/messages", "message_start")
	if strings.Contains(body, "message_stop") {
		t.Fatalf("the client read the whole answer: %q", body)
	}
	srv.Close()
	run.Wait()
	got := run.Attempts()
	if len(got) != 1 || got[0].Complete || got[0].Full || got[0].Fault != "drip:200" {
		t.Errorf("attempts %+v, want one drip:200 attempt neither complete nor full", got)
	}
}
