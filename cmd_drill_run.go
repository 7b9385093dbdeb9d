package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// baseURLVars are the environment variables that point an SDK at an API,
// with the path each expects after the host. drill sets every one of them
// to its own server for CMD; the server answers by the request's path, so
// a prefix an SDK adds itself (/v1/messages, /messages) still lands.
//
// Sources (read 2026-12-04):
//   - ANTHROPIC_BASE_URL, bare host: anthropic-sdk-python/-typescript/-go
//     read it and append /v1/messages; Vercel @ai-sdk/anthropic reads the
//     same variable but expects …/v1 (vercel/ai
//     packages/anthropic/src/anthropic-provider.ts, createAnthropic:
//     loadOptionalSetting ANTHROPIC_BASE_URL ?? https://api.anthropic.com/v1),
//     so it posts to {host}/messages, which drill answers too.
//   - OPENAI_BASE_URL, with /v1: openai-python/-node/-go read it; Vercel
//     @ai-sdk/openai too (vercel/ai packages/openai/src/openai-provider.ts,
//     createOpenAI: loadOptionalSetting OPENAI_BASE_URL ??
//     https://api.openai.com/v1).
//   - OPENAI_API_BASE, with /v1: the pre-1.0 openai-python name, still
//     read by LangChain's ChatOpenAI.
//   - GOOGLE_GEMINI_BASE_URL, bare host: the google-genai SDKs (python,
//     js, go) and gemini-cli; they append /v1beta/models/…. Checked in
//     the Go SDK's source (google.golang.org/genai v1.79.1: client.go
//     defaultEnvVarProvider reads it, base_url.go getBaseURL uses it
//     for the Gemini API backend) and measured: e2e/drillapps/genai-raw
//     reaches drill through it alone (e2e/drill_test.go). That SDK takes
//     its key from GOOGLE_API_KEY or GEMINI_API_KEY; with both set (drill
//     fills both when unset) it logs a harmless warning.
//   - GOOGLE_GENERATIVE_AI_BASE_URL, with /v1beta: the name Vercel
//     @ai-sdk/google setups use (the provider's default is
//     https://generativelanguage.googleapis.com/v1beta); not verified in
//     the provider's own source.
var baseURLVars = []struct{ name, suffix string }{
	{"ANTHROPIC_BASE_URL", ""},
	{"OPENAI_BASE_URL", "/v1"},
	{"OPENAI_API_BASE", "/v1"},
	{"GOOGLE_GEMINI_BASE_URL", ""},
	{"GOOGLE_GENERATIVE_AI_BASE_URL", "/v1beta"},
}

// placeholderKeys are the API-key variables SDKs refuse to start
// without; drill sets the unset ones to a placeholder (its server never
// checks a key, and a real key set by the user only ever reaches the
// loopback server).
var placeholderKeys = []string{"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"}

// drillPlaceholderKey is the placeholder: it has no key shape, so it is
// never mistaken for a leaked one.
const drillPlaceholderKey = "midstream-drill-placeholder"

// drillEnv returns CMD's environment: base (os.Environ()) with every
// base-URL variable pointing at url and the missing keys filled in.
func drillEnv(base []string, url string) []string {
	set := map[string]bool{}
	for _, kv := range base {
		if i := strings.IndexByte(kv, '='); i > 0 && kv[i+1:] != "" {
			set[kv[:i]] = true
		}
	}
	env := make([]string, 0, len(base)+len(baseURLVars)+len(placeholderKeys))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !isBaseURLVar(name) {
			env = append(env, kv)
		}
	}
	for _, v := range baseURLVars {
		env = append(env, v.name+"="+url+v.suffix)
	}
	for _, k := range placeholderKeys {
		if !set[k] {
			env = append(env, k+"="+drillPlaceholderKey)
		}
	}
	return env
}

// isBaseURLVar reports whether name is one drill overrides.
func isBaseURLVar(name string) bool {
	for _, v := range baseURLVars {
		if v.name == name {
			return true
		}
	}
	return false
}

// runner runs CMD, once per fault, in its own process group.
type runner struct {
	args    []string
	env     []string
	timeout time.Duration
	logDir  string
	verbose io.Writer // CMD's output also goes here (redacted, through SafeWriter) when set
}

// procEnd is how one run of CMD ended.
type procEnd struct {
	exit     int // -1 when killed
	timedOut bool
	elapsed  time.Duration
	log      string
}

// run starts CMD for run number n, waits for it (killing its whole
// process group at the timeout or when ctx ends) and returns how it
// ended. An error means CMD could not be started at all.
func (rn *runner) run(ctx context.Context, n int) (procEnd, error) {
	end := procEnd{log: filepath.Join(rn.logDir, fmt.Sprintf("run-%02d.log", n))}
	out, err := stream.CreateNew(end.log)
	if err != nil {
		return end, err
	}
	log := newBoundedLog(out, drillLogHead, drillLogTail)
	var dst io.Writer = log
	if rn.verbose != nil {
		dst = io.MultiWriter(log, &stream.SafeWriter{W: rn.verbose})
	}
	w := &redactingLines{w: dst}
	defer func() {
		_ = w.flush()
		_ = log.finish()
		_ = out.Commit()
	}()
	cmd := exec.Command(rn.args[0], rn.args[1:]...)
	cmd.Env = rn.env
	cmd.Stdout, cmd.Stderr = w, w // one writer: exec never writes to it from two goroutines
	// Its own process group, so that the timeout kills what CMD started
	// too (go run's child, a shell's pipeline), not only CMD.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second // a grandchild holding the output pipe cannot block the drill
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return end, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(rn.timeout)
	defer timer.Stop()
	select {
	case err = <-done:
	case <-timer.C:
		end.timedOut = true
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	end.elapsed = time.Since(start)
	end.exit = cmd.ProcessState.ExitCode()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) {
		return end, err
	}
	// A child CMD left behind must not outlive its run either.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return end, nil
}

// progress shows which run is going on: one line rewritten in place on a
// terminal, plain lines otherwise.
type progress struct {
	w    io.Writer
	tty  bool
	last int // width of the line on screen
}

// show says that run i of total (0: not known yet) has started, with its
// fault spec ("" for the control run).
func (p *progress) show(i, total int, spec string) {
	if spec == "" {
		spec = "control run, no fault"
	}
	n := fmt.Sprint(i)
	if total > 0 {
		n = fmt.Sprintf("%d/%d", i, total)
	}
	line := stream.SafeLine(stream.RedactText(fmt.Sprintf("drill: %s %s …", n, spec)))
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := ""
	if n := p.last - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.last = len(line)
}

// done clears the progress line.
func (p *progress) done() {
	if p.tty && p.last > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.last))
		p.last = 0
	}
}

// stderrIsTerminal decides between the progress line and plain lines.
var stderrIsTerminal = func() bool { return fileIsTerminal(os.Stderr) }
