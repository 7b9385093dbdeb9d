package ui

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// palette names colours by meaning, for one kind of terminal background.
// Under NO_COLOR lipgloss drops them all, so no meaning may rest on colour
// alone: glyphs and words carry it too.
//
// Bg is not painted: it is the background the palette is drawn for, the
// one its contrast is measured against (see styles_test.go). Every text
// colour keeps 4.5:1 against Bg, and Text against SelBg, the selected row.
type palette struct {
	Bg, Subtle, Text, Accent, Error, Warn, OK, Info, SelBg lipgloss.Color
}

// darkPalette is for dark terminals, measured against 235 (#262626): a
// little lighter than most dark themes, so the margins hold on them too.
var darkPalette = palette{
	Bg:     "235",
	Subtle: "246",
	Text:   "252",
	Accent: "75",
	Error:  "203",
	Warn:   "214",
	OK:     "114",
	Info:   "117",
	SelBg:  "238",
}

// lightPalette is for light terminals, measured against 255 (#eeeeee): a
// little darker than white or Solarized light.
var lightPalette = palette{
	Bg:     "255",
	Subtle: "241",
	Text:   "235",
	Accent: "26",
	Error:  "124",
	Warn:   "94",
	OK:     "22",
	Info:   "24",
	SelBg:  "252",
}

// Theme chooses the palette: ThemeAuto follows the terminal's background.
type Theme string

// The themes --theme accepts.
const (
	ThemeAuto  Theme = "auto"
	ThemeLight Theme = "light"
	ThemeDark  Theme = "dark"
)

// ParseTheme reads a --theme value; "" is ThemeAuto.
func ParseTheme(s string) (Theme, error) {
	switch t := Theme(strings.ToLower(strings.TrimSpace(s))); t {
	case "", ThemeAuto:
		return ThemeAuto, nil
	case ThemeLight, ThemeDark:
		return t, nil
	}
	return "", fmt.Errorf("unknown theme %q (want light, dark or auto)", s)
}

// Background detection, replaced by tests.
var (
	getenv              = os.Getenv
	queryDarkBackground = lipgloss.HasDarkBackground
)

// darkBackground decides which palette t stands for. An explicit theme
// wins; then COLORFGBG, which terminals (rxvt, Konsole, iTerm2, …) set to
// say what they draw on, and which survives tmux; then what termenv
// learns by asking the terminal (OSC 11), dark when it cannot tell or
// under NO_COLOR.
func darkBackground(t Theme) bool {
	switch t {
	case ThemeLight:
		return false
	case ThemeDark:
		return true
	}
	if dark, ok := colorFGBGDark(getenv("COLORFGBG")); ok {
		return dark
	}
	if getenv("NO_COLOR") != "" {
		// No colour is drawn: do not make the terminal answer (or wait
		// for one that never does).
		return true
	}
	return queryDarkBackground()
}

// colorFGBGDark reads COLORFGBG ("fg;bg", or rxvt's "fg;default;bg"): a
// background of ANSI colour 7 or 15 is light, 0–6 and 8 dark. ok is
// false when v says nothing usable.
func colorFGBGDark(v string) (dark, ok bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return false, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[i+1:]))
	switch {
	case err != nil:
		return false, false
	case n == 7 || n == 15:
		return false, true
	case n >= 0 && n <= 6 || n == 8:
		return true, true
	}
	return false, false
}

// Styles are every style the inspector draws with, built once.
type Styles struct {
	Title      lipgloss.Style // pane title, blurred
	FocusTitle lipgloss.Style // pane title, focused
	Label      lipgloss.Style // "model", "req" … in the header
	Value      lipgloss.Style
	Dim        lipgloss.Style
	Error      lipgloss.Style
	Warn       lipgloss.Style
	OK         lipgloss.Style
	Info       lipgloss.Style
	Mismatch   lipgloss.Style
	Agree      lipgloss.Style
	Selected   lipgloss.Style // the cursor row
	Milestone  lipgloss.Style // transport rows in the timeline
	Stall      lipgloss.Style // a gap above the stall threshold
	Slow       lipgloss.Style // a gap above one second
	Spark      lipgloss.Style
	Status     lipgloss.Style
	StatusErr  lipgloss.Style
	Key        lipgloss.Style
	Rule       lipgloss.Style
}

// DefaultStyles returns the styles of the dark palette.
func DefaultStyles() Styles { return NewStyles(true) }

// NewStyles returns the styles of the dark or the light palette.
func NewStyles(dark bool) Styles {
	p := lightPalette
	if dark {
		p = darkPalette
	}
	s := lipgloss.NewStyle
	return Styles{
		Title:      s().Foreground(p.Subtle),
		FocusTitle: s().Foreground(p.Accent).Bold(true),
		Label:      s().Foreground(p.Subtle),
		Value:      s().Foreground(p.Text),
		Dim:        s().Foreground(p.Subtle),
		Error:      s().Foreground(p.Error).Bold(true),
		Warn:       s().Foreground(p.Warn),
		OK:         s().Foreground(p.OK),
		Info:       s().Foreground(p.Info),
		Mismatch:   s().Foreground(p.Error).Bold(true).Reverse(true),
		Agree:      s().Foreground(p.OK),
		Selected:   s().Foreground(p.Text).Background(p.SelBg).Bold(true),
		Milestone:  s().Foreground(p.Info),
		Stall:      s().Foreground(p.Warn).Bold(true),
		Slow:       s().Foreground(p.Warn),
		Spark:      s().Foreground(p.Accent),
		Status:     s().Foreground(p.Subtle),
		StatusErr:  s().Foreground(p.Error),
		Key:        s().Foreground(p.Accent),
		Rule:       s().Foreground(p.Subtle),
	}
}

// helpStyles draws the key hints and the full help in s's colours, not
// in the help bubble's own grey, which fails contrast on either background.
func helpStyles(s Styles) help.Styles {
	return help.Styles{
		Ellipsis:       s.Dim,
		ShortKey:       s.Key,
		ShortDesc:      s.Dim,
		ShortSeparator: s.Rule,
		FullKey:        s.Key,
		FullDesc:       s.Dim,
		FullSeparator:  s.Rule,
	}
}

// severityMark returns the glyph and word for a finding severity; the word
// keeps it legible without colour.
func severityMark(sev string) (glyph, word string) {
	switch sev {
	case "error":
		return "✗", "error"
	case "warning":
		return "!", "warn"
	default:
		return "i", "info"
	}
}

func (s Styles) severity(sev string) lipgloss.Style {
	switch sev {
	case "error":
		return s.Error
	case "warning":
		return s.Warn
	default:
		return s.Info
	}
}
