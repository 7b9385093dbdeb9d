package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestLoopbackHostCheck: proxy and serve on a loopback address answer only
// requests whose Host is a loopback name or an --allow-host; the others get
// 403 with a one-line body naming the flag, and reach neither the upstream
// nor the captured answer.
func TestLoopbackHostCheck(t *testing.T) {
	var upHits atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upHits.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: ping\ndata: {}\n\n")
	}))
	defer up.Close()
	commands := []struct {
		name string
		args []string
	}{
		{"proxy", []string{"proxy", "--no-tui", "--upstream", up.URL, "--save", t.TempDir()}},
		{"serve", []string{"serve", "--instant", filepath.Join("testdata", "overloaded_midstream.sse")}},
	}
	hosts := []struct {
		name string
		host string
		ok   bool
	}{
		{"localhost", "localhost:1234", true},
		{"ipv4 loopback", "127.0.0.1", true},
		{"ipv6 loopback", "[::1]:80", true},
		{"allowed name", "box.lan:8787", true},
		{"evil.example", "evil.example", false},
		{"nip.io name of loopback", "127.0.0.1.nip.io", false},
	}
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, nil, append(c.args, "--listen", "127.0.0.1:0", "--allow-host", "box.lan")...)
			base := p.WaitFor(t, `listening on (http://\S+)`)
			for _, h := range hosts {
				t.Run(h.name, func(t *testing.T) {
					before := upHits.Load()
					req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader("{}"))
					req.Host = h.host
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if h.ok {
						if resp.StatusCode != 200 {
							t.Fatalf("status %d, body %q; want 200", resp.StatusCode, body)
						}
						return
					}
					if resp.StatusCode != 403 || !strings.Contains(string(body), "--allow-host") || strings.Count(string(body), "\n") != 1 {
						t.Fatalf("status %d, body %q; want 403 naming --allow-host on one line", resp.StatusCode, body)
					}
					if c.name == "proxy" && upHits.Load() != before {
						t.Fatal("a refused request reached the upstream")
					}
				})
			}
			p.Signal(syscall.SIGINT)
			p.Wait(t, 10*time.Second)
			if out := p.Output(); !strings.Contains(out, `refused`) || !strings.Contains(out, `evil.example`) {
				t.Errorf("refusals not logged:\n%s", out)
			}
		})
	}
}
