package main

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/internal/telemetry"
	"github.com/midstreamhq/midstream/stream"
	"github.com/spf13/cobra"
)

// otlpFromEnv is --otlp given without a value: the endpoint comes from the
// standard OTEL_EXPORTER_OTLP_* variables.
const otlpFromEnv = "from-env"

// otlpUsage documents --otlp in every command that has it.
const otlpUsage = "export every verdict as OpenTelemetry to the OTLP collector at `URL`: one span per" + `
exchange (GenAI conventions: "chat {model}", gen_ai.*, http.response.status_code,
error.type, midstream.mapped_status, midstream.mismatch, a span event per finding)
and metrics (gen_ai.client.operation.*, midstream.exchanges). Without a URL the
standard variables decide: OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT /
_METRICS_ENDPOINT (default http://localhost:4318), OTEL_EXPORTER_OTLP_PROTOCOL
(http/protobuf or grpc), OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES. Export runs in the background with a bounded queue: a
slow or dead collector loses spans (counted, shown on exit), never delays a
stream. Keys are redacted from every attribute`

// otlpFlags are --otlp and --otlp-content.
type otlpFlags struct {
	endpoint string
	content  bool
}

// register adds the flags to cmd.
func (f *otlpFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "otlp", "", otlpUsage)
	fl.Lookup("otlp").NoOptDefVal = otlpFromEnv
	fl.BoolVar(&f.content, "otlp-content", false, "with --otlp, also export prompts and completions (gen_ai.input.messages / gen_ai.output.messages; redacted, at most 16 KiB each)")
}

// start returns the exporter the flags ask for; nil (a valid, inert
// exporter) without --otlp. A bad URL or protocol is a usage error.
func (f *otlpFlags) start(cmd *cobra.Command, name string) (*telemetry.Exporter, error) {
	if f.endpoint == "" {
		if f.content {
			return nil, usageErr("%s: --otlp-content needs --otlp", name)
		}
		return nil, nil
	}
	cfg := telemetry.Config{Content: f.content, Version: version}
	if f.endpoint != otlpFromEnv {
		cfg.Endpoint = f.endpoint
	}
	e, err := telemetry.New(cmd.Context(), cfg)
	if err != nil {
		return nil, usageErr("%s: %v", name, err)
	}
	printLine(cmd.ErrOrStderr(), "midstream %s: otlp: exporting a span per exchange and metrics to %s", name, e.Endpoint())
	return e, nil
}

// otlpDrain is how long the exit waits for queued spans to reach the
// collector.
const otlpDrain = 5 * time.Second

// finishOTLP sends what is queued (at most otlpDrain) and prints the
// line that says how export went: exported, or how many spans were
// dropped and why.
func finishOTLP(e *telemetry.Exporter, w io.Writer, name string) {
	if e == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), otlpDrain)
	defer cancel()
	if s := e.Summary(e.Shutdown(ctx)); s != "" {
		printLine(w, "midstream %s: %s", name, s)
	}
}

// otlpArgs lets --otlp take its URL as the next argument (--otlp URL) as
// well as --otlp=URL: a flag with an optional value only takes the =
// form, and "--otlp http://…" would otherwise make the URL an argument.
// Only a following http:// or https:// URL is taken, so "--otlp FILE"
// stays a bare --otlp and a file.
func otlpArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--otlp" && i+1 < len(args) && (strings.HasPrefix(args[i+1], "http://") || strings.HasPrefix(args[i+1], "https://")) {
			out = append(out, "--otlp="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// servedSpans returns serve's --otlp hook: each answer served is one span,
// timed from now, with the verdict of the capture it replays (diagnosed
// once, on its first use) and the capture's name. The span is built on its
// own goroutine, so the answer never waits for it; wait blocks until every
// span so far is ended, and must be called before the exporter shuts
// down, or a span ended after it is lost (counted as dropped).
func servedSpans(e *telemetry.Exporter, plan []*stream.Exchange, names []string) (record func(*stream.Exchange), wait func()) {
	if e == nil {
		return func(*stream.Exchange) {}, func() {}
	}
	var pending sync.WaitGroup
	type answer struct {
		once sync.Once
		v    *inspect.Verdict
		name string
	}
	answers := map[*stream.Exchange]*answer{}
	for i, x := range plan {
		answers[x] = &answer{name: names[i]}
	}
	return func(x *stream.Exchange) {
		a := answers[x]
		if a == nil {
			return
		}
		start := time.Now()
		pending.Add(1)
		go func() {
			defer pending.Done()
			a.once.Do(func() { a.v = inspect.Diagnose(x, inspect.Options{Window: inspect.ReportWindow}) })
			e.RecordAt(a.v, a.name, start)
		}()
	}, pending.Wait
}
