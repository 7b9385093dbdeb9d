package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProxyPeakRSSGigabyte pushes a 1 GiB request body and then, through
// a fresh process, a 1 GiB streamed response through a real
// `midstream proxy --no-tui` (captures, end-of-exchange diagnosis and all)
// and reads the process's peak resident set (VmHWM) for each. It is slow
// and writes about 5 GiB of captures and spools: it runs only with
// MIDSTREAM_RSS=1, e.g.
//
//	MIDSTREAM_RSS=1 go test -run PeakRSS -v .
func TestProxyPeakRSSGigabyte(t *testing.T) {
	if os.Getenv("MIDSTREAM_RSS") == "" {
		t.Skip("set MIDSTREAM_RSS=1 to measure the proxy's peak RSS for 1 GiB bodies")
	}
	const size = 1 << 30
	event := "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + strings.Repeat("z", 1000) + "\"}}\n\n"
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if r.URL.Path == "/v1/up" {
			fmt.Fprintf(w, "event: message_stop\ndata: {\"type\":\"message_stop\",\"got\":%d}\n\n", n)
			return
		}
		io.Copy(w, &repeatReader{unit: event, n: size})
	}))
	defer origin.Close()
	for _, dir := range []string{"request", "response"} {
		p := start(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", origin.URL, "--save", t.TempDir())
		url := p.WaitFor(t, `listening on (http://\S+)`)
		var body io.Reader = strings.NewReader(`{"model":"claude","stream":true}`)
		path := "/v1/down"
		if dir == "request" {
			body, path = io.MultiReader(strings.NewReader(`{"model":"claude","stream":true,"pad":"`), &repeatReader{unit: "x", n: size}, strings.NewReader(`"}`)), "/v1/up"
		}
		t0 := time.Now()
		resp, err := http.Post(url+path, "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The peak while the body streamed, before the end-of-exchange
		// diagnosis (inspect.Diagnose, off the data path) has got far.
		streamed := vmHWM(t, p.Pid())
		p.WaitFor(t, `POST /v1/`) // the --no-tui line: capture closed, diagnosis done
		hwm := vmHWM(t, p.Pid())
		t.Logf("midstream proxy --no-tui, 1 GiB %s: peak RSS (VmHWM) %d MiB once the body went through, %d MiB after the diagnosis; %d response bytes, %v",
			dir, streamed>>20, hwm>>20, n, time.Since(t0).Round(time.Millisecond))
		p.Signal(syscall.SIGTERM)
		p.Wait(t, 10*time.Second)
		// The data path is what this bounds. The diagnosis's own peak
		// grows with the number of events (inspect's per-event timeline,
		// about 300 B an event at the time of writing): logged, not held
		// against the proxy here.
		if streamed > 256<<20 {
			t.Errorf("peak RSS %d MiB while a 1 GiB %s streamed", streamed>>20, dir)
		}
	}
}

// repeatReader yields n bytes of unit repeated, made on the fly.
type repeatReader struct {
	unit string
	n    int64
	off  int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.off)]
	for i := 0; i < len(p); {
		k := copy(p[i:], r.unit[(r.off+int64(i))%int64(len(r.unit)):])
		i += k
	}
	r.off += int64(len(p))
	return len(p), nil
}

// vmHWM reads a process's peak resident set size in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
