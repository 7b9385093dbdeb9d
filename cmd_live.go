package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui"
	"github.com/spf13/cobra"
)

// Defaults of `midstream live` without a URL.
const (
	defaultAnthropicBase  = "https://api.anthropic.com"
	defaultAnthropicModel = "claude-sonnet-4-5"
	defaultOpenAIBase     = "https://api.openai.com/v1"
	defaultOpenAIModel    = "gpt-5-mini"
)

type liveFlags struct {
	method      string
	headers     []string
	data        string
	timeout     time.Duration
	idleTimeout time.Duration
	model       string
	prompt      string
	maxTokens   int
	openai      bool
	save        string
	noTUI       bool
	theme       themeFlag
	otlp        otlpFlags
}

func init() {
	commands = append(commands, func() *cobra.Command {
		var f liveFlags
		cmd := &cobra.Command{
			Use:   "live [URL]",
			Short: "Make a streaming request and watch it arrive",
			Long: `live makes one streaming request and shows it as its bytes arrive, then
records it (redacted) as a midstream JSONL capture.

With no URL it calls the Anthropic Messages API: POST
{ANTHROPIC_BASE_URL or https://api.anthropic.com}/v1/messages with
ANTHROPIC_API_KEY; --openai calls Chat Completions at
{OPENAI_BASE_URL or https://api.openai.com/v1}/chat/completions with
OPENAI_API_KEY. With a URL it works like curl (-X, -H, -d).

Transport faults end the timeline with their class: DNS failure, connection
refused, TLS error, connection reset, idle timeout, total timeout, cancelled.
When stdout is not a terminal (or with --no-tui) the text diagnosis is
printed once the stream ends; the exit status is 1 when it did not end
cleanly.`,
			Example: `  midstream live --prompt 'Say hi'
  midstream live --openai --model gpt-5-mini --prompt 'Say hi'
  midstream live https://example.com/v1/messages -H 'x-api-key: …' -d @body.json`,
			Args: cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return runLive(cmd, args, &f) },
		}
		fl := cmd.Flags()
		fl.StringVarP(&f.method, "request", "X", "", "HTTP method (default POST with a body, else GET)")
		fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra header 'Name: value' (repeatable)")
		fl.StringVarP(&f.data, "data", "d", "", "request body; @FILE reads a file, @- reads stdin")
		fl.DurationVar(&f.timeout, "timeout", 0, "give up after this long in total (0: never)")
		fl.DurationVar(&f.idleTimeout, "idle-timeout", 0, "give up when the server sends nothing for this long (0: never)")
		fl.StringVar(&f.model, "model", "", "model (default "+defaultAnthropicModel+", with --openai "+defaultOpenAIModel+")")
		fl.StringVar(&f.prompt, "prompt", "Say hello in one short sentence.", "user message")
		fl.IntVar(&f.maxTokens, "max-tokens", 256, "max tokens of the answer")
		fl.BoolVar(&f.openai, "openai", false, "call OpenAI Chat Completions instead of Anthropic")
		fl.StringVar(&f.save, "save", "", "capture file to write (default: a new file in the captures folder)")
		fl.BoolVar(&f.noTUI, "no-tui", false, "print the text diagnosis instead of opening the inspector")
		f.theme.register(cmd)
		f.otlp.register(cmd)
		return cmd
	})
}

