package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui"
	"github.com/spf13/cobra"
)

type proxyFlags struct {
	listen     string
	upstream   string
	save       string
	noTUI      bool
	allowHosts []string
	theme      themeFlag
	inject     injectFlags
	otlp       otlpFlags
}

func init() {
	commands = append(commands, func() *cobra.Command {
		var f proxyFlags
		cmd := &cobra.Command{
			Use:   "proxy",
			Short: "Reverse proxy that records and shows every stream between your app and the API",
			Long: `proxy forwards every request to the upstream API unchanged and streams each
response back byte for byte, flushed as it arrives, while recording every
exchange (redacted) as its own JSONL capture and showing it with both
statuses: the HTTP status and the one an in-stream error stands for.

Point an app at it with its SDK's base URL (ANTHROPIC_BASE_URL, OPENAI_BASE_URL).
--no-tui prints one line per finished exchange instead:
  TIME METHOD PATH http=STATUS mapped=STATUS mismatch=yes|no outcome=… sdk=NAME@VERSION capture=PATH [end=REASON err="…"]
On a loopback address only requests whose Host is a loopback name
(localhost, *.localhost, 127.x.x.x, [::1]) are forwarded, the others get 403
(a web page using DNS rebinding cannot drive requests through the proxy);
--allow-host NAME accepts NAME too.
A client that disconnects cancels its upstream request; an upstream that
breaks mid-stream is passed on as an aborted connection. SIGINT/SIGTERM stop
the proxy after closing every capture.
` + injectHelp + `
In a proxy the capture of an injected exchange records what the client
received, not what the upstream sent.`,
			Example: `  midstream proxy
  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 python app.py
  midstream proxy --no-tui --upstream https://api.openai.com --save ./captures
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 node app.js
  midstream proxy --no-tui --inject cut-before-end --attempts all`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error { return runProxy(cmd, &f) },
		}
		fl := cmd.Flags()
		fl.StringVar(&f.listen, "listen", "127.0.0.1:8787", "address to listen on (port 0: any free port)")
		fl.StringVar(&f.upstream, "upstream", defaultAnthropicBase, "API base URL to forward to")
		fl.StringVar(&f.save, "save", "", "folder for the captures (default: the captures folder)")
		fl.BoolVar(&f.noTUI, "no-tui", false, "print one line per exchange instead of opening the inspector")
		fl.StringArrayVar(&f.allowHosts, "allow-host", nil, allowHostUsage)
		f.theme.register(cmd)
		f.inject.register(cmd)
		f.otlp.register(cmd)
		return cmd
	})
}

