package stream

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// An upstream that answers without reading the request body, while the
// transport is still sending it: the proxy's server must not close the
// client's body under the transport when the response starts (it did, one
// exchange in a few, and the upstream connection died after one event).
func TestProxyResponseStartsBeforeUploadEnds(t *testing.T) {
	events := []string{"event: a\ndata: {}\n\n", "event: b\ndata: {\"x\":1}\n\n", "event: c\ndata: {\"y\":2}\n\n"}
	hold := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range events {
			fmt.Fprint(w, e)
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer close(hold)
	sent := strings.Join(events, "")
	env := (&proxyEnv{done: make(chan finished, 1000)}).start(t, up.URL)
	defer env.close(t)
	for i := 0; i < 30; i++ {
		req, _ := http.NewRequest("POST", env.srv.URL+"/v1/messages", strings.NewReader(`{"stream":true}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(sent))
		if _, err := io.ReadFull(resp.Body, got); err != nil {
			f := env.next(t)
			t.Fatalf("iter %d: %v %q end %+v", i, err, got[:20], f.x.End)
		}
		resp.Body.Close()
		f := env.next(t)
		_ = f
	}
}
