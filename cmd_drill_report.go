package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// drillSchema names the JSON form of a drill report.
const drillSchema = "midstream.drill/v1"

// drillReport is a whole drill: what ran against what, and each run.
type drillReport struct {
	Command  []string    // CMD and its arguments
	Capture  string      // --capture FILE, "" for the built-in streams
	Dialects []string    // the dialects the control run used
	Runs     []runResult // the control run first
	LogDir   string      // where CMD's output was kept; "" once removed
	// ChaosSeed is --chaos SEED (0: off): the faults were picked by it.
	ChaosSeed int64
}

// row is one run as every format shows it.
type row struct {
	Fault    string  `json:"fault"`
	Requests int     `json:"requests"`
	Faulted  []int   `json:"faulted_attempts"`
	Exit     int     `json:"exit"`
	TimedOut bool    `json:"timed_out"`
	Seconds  float64 `json:"seconds"`
	Verdict  verdict `json:"verdict"`
	Why      string  `json:"why"`
	Log      string  `json:"log,omitempty"`
	// Fired lists the attempts whose fault fired and where, as the
	// server's rewrite signalled it (JSON only).
	Fired []firedAt `json:"fired,omitempty"`
}

// firedAt is where a fault fired in one attempt: the 1-based event it
// first changed, 0 when it answered in place of the response.
type firedAt struct {
	Attempt   int  `json:"attempt"`
	Event     int  `json:"event"`
	AfterLast bool `json:"after_last,omitempty"` // after the last event (a tail)
}

// rows renders the runs; a log path is named only for a row that did not
// end well and only while the logs are kept.
func (d *drillReport) rows() []row {
	out := make([]row, 0, len(d.Runs))
	for _, r := range d.Runs {
		v, why := decide(r)
		w := row{Fault: r.Fault, Requests: len(r.Attempts), Faulted: []int{}, Exit: r.Exit, TimedOut: r.TimedOut,
			Seconds: math.Round(r.Elapsed.Seconds()*100) / 100, Verdict: v, Why: why}
		if w.Fault == "" {
			w.Fault = "(control)"
		}
		for _, a := range r.Attempts {
			if a.Fault != "" {
				w.Faulted = append(w.Faulted, a.Seq)
			}
			if f := a.Fired; f != nil && f.Fired {
				w.Fired = append(w.Fired, firedAt{Attempt: a.Seq, Event: f.Event, AfterLast: f.AfterLast})
			}
		}
		if d.LogDir != "" && v != verdictOK && v != verdictRecovered {
			w.Log = r.Log
		}
		out = append(out, w)
	}
	return out
}

// exitStatus is drill's own: 2 when the control run failed (nothing was
// judged), 1 when some fault was swallowed, 0 otherwise.
func (d *drillReport) exitStatus() int {
	rows := d.rows()
	if len(rows) > 0 && rows[0].Verdict == verdictControlFailed {
		return 2
	}
	for _, r := range rows {
		if r.Verdict == verdictSwallowed {
			return 1
		}
	}
	return 0
}

// keepLogs says whether CMD's output is worth keeping: some row did not
// end well.
func (d *drillReport) keepLogs() bool {
	for _, r := range d.Runs {
		if v, _ := decide(r); v != verdictOK && v != verdictRecovered {
			return true
		}
	}
	return false
}

// count returns how many rows have verdict v.
func count(rows []row, v verdict) int {
	n := 0
	for _, r := range rows {
		if r.Verdict == v {
			n++
		}
	}
	return n
}

// exitText shows an exit status; a killed process has none.
func exitText(r row) string {
	if r.TimedOut || r.Exit < 0 {
		return "killed"
	}
	return fmt.Sprint(r.Exit)
}

