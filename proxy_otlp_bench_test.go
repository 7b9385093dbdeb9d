package main

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/midstreamhq/midstream/internal/deadpeer"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkProxyOTLP measures what --otlp costs streams through a real
// `midstream proxy --no-tui`, in one run so that the figures of a noisy
// shared machine compare: three proxies in front of the same paced origin,
// export off, export on to a live (fake, loopback) OTLP collector, and
// export on to a black-hole collector that accepts and never answers.
// Passes alternate between them, so drift hits all three.
//
// Each pass sends exchanges one after another, each of 20 events paced
// 1ms apart and stamped with the wall-clock time the origin wrote them;
// the client's receive time minus the stamp is the event's latency. It
// reports, per proxy, the median and 99th percentile, the medians' and
// p99s' difference to export off ("added-…"), the proxy's CPU per
// exchange (utime+stime from /proc, which --otlp adds to with a span and
// its export, off the data path), and for the black hole the spans the
// proxy reported dropped at exit. Run it with
//
//	go test . -run '^$' -bench ProxyOTLP -benchtime 1x
func BenchmarkProxyOTLP(b *testing.B) {
	if testing.Short() {
		b.Skip("spawns processes and runs for seconds")
	}
	origin := stampedOrigin(b)
	col := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer col.Close()
	hole := deadpeer.BlackHole(b)
	modes := []struct{ name, otlp string }{{"off", ""}, {"on", col.URL}, {"dead", hole}}
	proxies := make([]*benchProxy, len(modes))
	for i, m := range modes {
		proxies[i] = startBenchProxy(b, origin, m.otlp)
	}
	const passes, exchanges, events = 3, 40, 20
	lat := make([][]int64, len(modes))
	cpu := make([]float64, len(modes))
	for range b.N {
		for range passes {
			for i, p := range proxies {
				c0 := p.cpu(b)
				for range exchanges {
					lat[i] = append(lat[i], stampedStream(b, p.url, events)...)
				}
				cpu[i] += p.cpu(b) - c0
			}
		}
	}
	n := float64(b.N * passes * exchanges)
	for i := range lat {
		slices.Sort(lat[i])
	}
	p50 := func(i int) float64 { return float64(lat[i][len(lat[i])/2]) / 1e3 }
	p99 := func(i int) float64 { return float64(lat[i][(len(lat[i])-1)*99/100]) / 1e3 }
	for i, m := range modes {
		b.ReportMetric(p50(i), m.name+"-p50-µs")
		b.ReportMetric(p99(i), m.name+"-p99-µs")
		b.ReportMetric(cpu[i]/n*1e6, m.name+"-proxy-cpu-µs/exchange")
		if i > 0 {
			b.ReportMetric(p50(i)-p50(0), "added-p50-µs-"+m.name)
			b.ReportMetric(p99(i)-p99(0), "added-p99-µs-"+m.name)
		}
	}
	for _, p := range proxies {
		p.stop(b)
	}
	if d := proxies[2].dropped(); d <= 0 {
		b.Errorf("the black-hole proxy reported no dropped spans:\n%s", proxies[2].out.String())
	} else {
		b.ReportMetric(float64(d), "dead-dropped-spans")
	}
}

// stampedOrigin serves streams of ?n= events, 1ms apart, each carrying the
// UnixNano time it was written.
func stampedOrigin(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\"}}\n\n")
		for range n {
			time.Sleep(time.Millisecond)
			fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%d\"}}\n\n", time.Now().UnixNano())
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

var stampRe = regexp.MustCompile(`"text":"(\d+)"`)

// stampedStream reads one stream of n events through url and returns each
// stamped event's latency in nanoseconds.
func stampedStream(b *testing.B, url string, n int) []int64 {
	resp, err := http.Post(url+"/v1/messages?n="+strconv.Itoa(n), "application/json", strings.NewReader(`{"model":"claude-sonnet-4-5","stream":true}`))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out []int64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		now := time.Now().UnixNano()
		if m := stampRe.FindSubmatch(sc.Bytes()); m != nil {
			t, _ := strconv.ParseInt(string(m[1]), 10, 64)
			out = append(out, now-t)
		}
	}
	if len(out) != n {
		b.Fatalf("%d of %d events arrived (%v)", len(out), n, sc.Err())
	}
	return out
}

// benchProxy is a `midstream proxy --no-tui` run by the benchmark.
type benchProxy struct {
	cmd  *exec.Cmd
	url  string
	out  *bytes.Buffer
	read chan struct{} // closed once stderr is read to its end
}

func startBenchProxy(b *testing.B, upstream, otlp string) *benchProxy {
	args := []string{"proxy", "--no-tui", "--listen", "127.0.0.1:0", "--upstream", upstream, "--save", b.TempDir()}
	if otlp != "" {
		args = append(args, "--otlp="+otlp)
	}
	p := &benchProxy{cmd: exec.Command(binPath, args...), out: &bytes.Buffer{}, read: make(chan struct{})}
	p.cmd.Stdout = io.Discard
	stderr, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.cmd.Process.Kill() })
	sc := bufio.NewScanner(stderr)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for sc.Scan() {
		p.out.WriteString(sc.Text() + "\n")
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			p.url = m[1]
			break
		}
	}
	if p.url == "" {
		b.Fatalf("proxy did not start: %s", p.out)
	}
	go func() {
		defer close(p.read)
		for sc.Scan() {
			p.out.WriteString(sc.Text() + "\n")
		}
	}()
	return p
}

// cpu is the proxy's user+system CPU time so far, in seconds.
func (p *benchProxy) cpu(b *testing.B) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// stop ends the proxy with SIGTERM and waits for it.
func (p *benchProxy) stop(b *testing.B) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() {
		<-p.read // Wait closes the pipe: read it to its end first
		done <- p.cmd.Wait()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		b.Errorf("proxy did not stop:\n%s", p.out)
	}
}

var droppedRe = regexp.MustCompile(`otlp: (\d+) of \d+ spans? dropped`)

// dropped is the count of the exit line, -1 if there was none.
func (p *benchProxy) dropped() int {
	m := droppedRe.FindStringSubmatch(p.out.String())
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
