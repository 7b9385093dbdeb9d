package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/drillcaps"
	"github.com/midstreamhq/midstream/stream"
)

type drillFlags struct {
	capture  string
	faults   string
	attempts string
	timeout  time.Duration
	format   string
	verbose  bool
	chaos    int64
	runs     int
	runsSet  bool // --runs was given
	limits   limitFlags
}

func init() {
	commands = append(commands, func() *cobra.Command {
		var f drillFlags
		cmd := &cobra.Command{
			Use:   "drill [--capture FILE] [--faults LIST] -- CMD [ARGS…]",
			Short: "Run your app against every stream failure and tell which ones it survives",
			Long: `drill starts a fake API on 127.0.0.1 (a random port), points your app at it
through the base-URL variables the SDKs read (ANTHROPIC_BASE_URL,
OPENAI_BASE_URL with /v1, OPENAI_API_BASE, GOOGLE_GEMINI_BASE_URL,
GOOGLE_GENERATIVE_AI_BASE_URL; unset API keys get a placeholder), and runs
CMD once without a fault (the control run), then once per fault: an
in-stream error event, a cut stream, a missing terminator, an HTTP 529… in
the provider's own bytes.

Without --capture each request gets a built-in clean stream chosen by its
path (…/messages: Anthropic, …/chat/completions: OpenAI Chat, …/responses:
OpenAI Responses, …:streamGenerateContent: Gemini); the dialect of the
control run's first request picks the default faults. --capture serves your
own clean, complete stream instead.

Each row says what the server saw — requests (so retries are counted, not
guessed), which attempts were faulted — CMD's exit status and time, and a
verdict decided from those facts, never from CMD's output:
  recovered  exit 0 and some attempt got the full answer (a retry, or a
             fault that loses nothing: stall, drip)
  reported   exit non-zero: the failure reached whoever runs CMD
  swallowed  exit 0 although no attempt got the full answer
  hung       still running at --timeout; its process group was killed
  untested   no attempt was faulted (no request, or not that attempt), or
             the fault never fired (an event past the stream's end)

--chaos SEED runs CMD --runs times (10) after the control run, each run
against one fault picked from --faults (default: the dialect's) by a
generator seeded with SEED and the run's number, its event (error@N,
cut@N, …) drawn anywhere in the clean stream: the same SEED picks the same
faults again, so a failure found by chance can be rerun exactly. The table
shows which fault each run got.

CMD's output, keys redacted, is kept in a log file, its first 1 MiB and
last 256 KiB (--verbose shows all of it); the table names the log of every
row that did not end well. Exit status: 2 when the control run fails (nothing is
judged), 1 when a fault was swallowed, 0 otherwise.

Fault specs (as serve --inject takes them): ` + inspect.FaultGrammar + `.
drill's own flags come before CMD: everything from CMD on is CMD's.`,
			Example: `  midstream drill -- python app.py
  midstream drill -- go run ./cmd/app
  midstream drill --faults 'error@3:overloaded_error,cut-before-end' -- node app.js
  midstream drill --faults status:529,retry-after=0 --attempts all -- ./app
  midstream drill --capture good.jsonl --format markdown -- python app.py
  midstream drill --chaos 42 --runs 20 -- ./app`,
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				f.runsSet = cmd.Flags().Changed("runs")
				return runDrill(cmd, args, &f)
			},
		}
		fl := cmd.Flags()
		// "drill python -m app": -m is python's, not an unknown flag of
		// drill's, even without "--".
		fl.SetInterspersed(false)
		fl.StringVar(&f.capture, "capture", "", "serve this clean, complete stream (FILE or FILE#N) instead of the built-in ones")
		fl.StringVar(&f.faults, "faults", "", "comma-separated fault specs (default: one of each class that fits the dialect)")
		fl.StringVar(&f.attempts, "attempts", "1", `which attempts of each run are faulted: "1", "all", or a list "1,3"`)
		fl.DurationVar(&f.timeout, "timeout", 60*time.Second, "kill a run of CMD (and its children) after this long: verdict hung")
		fl.StringVar(&f.format, "format", "table", "output format: table, json or markdown")
		fl.BoolVar(&f.verbose, "verbose", false, "show CMD's output on stderr as it runs")
		fl.Int64Var(&f.chaos, "chaos", 0, "run CMD --runs times, each against a fault picked reproducibly from this seed (0: off)")
		fl.IntVar(&f.runs, "runs", 10, "with --chaos: how many faulted runs")
		f.limits.register(cmd)
		return cmd
	})
}

