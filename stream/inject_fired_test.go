package stream

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// always hits every request with rw.
type always struct{ rw Rewrite }

func (a always) For(int, *http.Request, *Exchange) Rewrite { return a.rw }

// answerInstead answers 503 in place of the response.
type answerInstead struct{ passRewrite }

func (answerInstead) Head(*Exchange, int, http.Header) *Answer {
	return &Answer{Status: 503, Header: http.Header{}, Body: []byte(`{"error":{}}`)}
}

// tailAfter adds bytes after the last event, from Finish.
type tailAfter struct{ passRewrite }

func (tailAfter) Finish(int, time.Duration) Step {
	return Step{Send: []byte(`{"error":{}}`), End: EndClean, Fired: true}
}

// TestServerOnFired: Server.OnFired reports, once per rewritten answer,
// whether and where its rewrite fired — the explicit signal, whatever
// the bytes look like — and says nothing of a capture served as it is.
func TestServerOnFired(t *testing.T) {
	body := chatDelta + chatDelta + chatDone // three events
	tests := []struct {
		name   string
		rw     Rewrite
		status int    // the capture's
		want   *Fired // nil: OnFired must not be called
	}{
		{"a rewrite that passes everything never fired", passRewrite{}, 200, &Fired{}},
		{"ended after event 1 by an abort", endAfterFirst{EndAbort}, 200, &Fired{Fired: true, Event: 1}},
		{"ended cleanly after event 1", endAfterFirst{EndClean}, 200, &Fired{Fired: true, Event: 1}},
		{"answered in place of the response: event 0", answerInstead{}, 200, &Fired{Fired: true}},
		{"a tail after the last event", tailAfter{}, 200, &Fired{Fired: true, Event: 3, AfterLast: true}},
		{"a captured 429 is served as it is: no report", endAfterFirst{EndAbort}, 429, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := FromBody("t", []byte(body))
			x.Response = &Response{Status: tt.status, Header: http.Header{"Content-Type": {"text/event-stream"}}}
			var mu sync.Mutex
			var got []Fired
			s := &Server{Plan: []*Exchange{x}, Instant: true, Inject: always{tt.rw},
				OnFired: func(seq int, _ *http.Request, f Fired) {
					mu.Lock()
					defer mu.Unlock()
					if seq != 1 {
						t.Errorf("OnFired for request %d, want 1", seq)
					}
					got = append(got, f)
				}}
			url := serveOne(t, s)
			_, _, _ = get(t, url) // the rewrite's end, whatever it is
			s.Wait()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case tt.want == nil && len(got) != 0:
				t.Errorf("OnFired called with %+v, want no call", got)
			case tt.want != nil && len(got) != 1:
				t.Fatalf("OnFired called %d times (%+v), want once", len(got), got)
			case tt.want != nil:
				g := got[0]
				if g.Fired != tt.want.Fired || g.Event != tt.want.Event || g.AfterLast != tt.want.AfterLast {
					t.Errorf("OnFired %+v, want %+v", g, *tt.want)
				}
				if !g.Fired && g.At != 0 {
					t.Errorf("never fired, yet At = %v", g.At)
				}
			}
		})
	}
}

// A capture whose upstream never answered (a refused connection) is
// served as no answer with --inject too: a rewrite that does not answer
// in the response's place has no stream to change, so the client must not
// get a made-up 200 (and OnFired says the fault never fired); a status
// fault still answers.
func TestServerInjectNeverAnswered(t *testing.T) {
	tests := []struct {
		name   string
		rw     Rewrite
		status int // 0: no answer at all
		fired  bool
	}{
		{"a stream fault: still no answer", endAfterFirst{EndClean}, 0, false},
		{"a pass-through: still no answer", passRewrite{}, 0, false},
		{"a status fault answers in its place", answerInstead{}, 503, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := &Exchange{End: End{Reason: EndError, Err: "connection refused: dial tcp"}}
			var mu sync.Mutex
			var got []Fired
			s := &Server{Plan: []*Exchange{x}, Instant: true, Inject: always{tt.rw},
				OnFired: func(_ int, _ *http.Request, f Fired) { mu.Lock(); got = append(got, f); mu.Unlock() }}
			resp, _, err := get(t, serveOne(t, s))
			s.Wait()
			switch {
			case tt.status == 0 && resp != nil: // get returns resp once headers came, even if the body then failed
				t.Errorf("got a %d answer (body error %v); the upstream never answered", resp.StatusCode, err)
			case tt.status != 0 && (err != nil || resp.StatusCode != tt.status):
				t.Errorf("got %v %v, want status %d", resp, err, tt.status)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0].Fired != tt.fired {
				t.Errorf("OnFired %+v, want once with fired %v", got, tt.fired)
			}
		})
	}
}

// An upstream error passes the proxy's injection path untouched, as
// copyBody would pass it: same status, body and Content-Length (the
// rewrite only drops the length of a body it rewrites), and unlabelled.
func TestProxyInjectLeavesUpstreamErrorWhole(t *testing.T) {
	const body = `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`
	env := newProxyEnv(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, body)
	}))
	env.p.Inject = always{endAfterFirst{EndAbort}}
	defer env.close(t)
	resp, err := env.client.Post(env.srv.URL+"/v1/messages", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusTooManyRequests || string(got) != body {
		t.Fatalf("client got %d %q (%v), want the upstream's 429 as it was", resp.StatusCode, got, err)
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d, want the upstream's %d", resp.ContentLength, len(body))
	}
	if x := env.next(t).x; x.Injected != "" || x.End.Fired != nil {
		t.Errorf("capture says injected %q, fired %+v; the fault never applied", x.Injected, x.End.Fired)
	}
}
