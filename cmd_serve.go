package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

type serveFlags struct {
	listen   string
	speed    float64
	instant  bool
	exchange int
	then     []string
	loop     bool
	allow    []string
	limits   limitFlags
	inject   injectFlags
	otlp     otlpFlags
}

func init() {
	commands = append(commands, func() *cobra.Command {
		var f serveFlags
		cmd := &cobra.Command{
			Use:   "serve FILE",
			Short: "Serve a capture as a fake API endpoint, at its recorded pace",
			Long: `serve answers every request, whatever its method and path (SDKs post to
/v1/messages, the Vercel provider to /messages), with a captured exchange:
its status, its headers and its body chunks at their recorded pace. A bare
SSE body is served as 200 text/event-stream. A capture that ended in a reset,
a timeout or another transport fault is served as an aborted connection after
its recorded bytes, so the client fails the same way again.

The first request gets FILE (its --exchange N); later requests get the --then
captures in order (FILE#N picks the Nth exchange of a file), the last one
repeating, or the whole list cycling with --loop. Each request is logged to
stderr with the SDK its headers name. On a loopback address only requests
whose Host is a loopback name (localhost, *.localhost, 127.x.x.x, [::1]) are
answered, the others get 403; --allow-host NAME accepts NAME too.

A capture whose headers hold control bytes, or whose status is 1xx, is
refused when it is loaded.
` + injectHelp,
			Example: `  midstream serve failing.jsonl
  ANTHROPIC_BASE_URL=http://127.0.0.1:8788 python app.py
  midstream serve overloaded.sse --then ok.jsonl      # test the retry path
  midstream serve capture.har --exchange 3 --instant
  midstream serve ok.jsonl --inject error@3:overloaded_error   # attempt 1 fails mid-stream, attempt 2 succeeds`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd, args[0], &f) },
		}
		fl := cmd.Flags()
		fl.StringVar(&f.listen, "listen", "127.0.0.1:8788", "address to listen on (port 0: any free port)")
		fl.Float64Var(&f.speed, "speed", 1, "pace factor: 2 plays twice as fast, 0.5 half as fast")
		fl.BoolVar(&f.instant, "instant", false, "send each response at once, ignoring recorded times")
		fl.IntVar(&f.exchange, "exchange", 1, "which exchange of FILE answers first (1-based)")
		fl.StringArrayVar(&f.then, "then", nil, "capture answering the next request (repeatable; FILE#N for its Nth exchange)")
		fl.BoolVar(&f.loop, "loop", false, "cycle through FILE and the --then captures instead of repeating the last")
		fl.StringArrayVar(&f.allow, "allow-host", nil, allowHostUsage)
		f.limits.register(cmd)
		f.inject.register(cmd)
		f.otlp.register(cmd)
		return cmd
	})
}

// loadExchange returns exchange n (1-based) of the capture at path. read
// holds the captures already read, by path: "FILE --then FILE#2 --then
// FILE#3" reads and parses FILE once.
func loadExchange(read map[string][]*stream.Exchange, path string, n int, lim stream.Limits) (*stream.Exchange, error) {
	xs, ok := read[path]
	if !ok {
		var err error
		if xs, err = stream.ReadFileWith(path, lim); err != nil {
			return nil, unreadable(path, err)
		}
		read[path] = xs
	}
	if len(xs) == 0 {
		return nil, &exitError{1, fmt.Errorf("%s: no exchange in this capture", path)}
	}
	if n < 1 || n > len(xs) {
		return nil, usageErr("%s holds %d exchange(s); there is no exchange %d", path, len(xs), n)
	}
	return xs[n-1], nil
}

// splitExchangeRef splits "FILE#N" into FILE and N (1 when absent). A '#'
// followed by something other than a number is part of the file name.
func splitExchangeRef(ref string) (string, int) {
	if i := strings.LastIndexByte(ref, '#'); i > 0 {
		if n, err := strconv.Atoi(ref[i+1:]); err == nil {
			return ref[:i], n
		}
	}
	return ref, 1
}

// describe says in a few words what an exchange will be served as.
func describe(x *stream.Exchange) string {
	status := "200 (bare body)"
	if x.Response != nil {
		status = strconv.Itoa(x.Response.Status)
	}
	end := "ends cleanly"
	if !x.End.Clean() && stream.ServedClean(x) {
		end = "ends cleanly (its recording client hung up after the upstream's last event)"
	} else if !x.End.Clean() {
		end = "then the connection is aborted (" + string(x.End.Reason) + ")"
	}
	return fmt.Sprintf("%s, %d bytes in %d chunks, %s", status, x.BodyLen(), x.ChunkCount(), end)
}

