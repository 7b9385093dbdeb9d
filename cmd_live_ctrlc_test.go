package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// TestE2ELiveCtrlCIsCancelledByYou: Ctrl-C typed in the terminal while
// `live --no-tui` streams is the user's own cancel — the report says
// "cancelled by you" and no MISMATCH, and the capture records the cancel.
func TestE2ELiveCtrlCIsCancelledByYou(t *testing.T) {
	sent := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\"}}\n\n"))
		w.(http.Flusher).Flush()
		close(sent)
		<-r.Context().Done() // a healthy stream, still going when the user gives up
	}))
	defer srv.Close()
	capture := filepath.Join(t.TempDir(), "live.jsonl")
	p := startInPTY(t, nil, "live", srv.URL+"/v1/messages", "--no-tui", "--save", capture)
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the origin")
	}
	time.Sleep(200 * time.Millisecond) // the event is read before the user's key
	p.press(t, "\x03")                 // Ctrl-C: the terminal sends SIGINT
	// The report is printed as the process ends: wait for it on the
	// screen, not only for the exit (the terminal may lag behind).
	p.waitScreen(t, "cancelled by you")
	p.waitExit(t)
	out := p.screenText()
	if strings.Contains(out, "MISMATCH") {
		t.Errorf("the user's own Ctrl-C is reported as a mismatch:\n%s", out)
	}
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 || xs[0].End.Reason != stream.EndCanceled {
		t.Fatalf("capture: %v (%d exchanges)", err, len(xs))
	}
}