// buildLiveRequest turns the flags (and the environment, through getenv)
// into the request to make. A missing key is a usage error, reported
// before anything is sent.
func buildLiveRequest(args []string, f *liveFlags, getenv func(string) string, stdin io.Reader) (*stream.Request, error) {
	var req *stream.Request
	switch {
	case len(args) == 1:
		u, err := url.Parse(args[0])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usageErr("live: %q is not an http:// or https:// URL", args[0])
		}
		req = &stream.Request{Method: http.MethodGet, URL: args[0], Header: http.Header{}}
	case f.openai:
		key := getenv("OPENAI_API_KEY")
		if key == "" {
			return nil, usageErr("live --openai: OPENAI_API_KEY is not set (export it, or pass a URL and -H 'Authorization: Bearer …')")
		}
		base := orDefault(getenv("OPENAI_BASE_URL"), defaultOpenAIBase)
		req = stream.OpenAIChatRequest(base, key, orDefault(f.model, defaultOpenAIModel), f.prompt, f.maxTokens)
	default:
		key := getenv("ANTHROPIC_API_KEY")
		if key == "" {
			return nil, usageErr("live: ANTHROPIC_API_KEY is not set (export it, use --openai, or pass a URL and -H 'x-api-key: …')")
		}
		base := orDefault(getenv("ANTHROPIC_BASE_URL"), defaultAnthropicBase)
		req = stream.AnthropicRequest(base, key, orDefault(f.model, defaultAnthropicModel), f.prompt, f.maxTokens)
	}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, usageErr("live: -H %q: want 'Name: value'", h)
		}
		req.Header.Set(name, strings.TrimSpace(value))
	}
	if f.data != "" {
		body, err := readData(f.data, stdin)
		if err != nil {
			return nil, usageErr("live: -d %s: %v", f.data, err)
		}
		req.Body = body
		if len(args) == 1 {
			req.Method = http.MethodPost
		}
	}
	if f.method != "" {
		req.Method = strings.ToUpper(f.method)
	}
	if req.Header.Get("User-Agent") == "" {
		// Name the tool, not Go's HTTP client, in the server's logs.
		req.Header.Set("User-Agent", "midstream/"+version)
	}
	if _, err := url.Parse(req.URL); err != nil {
		return nil, usageErr("live: bad base URL: %v", err)
	}
	return req, nil
}

// maxLiveData bounds a -d body: live sends a request document it holds
// whole, and @- or @FILE may name a stream or device that never ends.
const maxLiveData = 64 << 20

// readData reads a -d argument: literal text, @FILE or @- (stdin), at
// most maxLiveData bytes.
func readData(d string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	name := "standard input"
	switch {
	case d == "@-":
		r = stdin
	case strings.HasPrefix(d, "@"):
		f, err := os.Open(d[1:])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, d[1:]
	default:
		return []byte(d), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxLiveData+1))
	if err == nil && len(b) > maxLiveData {
		err = fmt.Errorf("%s: more than %d MiB; live sends a request body it holds whole", name, maxLiveData>>20)
	}
	return b, err
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func runLive(cmd *cobra.Command, args []string, f *liveFlags) error {
	req, err := buildLiveRequest(args, f, os.Getenv, cmd.InOrStdin())
	if err != nil {
		return err
	}
	otel, err := f.otlp.start(cmd, "live")
	if err != nil {
		return err
	}
	out, err := openLiveCapture(f.save)
	if err != nil {
		return err
	}
	defer out.Abort() // dropped unless committed below
	path := out.Name()

	ctx, cancel := context.WithCancelCause(cmd.Context())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			cancel(stream.ErrUserCanceled)
		case <-ctx.Done():
		}
	}()

	opt := stream.LiveOptions{
		Timeout: f.timeout, IdleTimeout: f.idleTimeout,
		Sink: stream.NewCaptureWriter(out), Source: filepath.Base(path),
	}
	stderr := cmd.ErrOrStderr()
	var x *stream.Exchange
	text := f.noTUI || !isTerminal(os.Stdout) // the diagnosis is printed as text
	if !text {
		x, text, err = liveWithInspector(ctx, cancel, req, opt, f.theme.theme, stderr)
	} else {
		x, err = stream.Live(ctx, req, opt)
	}
	if x == nil {
		return &exitError{1, fmt.Errorf("live: %w", err)}
	}
	// A capture that could not be written is dropped (no partial or empty
	// file is left, an older file at --save is kept) and said so; the
	// diagnosis of what arrived is still shown.
	recErr := err
	if recErr == nil {
		recErr = out.Commit()
	}
	if recErr != nil {
		printLine(stderr, "midstream: live: capture NOT saved to %s: %v", path, recErr)
	} else {
		printLine(stderr, "midstream: capture saved to %s", path)
	}
	v := inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow})
	if recErr == nil {
		otel.Record(v, path)
	} else {
		otel.Record(v, "")
	}
	// Deferred: the diagnosis is printed first. Draining the export can
	// take up to otlpDrain when the collector is slow or dead, and must
	// not hold back what the user ran live for.
	defer finishOTLP(otel, stderr, "live")
	if text {
		if err := inspect.WriteText(cmd.OutOrStdout(), &inspect.Diagnosis{ToolVersion: version, Exchanges: []*inspect.Verdict{v}}); err != nil {
			return &exitError{1, err}
		}
	}
	if recErr != nil || x.End.Reason != stream.EndEOF || v.Outcome != inspect.OutcomeComplete {
		return &exitError{code: 1}
	}
	return nil
}

