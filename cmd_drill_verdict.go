package main

import (
	"fmt"
	"time"
)

// verdict is what a run says about the user's code under one fault.
type verdict string

// The verdicts. recovered, reported and swallowed are the three answers
// issue #13 asks for; the others say why a row answers nothing.
const (
	// verdictOK: the control run got a full answer and exited 0.
	verdictOK verdict = "ok"
	// verdictControlFailed: the control run did not: nothing else can
	// be judged.
	verdictControlFailed verdict = "failed"
	// verdictRecovered: exited 0 and some attempt got the full answer
	// (a retry's clean answer, or the faulted one for a fault that does
	// not lose data: stall, drip).
	verdictRecovered verdict = "recovered"
	// verdictReported: exited non-zero.
	verdictReported verdict = "reported"
	// verdictSwallowed: exited 0 although no attempt got the full
	// answer: the fault was hidden from whoever ran CMD.
	verdictSwallowed verdict = "swallowed"
	// verdictHung: still running at --timeout; killed.
	verdictHung verdict = "hung"
	// verdictUntested: no attempt was faulted (CMD made no request, or
	// fewer than --attempts names), or the fault never fired (an event
	// number past the stream's end): the row proves nothing.
	verdictUntested verdict = "untested"
)

// runResult is everything drill knows about one run of CMD: the server's
// facts and the process's end.
type runResult struct {
	Fault       string // the fault spec; "" for the control run
	Destructive bool   // the fault keeps a faulted attempt from the full answer
	Attempts    []attempt
	Exit        int // CMD's exit status; -1 when killed
	TimedOut    bool
	Elapsed     time.Duration
	Log         string // CMD's output, kept in a file
}

// faulted counts the attempts a fault rewrote.
func (r runResult) faulted() int {
	n := 0
	for _, a := range r.Attempts {
		if a.Fault != "" {
			n++
		}
	}
	return n
}

// fired reports whether the fault fired in some faulted attempt, as the
// rewrite signalled it (attempt.Fired): more reliable than comparing
// bytes, and it covers the faults that keep the bytes (stall, drip),
// whose stall@9 of a 6-event stream never happens either.
func (r runResult) fired() bool {
	for _, a := range r.Attempts {
		if a.Fault != "" && a.Fired != nil && a.Fired.Fired {
			return true
		}
	}
	return false
}

// delivered returns the 1-based number of the first attempt that got the
// full answer, 0 if none did. A faulted attempt counts only when its
// fault loses nothing (stall, drip) and the server finished sending it.
func (r runResult) delivered() int {
	for _, a := range r.Attempts {
		if a.Full || (a.Fault != "" && !r.Destructive && a.Complete) {
			return a.Seq
		}
	}
	return 0
}

// decide returns a run's verdict and a few words of why, from the
// server's facts and CMD's exit: never from what CMD printed.
func decide(r runResult) (verdict, string) {
	if r.Fault == "" {
		return decideControl(r)
	}
	n := len(r.Attempts)
	switch {
	case r.TimedOut:
		return verdictHung, fmt.Sprintf("killed after %s, %s", roundDur(r.Elapsed), requests(n))
	case n == 0:
		return verdictUntested, "CMD made no request"
	case r.faulted() == 0:
		return verdictUntested, fmt.Sprintf("no attempt was faulted (%s)", requests(n))
	case !r.fired():
		return verdictUntested, "the fault never fired: the stream has nothing there to break"
	case r.Exit != 0:
		if d := r.delivered(); d > 0 {
			return verdictReported, fmt.Sprintf("exit %d although attempt %d got the full answer", r.Exit, d)
		}
		return verdictReported, fmt.Sprintf("exit %d after %s", r.Exit, requests(n))
	}
	d := r.delivered()
	switch {
	case d == 0 && n > r.faulted():
		return verdictSwallowed, fmt.Sprintf("exit 0, no attempt of %d got the full answer", n)
	case d == 0 && n == 1:
		return verdictSwallowed, "exit 0 without the full answer, no retry"
	case d == 0:
		return verdictSwallowed, fmt.Sprintf("exit 0, all %d attempts faulted", n)
	case r.Attempts[d-1].Fault != "":
		return verdictRecovered, "finished with the full answer despite the fault"
	}
	return verdictRecovered, fmt.Sprintf("retried: full answer on attempt %d", d)
}

// decideControl judges the clean control run.
func decideControl(r runResult) (verdict, string) {
	switch {
	case r.TimedOut:
		return verdictControlFailed, fmt.Sprintf("killed after %s without a fault", roundDur(r.Elapsed))
	case len(r.Attempts) == 0:
		return verdictControlFailed, "CMD made no request to drill's server (does it read a base-URL variable?)"
	case r.Exit != 0:
		return verdictControlFailed, fmt.Sprintf("exit %d without a fault", r.Exit)
	case r.delivered() == 0:
		return verdictControlFailed, "no request got the full clean answer"
	}
	return verdictOK, "clean answer, exit 0"
}

// requests says "1 request" or "N requests".
func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

// roundDur shows d to the tenth of a second.
func roundDur(d time.Duration) string {
	return fmt.Sprintf("%.1fs", d.Seconds())
}