func runProxy(cmd *cobra.Command, f *proxyFlags) error {
	up, err := url.Parse(f.upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return usageErr("proxy: --upstream %q is not an http:// or https:// URL", f.upstream)
	}
	inj, injWhat, err := f.inject.injector(cmd, "proxy")
	if err != nil {
		return err
	}
	dir, err := proxySaveDir(f.save)
	if err != nil {
		return err
	}
	otel, err := f.otlp.start(cmd, "proxy")
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	ln, sigs, err := listenForSignals("proxy", f.listen)
	if err != nil {
		return err
	}
	defer signal.Stop(sigs)
	if !isLoopback(ln.Addr()) {
		printLine(stderr, "midstream proxy: WARNING: listening on %s, reachable from other machines: anyone who can connect can send requests through this proxy, and they are recorded here", ln.Addr())
	}
	printLine(stderr, "midstream proxy: listening on http://%s → %s; captures in %s", ln.Addr(), stream.RedactURL(up.String()), dir)

	if inj != nil {
		printLine(stderr, "midstream proxy: injecting %s", injWhat)
	}
	p := &stream.Proxy{Upstream: up, Open: stream.DirCaptures(dir), Inject: inj}
	useTUI := !f.noTUI && isTerminal(os.Stdout)
	var feed *stream.Feed
	if useTUI {
		feed = stream.NewFeed()
		p.Feed = feed
		p.Open = watchCaptures(p.Open, feed)
	}
	lines := &exchangeLog{w: cmd.OutOrStdout(), errw: stderr, quiet: useTUI}
	// The inspector reads an exchange it evicted from memory back from
	// its capture file: tell it each file's name.
	captures := ui.NewCaptureNames()
	p.OnDone = func(x *stream.Exchange, capture string, err error) {
		captures.Add(x.Source, capture)
		otel.Record(lines.done(x, capture, err, otel != nil), capture)
	}

	srv := &http.Server{Handler: guardHost(ln, p, "proxy", f.allowHosts, lines.denied), ReadHeaderTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	if useTUI {
		opt := ui.Options{Title: "proxy " + ln.Addr().String(), ToolVersion: version, Captures: captures, Theme: f.theme.theme, OTLPDropped: otel.Dropped}
		serveErr = inspectProxy(feed, opt, lines, sigs, served, stderr)
	} else {
		serveErr = waitStop(sigs, served)
	}
	// Stop: cancel what is in flight (recorded as cancelled by the
	// shutdown), close the listener and connections, then wait until
	// every capture is closed.
	p.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
	p.Wait()
	finishOTLP(otel, stderr, "proxy")
	if feed != nil {
		feed.Close()
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return &exitError{1, fmt.Errorf("proxy: %w", serveErr)}
	}
	return lines.summary(stderr)
}

// proxySaveDir returns the folder --save names (the captures folder by
// default), checked now that it takes a file: found at the first request,
// the inspector would own the screen.
func proxySaveDir(save string) (string, error) {
	dir := save
	if dir == "" {
		var err error
		if dir, err = captureDir(); err != nil {
			return "", &exitError{1, err}
		}
	}
	if err := stream.ProbeDir(dir); err != nil {
		return "", &exitError{2, fmt.Errorf("proxy: --save: %w", err)}
	}
	return dir, nil
}

// inspectProxy runs the inspector on feed until the user quits it, a
// signal comes or the server stops; an inspector that cannot start falls
// back to one line per exchange. It returns the server's error, if any.
func inspectProxy(feed *stream.Feed, opt ui.Options, lines *exchangeLog, sigs <-chan os.Signal, served <-chan error, stderr io.Writer) error {
	uiDone := make(chan error, 1)
	go func() { uiDone <- ui.RunLive(feed, opt) }()
	select {
	case err := <-uiDone:
		if err != nil {
			printLine(stderr, "midstream proxy: inspector unavailable (%v); printing one line per exchange", err)
			lines.setQuiet(false)
			return waitStop(sigs, served)
		}
	case <-sigs:
		// The inspector got the signal too and is quitting: let it
		// give the terminal back before the process exits.
		select {
		case <-uiDone:
		case <-time.After(2 * time.Second):
		}
	case err := <-served:
		return err
	}
	return nil
}

// summary prints, once the proxy stopped, the requests refused for their
// Host and how recording went; recording failures are exit status 1.
func (l *exchangeLog) summary(stderr io.Writer) error {
	if r := l.refusals(); r != "" {
		printLine(stderr, "midstream proxy: %s", r)
	}
	if err := l.failures(); err != nil {
		return &exitError{1, fmt.Errorf("proxy: stopped; %w", err)}
	}
	fmt.Fprintln(stderr, "midstream proxy: stopped; captures closed")
	return nil
}

// listenForSignals listens on addr for command name and starts catching
// SIGINT and SIGTERM on the returned channel (stop it with signal.Stop).
// Signals are caught before the caller prints the address: whoever reads
// it may signal at once.
func listenForSignals(name, addr string) (net.Listener, chan os.Signal, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, &exitError{1, fmt.Errorf("%s: %w", name, err)}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	return ln, sigs, nil
}

// waitStop waits for a signal or for the server to fail.
func waitStop(sigs <-chan os.Signal, served <-chan error) error {
	select {
	case <-sigs:
		return nil
	case err := <-served:
		return err
	}
}

// exchangeLog prints one line per finished exchange (unless the inspector
// owns the screen).
type exchangeLog struct {
	mu    sync.Mutex
	w     io.Writer
	errw  io.Writer
	quiet bool

	// Recording failures, printed as they happen unless quiet, and
	// summed up at exit in any case.
	total    int
	failed   int
	firstErr string

	// Requests refused for their Host (see guardHost).
	refused      int
	firstRefused string
}

// denied notes a request refused for its Host.
func (l *exchangeLog) denied(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused++
	if l.firstRefused == "" {
		l.firstRefused = host
	}
	if !l.quiet {
		printLine(l.errw, "midstream proxy: refused a request for Host %q: not a loopback name (--allow-host accepts one)", host)
	}
}

func (l *exchangeLog) setQuiet(q bool) {
	l.mu.Lock()
	l.quiet = q
	l.mu.Unlock()
}

// done notes a finished exchange and prints its line; it returns the
// verdict when it diagnosed the exchange, which it does when the line is
// printed or need says a caller wants it (--otlp), else nil.
func (l *exchangeLog) done(x *stream.Exchange, capture string, err error, need bool) *inspect.Verdict {
	l.mu.Lock()
	quiet := l.quiet
	l.total++
	if err != nil {
		l.failed++
		if l.firstErr == "" {
			l.firstErr = fmt.Sprintf("%s: %s", orDefault(capture, x.Source), oneLineErr(err))
		}
	}
	l.mu.Unlock()
	if quiet && !need {
		return nil // the inspector diagnoses what it shows; no need to here
	}
	v := inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow})
	if quiet {
		return v
	}
	line := exchangeLine(x, v, capture)
	l.mu.Lock()
	defer l.mu.Unlock()
	printLine(l.w, "%s", line)
	if err != nil {
		printLine(l.errw, "midstream proxy: recording %s: %s", x.Source, oneLineErr(err))
	}
	return v
}