// fileIsTerminal reports whether f is a terminal.
func fileIsTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// faultClasses are the words a fault spec starts with (inspect's
// Fault.Class values): --faults splits on the commas between them, not on
// a comma inside one spec ("status:529,retry-after=2", "stall@3:10s,pings").
var faultClasses = []string{inspect.FaultError, inspect.FaultCutBetween, inspect.FaultCutBeforeEnd, inspect.FaultCut,
	inspect.FaultReset, inspect.FaultStall, inspect.FaultDrip, inspect.FaultGarble, inspect.FaultTail, inspect.FaultStatus}

// splitFaults splits a --faults list into specs.
func splitFaults(list string) []string {
	var specs []string
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if len(specs) > 0 && !startsWithClass(part) {
			specs[len(specs)-1] += "," + part
			continue
		}
		specs = append(specs, part)
	}
	return specs
}

// startsWithClass reports whether s begins with a fault class name
// followed by the end, '@', ':' or nothing else of a word.
func startsWithClass(s string) bool {
	for _, c := range faultClasses {
		if rest, ok := strings.CutPrefix(s, c); ok && (rest == "" || rest[0] == '@' || rest[0] == ':') {
			return true
		}
	}
	return false
}

// drillSetup is what runDrill prepares before the first run.
type drillSetup struct {
	fixed    *stream.Exchange
	builtins map[string]*stream.Exchange
	faults   []inspect.Fault // nil: DrillFaults of the control run's dialect
	attempts inspect.Attempts
	chaos    int64 // --chaos SEED; 0: each fault once, in order
	runs     int   // --runs, with chaos
}

// prepare checks the flags and loads what drill serves; every error is a
// usage error (exit 2) naming what is wrong.
func prepare(f *drillFlags) (*drillSetup, error) {
	switch f.format {
	case "table", "json", "markdown":
	default:
		return nil, usageErr("drill: --format must be table, json or markdown, not %q", f.format)
	}
	if f.timeout <= 0 {
		return nil, usageErr("drill: --timeout must be above 0, got %v", f.timeout)
	}
	if f.chaos == 0 && f.runsSet {
		return nil, usageErr("drill: --runs needs --chaos SEED")
	}
	if f.chaos != 0 && f.runs < 1 {
		return nil, usageErr("drill: --runs must be 1 or more, got %d", f.runs)
	}
	s := &drillSetup{builtins: map[string]*stream.Exchange{}, chaos: f.chaos, runs: f.runs}
	var err error
	if s.attempts, err = inspect.ParseAttempts(f.attempts); err != nil {
		return nil, usageErr("drill: --attempts: %v", err)
	}
	for _, spec := range splitFaults(f.faults) {
		ft, err := inspect.ParseFault(spec)
		if err != nil {
			return nil, usageErr("drill: --faults: %v", err)
		}
		s.faults = append(s.faults, ft)
	}
	if f.faults != "" && len(s.faults) == 0 {
		return nil, usageErr("drill: --faults names no fault")
	}
	if f.capture != "" {
		if s.fixed, err = loadDrillCapture(f.capture, f.limits.limits()); err != nil {
			return nil, err
		}
		return s, nil
	}
	for _, c := range drillcaps.All() {
		xs, err := stream.Parse("built-in "+c.Name+".sse", c.Body)
		if err != nil || len(xs) != 1 {
			return nil, fmt.Errorf("drill: built-in %s stream unreadable: %v", c.Name, err)
		}
		s.builtins[c.Name] = xs[0]
	}
	return s, nil
}

