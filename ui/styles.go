package ui

import "github.com/charmbracelet/lipgloss"

// palette names colours by meaning; each adapts to light and dark
// backgrounds. Under NO_COLOR lipgloss drops them all, so no meaning may
// rest on colour alone: glyphs and words carry it too.
var palette = struct {
	Subtle, Text, Accent, Error, Warn, OK, Info, SelBg lipgloss.AdaptiveColor
}{
	Subtle: lipgloss.AdaptiveColor{Light: "245", Dark: "243"},
	Text:   lipgloss.AdaptiveColor{Light: "235", Dark: "252"},
	Accent: lipgloss.AdaptiveColor{Light: "26", Dark: "75"},
	Error:  lipgloss.AdaptiveColor{Light: "160", Dark: "203"},
	Warn:   lipgloss.AdaptiveColor{Light: "130", Dark: "214"},
	OK:     lipgloss.AdaptiveColor{Light: "28", Dark: "114"},
	Info:   lipgloss.AdaptiveColor{Light: "31", Dark: "117"},
	SelBg:  lipgloss.AdaptiveColor{Light: "254", Dark: "237"},
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

// DefaultStyles returns the styles of the house palette.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle
	return Styles{
		Title:      s().Foreground(palette.Subtle),
		FocusTitle: s().Foreground(palette.Accent).Bold(true),
		Label:      s().Foreground(palette.Subtle),
		Value:      s().Foreground(palette.Text),
		Dim:        s().Foreground(palette.Subtle),
		Error:      s().Foreground(palette.Error).Bold(true),
		Warn:       s().Foreground(palette.Warn),
		OK:         s().Foreground(palette.OK),
		Info:       s().Foreground(palette.Info),
		Mismatch:   s().Foreground(palette.Error).Bold(true).Reverse(true),
		Agree:      s().Foreground(palette.OK),
		Selected:   s().Background(palette.SelBg).Bold(true),
		Milestone:  s().Foreground(palette.Info),
		Stall:      s().Foreground(palette.Warn).Bold(true),
		Slow:       s().Foreground(palette.Warn),
		Spark:      s().Foreground(palette.Accent),
		Status:     s().Foreground(palette.Subtle),
		StatusErr:  s().Foreground(palette.Error),
		Key:        s().Foreground(palette.Accent),
		Rule:       s().Foreground(palette.Subtle),
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