// refusals sums up the requests refused for their Host, "" if none.
func (l *exchangeLog) refusals() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refused == 0 {
		return ""
	}
	return fmt.Sprintf("refused %d request(s) for other hosts (first: Host %q); --allow-host NAME accepts one", l.refused, l.firstRefused)
}

// failures sums up the recording failures, nil if there were none.
func (l *exchangeLog) failures() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d exchanges NOT recorded (first: %s)", l.failed, l.total, l.firstErr)
}

// oneLineErr is err's message on one line (errors.Join puts one error a
// line).
func oneLineErr(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

// exchangeLine formats the --no-tui line of one exchange.
func exchangeLine(x *stream.Exchange, v *inspect.Verdict, capture string) string {
	method, path := "-", "-"
	var h http.Header
	reqURL := ""
	if x.Request != nil {
		reqURL = x.Request.URL
		method = x.Request.Method
		if u, err := url.Parse(x.Request.URL); err == nil {
			path = stream.RedactText(u.EscapedPath())
		}
		h = x.Request.Header
	}
	status := "-"
	if x.Response != nil {
		status = fmt.Sprint(x.Response.Status)
	} else if x.End.Err != "" {
		status = "none"
	}
	mapped := "-"
	if v.MappedStatus != 0 {
		mapped = fmt.Sprint(v.MappedStatus)
	}
	mismatch := "no"
	if v.Mismatch {
		mismatch = "yes"
	}
	sdk := sdkLabel(h, reqURL)
	if v.SDK != nil && v.SDK.Name != "" {
		sdk = v.SDK.Name
		if v.SDK.Version != "" {
			sdk += "@" + v.SDK.Version
		}
	}
	line := fmt.Sprintf("%s %s %s http=%s mapped=%s mismatch=%s outcome=%s sdk=%s capture=%s",
		x.Started.Format("15:04:05.000"), method, path, status, mapped, mismatch, v.Outcome, sdk, orDefault(capture, "-"))
	if x.End.Reason != stream.EndEOF {
		line += fmt.Sprintf(" end=%s err=%q", x.End.Reason, stream.RedactText(x.End.Err))
	}
	if x.Injected != "" {
		line += fmt.Sprintf(" injected=%q", stream.RedactText(x.Injected))
		if f := x.End.Fired; f != nil {
			// Where the fault fired (0: in place of the response), or
			// "no": the exchange is the upstream's own.
			fired := "no"
			if f.Fired {
				fired = fmt.Sprint(f.Event)
			}
			line += " fired=" + fired
		}
	}
	return line
}

// sdkLabel names the client of a request from its headers: the SDK and
// version inspect.DetectSDK finds (User-Agent, X-Stainless-*), else the
// User-Agent's first product (curl@8.5.0), else "unknown".
func sdkLabel(h http.Header, url string) string {
	if r := inspect.DetectSDK(h, url, ""); r != nil {
		if r.Version == "" {
			return r.Name
		}
		return r.Name + "@" + r.Version
	}
	if f := strings.Fields(h.Get("User-Agent")); len(f) > 0 {
		name, ver, _ := strings.Cut(f[0], "/")
		if ver != "" {
			return name + "@" + ver
		}
		return name
	}
	return "unknown"
}

// allowHostUsage documents --allow-host for proxy and serve.
const allowHostUsage = "also accept requests whose Host is NAME (repeatable); on a loopback address only loopback names are accepted by default"

// guardHost puts a stream.HostGuard in front of h when ln listens on a
// loopback address; off loopback the user chose to be reachable and every
// Host is accepted.
func guardHost(ln net.Listener, h http.Handler, name string, allow []string, onDeny func(string)) http.Handler {
	if !isLoopback(ln.Addr()) {
		return h
	}
	return &stream.HostGuard{Next: h, Allow: allow, Name: name, OnDeny: onDeny}
}

// isLoopback reports whether a listener's address is a loopback one.
func isLoopback(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return false
}