// loadDrillCapture reads --capture FILE[#N] and refuses a stream that
// already fails: drill breaks a good stream, it cannot judge an app
// against one that is broken before any fault.
func loadDrillCapture(ref string, lim stream.Limits) (*stream.Exchange, error) {
	path, n := splitExchangeRef(ref)
	if _, err := os.Stat(ref); err == nil {
		path, n = ref, 1 // a file whose name holds '#'
	}
	x, err := loadExchange(map[string][]*stream.Exchange{}, path, n, lim)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			ee.code = 2
		}
		return nil, err
	}
	name := fmt.Sprintf("%s#%d", path, n)
	if err := stream.CheckServable(x); err != nil {
		return nil, usageErr("drill: %s: %v", name, err)
	}
	v := inspect.Diagnose(x, inspect.Options{})
	if v.Outcome != inspect.OutcomeComplete || !x.End.Clean() {
		why := string(v.Outcome)
		if v.Error != nil {
			why += ": " + v.Error.Type
		}
		if !x.End.Clean() {
			why += ", connection ended " + string(x.End.Reason)
		}
		return nil, usageErr("drill: %s is not a clean, complete stream (%s); drill needs a good stream to break — record one that ends normally", name, why)
	}
	return x, nil
}

func runDrill(cmd *cobra.Command, args []string, f *drillFlags) error {
	setup, err := prepare(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return &exitError{1, fmt.Errorf("drill: %w", err)}
	}
	ses := &drillSession{setup: setup}
	srv := &http.Server{Handler: guardHost(ln, ses, "drill", nil, nil), ReadHeaderTimeout: time.Minute}
	go srv.Serve(ln)
	defer srv.Close()

	logDir, err := os.MkdirTemp("", "midstream-drill-")
	if err != nil {
		return &exitError{1, fmt.Errorf("drill: %w", err)}
	}
	// Only a report names the logs: without one (an error before it) no
	// one would find them, so they go. finishDrill decides otherwise.
	reported := false
	defer func() {
		if !reported {
			os.RemoveAll(logDir)
		}
	}()
	stderr := cmd.ErrOrStderr()
	ses.rn = &runner{args: args, env: drillEnv(os.Environ(), "http://"+ln.Addr().String()), timeout: f.timeout, logDir: logDir}
	if f.verbose {
		ses.rn.verbose = stderr
	}
	ses.prog = &progress{w: stderr, tty: stderr == os.Stderr && stderrIsTerminal()}
	rep := &drillReport{Command: args, Capture: f.capture, LogDir: logDir}
	defer ses.prog.done()

	total := 0 // not known before the control run picks the default faults
	switch {
	case setup.chaos != 0:
		total = 1 + setup.runs
	case setup.faults != nil:
		total = 1 + len(setup.faults)
	}
	rep.ChaosSeed = setup.chaos
	control, err := ses.one(ctx, 1, total, nil)
	if err != nil {
		return usageErr("drill: cannot run %s: %v", args[0], err)
	}
	rep.Runs = append(rep.Runs, control)
	if setup.fixed == nil {
		rep.Dialects = dialectsUsed(control.Attempts)
	}
	if v, _ := decide(control); v == verdictOK {
		faults, err := chooseFaults(setup, control.Attempts)
		if err != nil {
			return err
		}
		for i := range faults {
			if ctx.Err() != nil {
				break
			}
			res, err := ses.one(ctx, i+2, 1+len(faults), &faults[i])
			if err != nil {
				return &exitError{1, fmt.Errorf("drill: run %d: %w", i+2, err)}
			}
			rep.Runs = append(rep.Runs, res)
		}
	}
	ses.prog.done()
	reported = true
	return finishDrill(cmd, f, rep, ctx.Err() != nil)
}