// faultedText shows the faulted attempts: "1", "1,2", "-".
func faultedText(r row) string {
	if len(r.Faulted) == 0 {
		return "-"
	}
	s := make([]string, len(r.Faulted))
	for i, n := range r.Faulted {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

// summary is the last line of the table and of the markdown.
func (d *drillReport) summary(rows []row) string {
	if len(rows) > 0 && rows[0].Verdict == verdictControlFailed {
		return "the control run failed without any fault: fix that first; no fault was judged"
	}
	return fmt.Sprintf("%d fault(s): %d recovered, %d reported, %d swallowed, %d hung, %d untested",
		len(rows)-1, count(rows, verdictRecovered), count(rows, verdictReported), count(rows, verdictSwallowed),
		count(rows, verdictHung), count(rows, verdictUntested))
}

// writeTable prints the report as an aligned table; every line goes
// through printLine (redacted, SafeLine), since the command, a capture's
// name and the reasons come from the user's world.
func (d *drillReport) writeTable(w io.Writer) {
	rows := d.rows()
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tREQUESTS\tFAULTED\tEXIT\tTIME\tVERDICT\tWHY")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.1fs\t%s\t%s\n", stream.SafeLine(r.Fault), r.Requests, faultedText(r),
			exitText(r), r.Seconds, r.Verdict, r.Why)
	}
	tw.Flush()
	printLine(w, "drill: %s against %s%s", shellJoin(d.Command), d.source(), d.chaosNote())
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		printLine(w, "%s", l)
	}
	printLine(w, "%s", d.summary(rows))
	for _, r := range rows {
		if r.Log != "" {
			printLine(w, "%s: CMD's output is in %s", r.Fault, r.Log)
		}
	}
}

// chaosNote says how to get the same faults again, "" without --chaos.
func (d *drillReport) chaosNote() string {
	if d.ChaosSeed == 0 {
		return ""
	}
	return fmt.Sprintf(", faults picked by --chaos %d (the same seed picks them again)", d.ChaosSeed)
}

// source says what the runs were served.
func (d *drillReport) source() string {
	if d.Capture != "" {
		return d.Capture
	}
	if len(d.Dialects) == 0 {
		return "the built-in streams"
	}
	return "the built-in " + strings.Join(d.Dialects, ", ") + " stream"
}

// writeMarkdown prints the report as a GitHub table, for a PR or an issue.
func (d *drillReport) writeMarkdown(w io.Writer) {
	rows := d.rows()
	cell := func(s string) string { return strings.ReplaceAll(stream.SafeLine(stream.RedactText(s)), "|", `\|`) }
	fmt.Fprintf(w, "`midstream drill` of `%s` against %s\n\n", cell(shellJoin(d.Command)), cell(d.source()+d.chaosNote()))
	fmt.Fprintln(w, "| fault | requests | faulted | exit | time | verdict | why |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| `%s` | %d | %s | %s | %.1fs | **%s** | %s |\n", cell(r.Fault), r.Requests, faultedText(r),
			exitText(r), r.Seconds, r.Verdict, cell(r.Why))
	}
	fmt.Fprintf(w, "\n%s\n", d.summary(rows))
}

// drillJSON is the JSON report, schema midstream.drill/v1.
type drillJSON struct {
	Schema     string   `json:"schema"`
	Command    []string `json:"command"`
	Capture    string   `json:"capture"` // "" for the built-in streams
	Dialects   []string `json:"dialects"`
	ChaosSeed  int64    `json:"chaos_seed,omitempty"` // --chaos SEED picked the faults
	Runs       []row    `json:"runs"`
	Swallowed  int      `json:"swallowed"`
	ExitStatus int      `json:"exit_status"`
	LogDir     string   `json:"log_dir,omitempty"`
}

// writeJSON prints the report as JSON, redacted and escaped by SafeJSON
// so that it stays valid JSON and inert on a terminal.
func (d *drillReport) writeJSON(w io.Writer) error {
	rows := d.rows()
	dialects := d.Dialects
	if dialects == nil {
		dialects = []string{}
	}
	j := drillJSON{Schema: drillSchema, Command: d.Command, Capture: d.Capture, Dialects: dialects, Runs: rows,
		ChaosSeed: d.ChaosSeed, Swallowed: count(rows, verdictSwallowed), ExitStatus: d.exitStatus()}
	if d.keepLogs() {
		j.LogDir = d.LogDir
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(stream.SafeJSON([]byte(stream.RedactText(string(b)))), '\n'))
	return err
}

// shellJoin shows a command line as a shell would need it typed
// (inspect.ShellQuote on each argument).
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = inspect.ShellQuote(a)
	}
	return strings.Join(out, " ")
}