// loadPlan reads FILE's --exchange and the --then captures, in answer
// order, with their FILE#N names. A capture that cannot be served as it is
// (stream.CheckServable) is a usage error naming FILE#N.
func loadPlan(file string, f *serveFlags) ([]*stream.Exchange, []string, error) {
	read := map[string][]*stream.Exchange{}
	refs := append([]string{fmt.Sprintf("%s#%d", file, f.exchange)}, f.then...)
	var plan []*stream.Exchange
	var names []string
	for i, ref := range refs {
		path, n := splitExchangeRef(ref)
		if i == 0 {
			path, n = file, f.exchange // FILE itself may hold a '#'
		}
		x, err := loadExchange(read, path, n, f.limits.limits())
		if err != nil {
			return nil, nil, err
		}
		name := fmt.Sprintf("%s#%d", path, n)
		if err := stream.CheckServable(x); err != nil {
			return nil, nil, usageErr("serve: %s: %v", name, err)
		}
		plan = append(plan, x)
		names = append(names, name)
	}
	return plan, names, nil
}

func runServe(cmd *cobra.Command, file string, f *serveFlags) error {
	if f.instant && cmd.Flags().Changed("speed") {
		return usageErr("serve: --speed and --instant exclude each other")
	}
	if f.speed <= 0 {
		return usageErr("serve: --speed must be above 0, got %v", f.speed)
	}
	paths := []string{file}
	for _, ref := range f.then {
		p, _ := splitExchangeRef(ref)
		paths = append(paths, p)
	}
	if err := refuseTerminalStdin(cmd, "serve -", paths...); err != nil {
		return err
	}
	inj, injWhat, err := f.inject.injector(cmd, "serve")
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	plan, names, err := loadPlan(file, f)
	if err != nil {
		return err
	}
	otel, err := f.otlp.start(cmd, "serve")
	if err != nil {
		return err
	}
	export, exported := servedSpans(otel, plan, names)
	for i, x := range plan {
		if x.BodyMissing {
			printLine(stderr, "midstream serve: warning: %s kept no body; it is served empty", names[i])
		}
	}

	ln, sigs, err := listenForSignals("serve", f.listen)
	if err != nil {
		return err
	}
	defer signal.Stop(sigs)
	announceServe(stderr, ln.Addr(), plan, names, injWhat)

	log := &serveLog{w: stderr}
	index := map[*stream.Exchange]string{}
	for i, x := range plan {
		index[x] = names[i]
	}
	s := &stream.Server{Plan: plan, Loop: f.loop, Speed: f.speed, Instant: f.instant,
		OnRequest: func(seq int, r *http.Request, x *stream.Exchange) {
			log.printf("#%d %s %s sdk=%s → %s", seq, r.Method, r.URL.EscapedPath(), sdkLabel(r.Header, r.URL.Path), index[x])
			export(x)
		}}
	if inj != nil {
		s.Inject = loggedInjector{inj, func(seq int, name string) { log.printf("#%d injected %s", seq, name) }}
	}
	deny := func(host string) {
		log.printf("refused a request for Host %q: not a loopback name (--allow-host accepts one)", host)
	}
	srv := &http.Server{Handler: guardHost(ln, s, "serve", f.allow, deny), ReadHeaderTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	serveErr := waitStop(sigs, served)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
	s.Wait()
	exported() // the spans of the last answers, still being built
	finishOTLP(otel, stderr, "serve")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return &exitError{1, fmt.Errorf("serve: %w", serveErr)}
	}
	return nil
}

// announceServe prints where serve listens, what each answer replays and
// the faults it injects (injWhat, "" for none).
func announceServe(w io.Writer, addr net.Addr, plan []*stream.Exchange, names []string, injWhat string) {
	if !isLoopback(addr) {
		printLine(w, "midstream serve: WARNING: listening on %s, reachable from other machines", addr)
	}
	printLine(w, "midstream serve: listening on http://%s", addr)
	for i, x := range plan {
		printLine(w, "midstream serve: answer %d: %s: %s", i+1, names[i], describe(x))
	}
	if injWhat != "" {
		printLine(w, "midstream serve: injecting %s", injWhat)
	}
}

// serveLog prints serve's timestamped per-request lines one at a time:
// the server's handlers run concurrently.
type serveLog struct {
	mu sync.Mutex
	w  io.Writer
}

// printf prints one line, prefixed with the time, through printLine.
func (l *serveLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	printLine(l.w, "%s "+format, append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}