// chooseFaults returns the faults of the runs after the control run:
// --faults or the dialect's defaults, each once in order, or with --chaos
// --runs faults picked from them by the seed, their events drawn within
// the clean stream the control run got.
func chooseFaults(s *drillSetup, control []attempt) ([]inspect.Fault, error) {
	x := cleanStream(s, control)
	faults := s.faults
	if faults == nil {
		p := inspect.ProviderGeneric
		if x != nil {
			p = inspect.DetectProvider(x)
		}
		if faults = inspect.DrillFaults(p); len(faults) == 0 {
			return nil, usageErr("drill: no fault fits the %s dialect; name some with --faults", p)
		}
	}
	if s.chaos == 0 {
		return faults, nil
	}
	events := 0
	if x != nil {
		events = inspect.Diagnose(x, inspect.Options{}).EventCount
	}
	return inspect.ChaosFaults(faults, s.chaos, s.runs, events), nil
}

// cleanStream returns the clean exchange the control run was served:
// the capture, else the built-in stream of its first request; its
// dialect picks the default faults. nil when no request got one.
func cleanStream(s *drillSetup, control []attempt) *stream.Exchange {
	if s.fixed != nil {
		return s.fixed
	}
	for _, a := range control {
		if x := s.builtins[a.Dialect]; x != nil {
			return x
		}
	}
	return nil
}

// drillSession is one drill: the loopback server, whose requests go to
// the current run, and the runner of CMD.
type drillSession struct {
	setup   *drillSetup
	rn      *runner
	prog    *progress
	current atomic.Pointer[drillRun]
}

// ServeHTTP hands a request to the run in progress.
func (s *drillSession) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if run := s.current.Load(); run != nil {
		run.ServeHTTP(w, r)
		return
	}
	// A straggler from a run that ended (a child CMD left behind).
	http.Error(w, "midstream drill: between runs", http.StatusServiceUnavailable)
}

// one runs CMD as run i of total with fault ft (nil: the control run) on
// fresh servers, and returns what the server and the process say.
func (s *drillSession) one(ctx context.Context, i, total int, ft *inspect.Fault) (runResult, error) {
	res := runResult{}
	var inj func() stream.Injector
	if ft != nil {
		fault := *ft
		res.Fault, res.Destructive = fault.Spec, fault.Destructive()
		inj = func() stream.Injector { return inspect.NewInjector([]inspect.Fault{fault}, s.setup.attempts, 0) }
	}
	s.prog.show(i, total, res.Fault)
	run := newDrillRun(s.setup.fixed, s.setup.builtins, inj)
	s.current.Store(run)
	end, err := s.rn.run(ctx, i)
	s.current.Store(nil)
	run.Wait()
	res.Attempts, res.Exit, res.TimedOut, res.Elapsed, res.Log = run.Attempts(), end.exit, end.timedOut, end.elapsed, end.log
	return res, err
}

// dialectsUsed lists, in order of first use, the dialects of attempts.
func dialectsUsed(as []attempt) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range as {
		if a.Dialect != "" && !seen[a.Dialect] {
			seen[a.Dialect] = true
			out = append(out, a.Dialect)
		}
	}
	return out
}

// finishDrill prints the report, removes the logs when nothing needs
// them, and returns drill's exit status (130 when interrupted).
func finishDrill(cmd *cobra.Command, f *drillFlags, rep *drillReport, interrupted bool) error {
	if !rep.keepLogs() {
		os.RemoveAll(rep.LogDir)
		rep.LogDir = ""
	}
	out := cmd.OutOrStdout()
	switch f.format {
	case "json":
		if err := rep.writeJSON(out); err != nil {
			return &exitError{1, err}
		}
	case "markdown":
		rep.writeMarkdown(out)
	default:
		rep.writeTable(out)
	}
	if interrupted {
		printLine(cmd.ErrOrStderr(), "midstream drill: interrupted; the table shows the runs that finished")
		return &exitError{code: 130}
	}
	if code := rep.exitStatus(); code != 0 {
		if code == 2 {
			_, why := decide(rep.Runs[0])
			printLine(cmd.ErrOrStderr(), "midstream drill: the control run failed: %s", why)
		}
		return &exitError{code: code}
	}
	return nil
}
