package inspect

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault classes (Fault.Class): the ways `--inject` breaks a stream.
const (
	FaultError        = "error"          // an in-stream error event, then the provider's end
	FaultCut          = "cut"            // the connection aborts mid-frame of event N
	FaultCutBetween   = "cut-between"    // the connection aborts right after event N
	FaultCutBeforeEnd = "cut-before-end" // only the terminator is dropped; the end is clean
	FaultReset        = "reset"          // a TCP reset instead of event N
	FaultStall        = "stall"          // silence (or keep-alive pings) before event N
	FaultDrip         = "drip"           // the body trickles at RATE bytes per second
	FaultGarble       = "garble"         // event N carries malformed JSON
	FaultTail         = "tail"           // a raw JSON error after the last event (Gemini's shape)
	FaultStatus       = "status"         // an HTTP error answer before any stream
)

// faultClasses lists the classes in the order help text and DrillFaults use.
var faultClasses = []string{FaultStatus, FaultError, FaultCut, FaultCutBetween, FaultCutBeforeEnd,
	FaultReset, FaultStall, FaultDrip, FaultGarble, FaultTail}

// Fault is one fault to inject, parsed from its spec (see ParseFault).
type Fault struct {
	// Class is one of the Fault* classes; Spec is the spec as given.
	Class, Spec string
	// N is the 1-based event the fault hits (error, cut, cut-between,
	// reset, stall, garble); 0 for an error by time.
	N int
	// After is the time since the response started at which error@T
	// fires (at the first event from then on).
	After time.Duration
	// Type is the error type for error@ (as given: "overloaded_error").
	Type string
	// Status is the HTTP status of status: and tail: faults.
	Status int
	// RetryAfter is the retry-after header of status: in seconds; -1 for none.
	RetryAfter int
	// Stall is how long stall@ stays silent; Pings sends the dialect's
	// keep-alive meanwhile.
	Stall time.Duration
	Pings bool
	// Rate is drip's pace in bytes per second.
	Rate int
}

// Destructive reports whether the client cannot get the full answer from
// an attempt that hit f: true for error, cut*, reset, garble, tail and
// status; false for stall and drip, which only slow the answer down.
func (f Fault) Destructive() bool { return f.Class != FaultStall && f.Class != FaultDrip }

// FaultGrammar is the one-line summary of the spec grammar, for help
// text and errors.
const FaultGrammar = "error@N:TYPE, error@2.5s:TYPE, cut@N, cut-between@N, cut-before-end, reset@N, " +
	"stall@N:DURATION[,pings], drip:RATE, garble@N, tail:STATUS, status:CODE[,retry-after=S]"

// ParseFault parses one `--inject` spec such as "error@3:overloaded_error",
// "cut@5" or "status:529,retry-after=2". The error names the bad part.
func ParseFault(spec string) (Fault, error) {
	f := Fault{Spec: spec, RetryAfter: -1}
	bad := func(format string, a ...any) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s", spec, fmt.Sprintf(format, a...))
	}
	if spec == "" {
		return Fault{}, fmt.Errorf("empty fault spec (want one of: %s)", FaultGrammar)
	}
	name, rest := spec, ""
	if i := strings.IndexAny(spec, "@:"); i >= 0 {
		name, rest = spec[:i], spec[i:]
	}
	f.Class = name
	switch name {
	case FaultCutBeforeEnd:
		if rest != "" {
			return bad("cut-before-end takes no argument, got %q", rest)
		}
		return f, nil
	case FaultCut, FaultCutBetween, FaultReset, FaultGarble:
		n, err := eventNumber(rest, name)
		if err != nil {
			return bad("%v", err)
		}
		f.N = n
		return f, nil
	case FaultError:
		return parseErrorFault(f, rest, bad)
	case FaultStall:
		return parseStall(f, rest, bad)
	case FaultDrip:
		v, ok := strings.CutPrefix(rest, ":")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 1 || n > 1<<30 {
			return bad("drip wants drip:RATE with RATE a whole number of bytes per second ≥ 1, got %q", rest)
		}
		f.Rate = n
		return f, nil
	case FaultTail:
		v, ok := strings.CutPrefix(rest, ":")
		st, err := errorStatus(v)
		if !ok || err != nil {
			return bad("tail wants tail:STATUS with STATUS an HTTP error status 400–599, got %q", rest)
		}
		f.Status = st
		return f, nil
	case FaultStatus:
		return parseStatus(f, rest, bad)
	}
	return bad("unknown fault class %q (known: %s)", name, strings.Join(faultClasses, ", "))
}

// eventNumber parses "@N" (N ≥ 1) for class.
func eventNumber(rest, class string) (int, error) {
	v, ok := strings.CutPrefix(rest, "@")
	if !ok {
		return 0, fmt.Errorf("%s wants %s@N with N the event number, got %q", class, class, rest)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("event number %q is not a whole number ≥ 1", v)
	}
	return n, nil
}