// openLiveCapture opens the capture live records to: save (replaced whole
// if it exists, see stream.CreateOutput), or a new file in the captures
// folder. It is opened before the request is made, so a folder that
// cannot be written is exit status 2 before anything is sent.
func openLiveCapture(save string) (*stream.Output, error) {
	if save != "" {
		if err := os.MkdirAll(filepath.Dir(save), 0o700); err != nil {
			return nil, outputErr(&stream.TargetError{Path: save, Reason: err.Error(), Err: err})
		}
		o, err := stream.CreateOutput(save)
		if err != nil {
			return nil, outputErr(err)
		}
		return o, nil
	}
	dir, err := captureDir()
	if err != nil {
		return nil, &exitError{2, err}
	}
	if err := stream.ProbeDir(dir); err != nil {
		return nil, outputErr(err)
	}
	o, err := stream.CreateNew(filepath.Join(dir, "live-"+time.Now().UTC().Format("20060102T150405.000Z")+".jsonl"))
	if err != nil {
		return nil, outputErr(err)
	}
	return o, nil
}

// liveWithInspector runs the request while the inspector follows it; the
// data path only publishes into the feed and never waits for the screen.
// Quitting the inspector cancels a request still running. If the
// inspector cannot start, the request still completes and fellBack tells
// the caller to print the text diagnosis instead.
func liveWithInspector(ctx context.Context, cancel context.CancelCauseFunc, req *stream.Request, opt stream.LiveOptions, theme ui.Theme, stderr io.Writer) (x *stream.Exchange, fellBack bool, err error) {
	feed := stream.NewFeed()
	opt.Feed = feed
	if opt.Sink != nil {
		opt.Sink = reportSink(opt.Sink, func(err error) { publishProblem(feed, "capture", err) })
	}
	type result struct {
		x   *stream.Exchange
		err error
	}
	done := make(chan result, 1)
	go func() {
		x, err := stream.Live(ctx, req, opt)
		feed.Close()
		done <- result{x, err}
	}()
	if err := ui.RunLive(feed, ui.Options{Title: "live " + stream.RedactURL(req.URL), ToolVersion: version, Theme: theme}); err != nil {
		printLine(stderr, "midstream: inspector unavailable (%v); waiting for the stream", err)
		r := <-done
		return r.x, true, r.err
	}
	cancel(stream.ErrUserCanceled)
	r := <-done
	return r.x, false, r.err
}

// captureDir returns the default captures folder: $XDG_DATA_HOME/midstream/
// captures, else ~/.local/share/midstream/captures on Unix-likes, else the
// user's config dir (Application Support, %AppData%) /midstream/captures.
func captureDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "midstream", "captures"), nil
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "midstream", "captures"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", errors.New("no folder for captures: set XDG_DATA_HOME or pass --save")
	}
	return filepath.Join(d, "midstream", "captures"), nil
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
