package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
	"github.com/midstreamhq/midstream/ui"
)

// inspectorFlags are the flags replay and demo share.
type inspectorFlags struct {
	instant bool
	sdk     string
	theme   themeFlag
	limits  limitFlags
}

func (f *inspectorFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.instant, "instant", false, "show the whole capture at once instead of at its recorded pace")
	cmd.Flags().StringVar(&f.sdk, "sdk", "", "the SDK you use, NAME[@VERSION]: "+strings.Join(inspect.SDKNames, ", ")+"; "+inspect.SDKVersionNote+" (default: detected from request headers)")
	f.theme.register(cmd)
}

// options returns the inspector's options for cmd, titled title. --sdk is
// checked as diagnose checks it: an unknown SDK or a malformed version is
// a usage error worded as diagnose words it.
func (f *inspectorFlags) options(cmd *cobra.Command, title string) (ui.Options, error) {
	opt := ui.Options{Title: title, Instant: f.instant, ToolVersion: version, Theme: f.theme.theme}
	if f.sdk != "" {
		ref, err := inspect.ParseSDKRef(f.sdk)
		if err != nil {
			return opt, usageErr("%s: --sdk: %v", cmd.CalledAs(), err)
		}
		opt.Inspect.SDK = ref
	}
	return opt, nil
}

// stdoutIsTerminal decides between the inspector and the text report.
var stdoutIsTerminal = func() bool { return term.IsTerminal(os.Stdout.Fd()) }

// printDiagnosis writes the text report of xs, for pipes and files.
func printDiagnosis(w io.Writer, xs []*stream.Exchange, opt ui.Options) error {
	d := &inspect.Diagnosis{ToolVersion: version}
	iopt := opt.Inspect
	iopt.Window = inspect.ReportWindow // a report: no full timeline needed
	for _, x := range xs {
		d.Exchanges = append(d.Exchanges, inspect.Diagnose(x, iopt))
	}
	return inspect.WriteText(w, d)
}

func init() {
	commands = append(commands, func() *cobra.Command {
		var flags inspectorFlags
		cmd := &cobra.Command{
			Use:     "replay FILE",
			Aliases: []string{"open"},
			Short:   "Open a capture in the interactive inspector, at its recorded pace",
			Long: `Open a capture (SSE body, curl -i/-v output, HAR, go-vcr or vcrpy cassette,
midstream JSONL) in the inspector. A timed capture plays at its recorded
pace (space pauses, + and - change speed, → steps, r restarts); --instant
shows it all at once. A capture with several exchanges opens on their list.
When stdout is not a terminal, the text diagnosis is printed instead.`,
			Example: "  midstream replay failing.jsonl\n  midstream open --instant session.har\n  midstream replay stream.sse | less",
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				path := args[0]
				opt, err := flags.options(cmd, path)
				if err != nil {
					return err
				}
				if err := refuseTerminalStdin(cmd, cmd.CalledAs()+" -", path); err != nil {
					return err
				}
				if !stdoutIsTerminal() {
					xs, err := stream.ReadFileWith(path, flags.limits.limits())
					if err != nil {
						return unreadable(path, err)
					}
					if answers := jsonAnswers(xs); answers != nil {
						name := path
						if path == "-" {
							name = "stdin"
						}
						noteJSONAnswers(cmd.ErrOrStderr(), name, xs, answers)
						var streams []*stream.Exchange
						for i, x := range xs {
							if !answers[i] {
								streams = append(streams, x)
							}
						}
						xs = streams
					}
					return printDiagnosis(cmd.OutOrStdout(), xs, opt)
				}
				if path != "-" {
					// Fail before taking over the screen.
					if _, err := os.Stat(path); err != nil {
						return unreadable(path, err)
					}
				}
				opt.Limits = flags.limits.limits()
				if err := ui.RunReplayFile(path, opt); err != nil {
					if isReadErr(err) {
						return unreadable(path, err)
					}
					return &exitError{code: 1, err: fmt.Errorf("replay %s: %w", path, err)}
				}
				return nil
			},
		}
		flags.register(cmd)
		flags.limits.register(cmd)
		return cmd
	})
}

// isReadErr reports whether err is a failure to read the capture (which
// the inspector showed, and which exits with status 2 as for every
// command), not of the inspector itself. (A file that cannot be opened
// was reported before the inspector started.)
func isReadErr(err error) bool {
	var fe *stream.FormatError
	var le *stream.LimitError
	return errors.As(err, &fe) || errors.As(err, &le)
}