// parseErrorFault parses "@N:TYPE" or "@T:TYPE" of error@.
func parseErrorFault(f Fault, rest string, bad func(string, ...any) (Fault, error)) (Fault, error) {
	v, ok := strings.CutPrefix(rest, "@")
	pos, typ, ok2 := strings.Cut(v, ":")
	if !ok || !ok2 {
		return bad("error wants error@N:TYPE or error@2.5s:TYPE, got %q", rest)
	}
	if strings.ContainsAny(pos, "smh") {
		d, err := time.ParseDuration(pos)
		if err != nil || d <= 0 {
			return bad("time %q is not a positive duration such as 2.5s", pos)
		}
		f.After = d
	} else {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 1 {
			return bad("event number %q is not a whole number ≥ 1 (or a time such as 2.5s)", pos)
		}
		f.N = n
	}
	if _, ok := lookupErrorKind(typ); !ok {
		return bad("unknown error type %q (known: %s)", typ, strings.Join(errorTypeNames(), ", "))
	}
	f.Type = typ
	return f, nil
}

// parseStall parses "@N:DURATION[,pings]" of stall@.
func parseStall(f Fault, rest string, bad func(string, ...any) (Fault, error)) (Fault, error) {
	v, ok := strings.CutPrefix(rest, "@")
	pos, dur, ok2 := strings.Cut(v, ":")
	if !ok || !ok2 {
		return bad("stall wants stall@N:DURATION[,pings], got %q", rest)
	}
	n, err := strconv.Atoi(pos)
	if err != nil || n < 1 {
		return bad("event number %q is not a whole number ≥ 1", pos)
	}
	dur, opt, hasOpt := strings.Cut(dur, ",")
	if hasOpt && opt != "pings" {
		return bad("unknown stall option %q (known: pings)", opt)
	}
	d, err := time.ParseDuration(dur)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return bad("stall duration %q is not a positive duration such as 30s (at most 24h)", dur)
	}
	f.N, f.Stall, f.Pings = n, d, hasOpt
	return f, nil
}

// parseStatus parses ":CODE[,retry-after=S]" of status:.
func parseStatus(f Fault, rest string, bad func(string, ...any) (Fault, error)) (Fault, error) {
	v, ok := strings.CutPrefix(rest, ":")
	code, opt, hasOpt := strings.Cut(v, ",")
	st, err := errorStatus(code)
	if !ok || err != nil {
		return bad("status wants status:CODE[,retry-after=S] with CODE an HTTP error status 400–599, got %q", rest)
	}
	f.Status = st
	if hasOpt {
		s, ok := strings.CutPrefix(opt, "retry-after=")
		n, err := strconv.Atoi(s)
		if !ok || err != nil || n < 0 || n > 86400 {
			return bad("option %q: want retry-after=S with S whole seconds 0–86400", opt)
		}
		f.RetryAfter = n
	}
	return f, nil
}

// errorStatus parses an HTTP error status, 400–599.
func errorStatus(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 400 || n > 599 {
		return 0, fmt.Errorf("%q is not an HTTP error status 400–599", s)
	}
	return n, nil
}

// Attempts says which requests a fault hits, by their 1-based number.
type Attempts struct {
	all  bool
	list []int // sorted, no duplicates
}

// ParseAttempts parses `--attempts`: "1" (the default: the first attempt
// only, so a retry gets the clean stream), "all", or a list such as "1,3".
func ParseAttempts(s string) (Attempts, error) {
	if s == "all" {
		return Attempts{all: true}, nil
	}
	if s == "" {
		return Attempts{}, fmt.Errorf(`--attempts: empty (want "all", a number such as 1, or a list such as 1,3)`)
	}
	var a Attempts
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return Attempts{}, fmt.Errorf("--attempts %q: %q is not an attempt number ≥ 1 (want \"all\" or a list such as 1,3)", s, part)
		}
		if !seen[n] {
			seen[n] = true
			a.list = append(a.list, n)
		}
	}
	return a, nil
}

// Hits reports whether request seq is one of the attempts.
func (a Attempts) Hits(seq int) bool {
	if a.all {
		return true
	}
	for _, n := range a.list {
		if n == seq {
			return true
		}
	}
	return false
}

// String is the attempts as ParseAttempts reads them.
func (a Attempts) String() string {
	if a.all {
		return "all"
	}
	s := make([]string, len(a.list))
	for i, n := range a.list {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// DrillFaults returns drill's default faults for dialect p: one
// representative fault per class that fits the dialect, in a stable
// order (FaultGrammar's). tail is Gemini's shape only.
func DrillFaults(p Provider) []Fault {
	d := faultDialectOf(p)
	status := "status:503"
	if d == fdAnthropic {
		status = "status:529"
	}
	errType := "overloaded_error"
	specs := []string{status, "error@2:" + errType, "cut@3", "cut-between@2", FaultCutBeforeEnd,
		"reset@3", "stall@2:3s", "drip:2048", "garble@3"}
	if d == fdAnthropic {
		specs[6] = "stall@2:3s,pings"
		// Event 3 of an Anthropic stream is its ping, which the SDKs skip
		// undecoded (measured: e2e/drill_test.go), so a garbled ping
		// proves nothing; event 4 is the first text delta.
		specs[8] = "garble@4"
	}
	if d == fdGemini {
		specs = append(specs, "tail:503")
	}
	out := make([]Fault, 0, len(specs))
	for _, s := range specs {
		f, err := ParseFault(s)
		if err != nil {
			panic("inspect: bad drill fault " + s + ": " + err.Error()) // a constant above
		}
		out = append(out, f)
	}
	return out
}
