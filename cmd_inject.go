package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

// injectFlags are the fault-injection flags serve and proxy share.
type injectFlags struct {
	specs    []string
	attempts string
	chaos    int64
}

// injectHelp is the paragraph serve's and proxy's --help add.
const injectHelp = `
Fault injection: --inject SPEC (repeatable) rewrites answers as they pass, in
the detected provider's own bytes (Anthropic, OpenAI Chat and Responses,
Gemini). SPEC is one of:
  error@N:TYPE  error@2.5s:TYPE  cut@N  cut-between@N  cut-before-end  reset@N
  stall@N:DURATION[,pings]  drip:RATE  garble@N  tail:STATUS
  status:CODE[,retry-after=S]
N counts events from 1. --attempts says which requests are hit: 1 (the default:
the first, so a retry gets the clean answer), all, or a list such as 1,3.
Several --inject faults hit the same request together; --chaos SEED instead
picks one of them (or, without --inject, one of every class) per request,
reproducibly, hitting every request unless --attempts says otherwise. Injected
exchanges are labelled "injected" in captures and in the inspector.`

// register adds the flags to cmd, with their completions.
func (f *injectFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.specs, "inject", nil, "fault to inject (repeatable), e.g. error@3:overloaded_error, cut@5, status:529 (grammar above)")
	fl.StringVar(&f.attempts, "attempts", "1", `requests the faults hit: 1, "all" or a list such as 1,3`)
	fl.Int64Var(&f.chaos, "chaos", 0, "pick one fault per request at random, reproducibly from this seed (0: off)")
	_ = cmd.RegisterFlagCompletionFunc("inject", cobra.FixedCompletions([]string{
		"error@3:overloaded_error", "error@2.5s:api_error", "cut@5", "cut-between@5", "cut-before-end",
		"reset@5", "stall@3:30s", "stall@3:30s,pings", "drip:200", "garble@4", "tail:503",
		"status:529", "status:429,retry-after=2", "status:503", "status:500",
	}, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
	_ = cmd.RegisterFlagCompletionFunc("attempts", cobra.FixedCompletions([]string{"1", "all", "1,2"}, cobra.ShellCompDirectiveNoFileComp))
}

// injector returns the injector the flags describe, nil for none. A bad
// spec is a usage error (exit 2) naming the bad part.
func (f *injectFlags) injector(cmd *cobra.Command, name string) (stream.Injector, string, error) {
	if len(f.specs) == 0 && f.chaos == 0 {
		if cmd.Flags().Changed("attempts") {
			return nil, "", usageErr("%s: --attempts needs --inject or --chaos", name)
		}
		return nil, "", nil
	}
	faults := make([]inspect.Fault, 0, len(f.specs))
	for _, s := range f.specs {
		ft, err := inspect.ParseFault(s)
		if err != nil {
			return nil, "", usageErr("%s: --inject: %v", name, err)
		}
		faults = append(faults, ft)
	}
	spec := f.attempts
	if f.chaos != 0 && !cmd.Flags().Changed("attempts") {
		spec = "all"
	}
	at, err := inspect.ParseAttempts(spec)
	if err != nil {
		return nil, "", usageErr("%s: %v", name, err)
	}
	what := strings.Join(f.specs, " + ")
	if f.chaos != 0 {
		if what == "" {
			what = "every fault class"
		}
		what = "chaos (seed " + strconv.FormatInt(f.chaos, 10) + ") among " + what
	}
	return inspect.NewInjector(faults, at, f.chaos), what + ", attempts " + at.String(), nil
}

// loggedInjector calls log for every request its Injector hits, so the
// serve log says which attempts got a fault.
type loggedInjector struct {
	stream.Injector
	log func(seq int, name string)
}

// For returns the inner injector's rewrite and logs it.
func (l loggedInjector) For(seq int, r *http.Request, x *stream.Exchange) stream.Rewrite {
	rw := l.Injector.For(seq, r, x)
	if rw != nil {
		l.log(seq, rw.Name())
	}
	return rw
}
