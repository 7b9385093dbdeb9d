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
	listen   string
	upstream string
	save     string
	noTUI    bool
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
A client that disconnects cancels its upstream request; an upstream that
breaks mid-stream is passed on as an aborted connection. SIGINT/SIGTERM stop
the proxy after closing every capture.`,
			Example: `  midstream proxy
  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 python app.py
  midstream proxy --no-tui --upstream https://api.openai.com --save ./captures
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 node app.js`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error { return runProxy(cmd, &f) },
		}
		fl := cmd.Flags()
		fl.StringVar(&f.listen, "listen", "127.0.0.1:8787", "address to listen on (port 0: any free port)")
		fl.StringVar(&f.upstream, "upstream", defaultAnthropicBase, "API base URL to forward to")
		fl.StringVar(&f.save, "save", "", "folder for the captures (default: the captures folder)")
		fl.BoolVar(&f.noTUI, "no-tui", false, "print one line per exchange instead of opening the inspector")
		return cmd
	})
}

func runProxy(cmd *cobra.Command, f *proxyFlags) error {
	up, err := url.Parse(f.upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return usageErr("proxy: --upstream %q is not an http:// or https:// URL", f.upstream)
	}
	dir := f.save
	if dir == "" {
		if dir, err = captureDir(); err != nil {
			return &exitError{1, err}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &exitError{1, fmt.Errorf("proxy: captures folder: %w", err)}
	}
	stderr := cmd.ErrOrStderr()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return &exitError{1, fmt.Errorf("proxy: %w", err)}
	}
	// Signals are caught before the address is printed: whoever reads it
	// may signal at once.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "midstream proxy: WARNING: listening on %s, reachable from other machines: anyone who can connect can send requests through this proxy, and they are recorded here\n", ln.Addr())
	}
	fmt.Fprintf(stderr, "midstream proxy: listening on http://%s → %s; captures in %s\n", ln.Addr(), up.Redacted(), dir)

	p := &stream.Proxy{Upstream: up, Open: stream.DirCaptures(dir)}
	useTUI := !f.noTUI && isTerminal(os.Stdout)
	var feed *stream.Feed
	if useTUI {
		feed = stream.NewFeed()
		p.Feed = feed
	}
	lines := &exchangeLog{w: cmd.OutOrStdout(), errw: stderr, quiet: useTUI}
	p.OnDone = lines.done

	srv := &http.Server{Handler: p, ReadHeaderTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	if useTUI {
		uiDone := make(chan error, 1)
		go func() {
			uiDone <- ui.RunLive(feed, ui.Options{Title: "proxy " + ln.Addr().String(), ToolVersion: version})
		}()
		select {
		case err := <-uiDone:
			if err != nil {
				fmt.Fprintf(stderr, "midstream proxy: inspector unavailable (%v); printing one line per exchange\n", err)
				lines.setQuiet(false)
				serveErr = waitStop(sigs, served)
			}
		case <-sigs:
			// The inspector got the signal too and is quitting: let it
			// give the terminal back before the process exits.
			select {
			case <-uiDone:
			case <-time.After(2 * time.Second):
			}
		case serveErr = <-served:
		}
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
	if feed != nil {
		feed.Close()
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return &exitError{1, fmt.Errorf("proxy: %w", serveErr)}
	}
	fmt.Fprintln(stderr, "midstream proxy: stopped; captures closed")
	return nil
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
}

func (l *exchangeLog) setQuiet(q bool) {
	l.mu.Lock()
	l.quiet = q
	l.mu.Unlock()
}

func (l *exchangeLog) done(x *stream.Exchange, capture string, err error) {
	l.mu.Lock()
	quiet := l.quiet
	l.mu.Unlock()
	if quiet {
		return // the inspector diagnoses what it shows; no need to here
	}
	line := exchangeLine(x, inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow}), capture)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, line)
	if err != nil {
		fmt.Fprintf(l.errw, "midstream proxy: recording %s: %v\n", x.Source, err)
	}
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
			path = u.EscapedPath()
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
		line += fmt.Sprintf(" end=%s err=%q", x.End.Reason, x.End.Err)
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

// isLoopback reports whether a listener's address is a loopback one.
func isLoopback(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	return false
}
