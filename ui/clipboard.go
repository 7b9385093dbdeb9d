package ui

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/atotto/clipboard"
	osc52 "github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/midstreamhq/midstream/stream"
)

// clipEnv is what the copy strategy depends on, injectable for tests.
type clipEnv struct {
	getenv   func(string) string
	goos     string
	term     io.Writer                                  // where OSC 52 goes (the terminal)
	local    func(string) error                         // the local clipboard (atotto)
	saveFile func(text, pattern string) (string, error) // fallback file writer (stream.CreateTemp pattern)
}

func defaultClipEnv() clipEnv {
	return clipEnv{
		getenv:   os.Getenv,
		goos:     runtime.GOOS,
		term:     os.Stdout,
		local:    clipboard.WriteAll,
		saveFile: saveTextFile,
	}
}

// copyResult says what each copy method did; the status line reports it.
type copyResult struct {
	osc52    bool   // the OSC 52 sequence was written to the terminal
	tmux     bool   // …wrapped for tmux
	local    bool   // the local clipboard accepted the text
	localErr error  // why it did not, when it was tried
	file     string // fallback file, when nothing could be confirmed
	fileErr  error
}

// localPlausible reports whether a local clipboard can exist: a display on
// Linux/BSD, or macOS/Windows. Over plain SSH there is none.
func (e clipEnv) localPlausible() bool {
	switch e.goos {
	case "darwin", "windows":
		return true
	}
	return e.getenv("DISPLAY") != "" || e.getenv("WAYLAND_DISPLAY") != ""
}

// The fallback file's name patterns, for stream.CreateTemp: each says what
// the file holds.
const (
	diagnosisFilePattern = "midstream-diagnosis-*.md" // a Markdown diagnosis
	frameFilePattern     = "midstream-frame-*.txt"    // one raw SSE frame
)

// copyText copies text by every plausible method. OSC 52 reaches the
// user's terminal even over SSH, but the terminal never confirms it, so
// unless the local clipboard confirmed the copy the text is also saved to
// a file, named by pattern, whose path is reported. The text passes stream.SafeText first:
// whatever is pasted or printed from the clipboard or the file holds no
// escape sequence, control, C1 or bidi character from the stream.
func copyText(text, pattern string, e clipEnv) copyResult {
	var r copyResult
	text = stream.SafeText(text)
	if e.term != nil {
		seq := osc52.New(text)
		if e.getenv("TMUX") != "" {
			seq = seq.Tmux()
			r.tmux = true
		}
		if _, err := seq.WriteTo(e.term); err == nil {
			r.osc52 = true
		}
	}
	if e.localPlausible() && e.local != nil {
		if err := e.local(text); err != nil {
			r.localErr = err
		} else {
			r.local = true
		}
	}
	if !r.local && e.saveFile != nil {
		r.file, r.fileErr = e.saveFile(text, pattern)
	}
	return r
}

// message is the status line text for a copy of what, at most width
// columns wide (no limit when width <= 0), and whether it reports a
// failure. The parts go by priority: where the text is (the fallback
// file, or the confirmed clipboard) first, then how else it was sent,
// then why the local clipboard failed; a part that does not fit is
// shortened, or left out whole, rather than cut mid-word.
func (r copyResult) message(what string, width int) (string, bool) {
	parts := r.parts(what)
	if len(parts) == 0 {
		return fmt.Sprintf("✗ %s NOT copied: no clipboard method available", what), true
	}
	msg := parts[0].long
	for _, p := range parts[1:] {
		for _, form := range []string{p.long, p.short} {
			if next := msg + " · " + form; width <= 0 || ansi.StringWidth(next) <= width {
				msg = next
				break
			}
		}
	}
	return msg, !r.local && r.file == ""
}

// statusPart is one piece of the copy status, with a shorter form for a
// narrow line.
type statusPart struct{ long, short string }

// parts are the pieces of the copy status, most important first.
func (r copyResult) parts(what string) []statusPart {
	var parts []statusPart
	switch {
	case r.file != "":
		parts = append(parts, statusPart{long: what + " saved to " + r.file})
	case r.fileErr != nil:
		parts = append(parts, statusPart{long: "could not save a copy: " + oneLine(r.fileErr.Error())})
	}
	if r.local {
		parts = append(parts, statusPart{long: "✓ " + what + " copied to the clipboard"})
	}
	if r.osc52 {
		via := "OSC 52"
		if r.tmux {
			via += " via tmux"
		}
		if r.local {
			parts = append(parts, statusPart{"also sent by " + via, "also sent by OSC 52"})
		} else {
			parts = append(parts, statusPart{"sent by " + via + " (unconfirmed)", "sent by OSC 52"})
		}
	}
	if r.localErr != nil {
		parts = append(parts, statusPart{"clipboard failed: " + oneLine(r.localErr.Error()), "clipboard failed"})
	}
	return parts
}

// saveTextFile writes text to a new file (mode 0600) in the temporary
// folder, named by pattern, and returns its path; the clipboard's fallback.
func saveTextFile(text, pattern string) (string, error) {
	o, err := stream.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(o, text); err != nil {
		o.Abort()
		return "", err
	}
	return o.Name(), o.Commit()
}
