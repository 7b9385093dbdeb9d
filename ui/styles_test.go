package ui

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// decorative are the styles of marks rather than text (rules, the
// sparkline): they need 3:1, text 4.5:1 (WCAG 2 AA, non-text and text).
var decorative = map[string]bool{"Rule": true, "Spark": true}

// TestPaletteContrast checks, for both palettes, every foreground and
// background pair the styles draw against the palette's background: the
// light palette must not draw light grey on white, nor the dark one dark
// grey on black.
func TestPaletteContrast(t *testing.T) {
	for _, c := range []struct {
		name string
		dark bool
		p    palette
	}{{"dark", true, darkPalette}, {"light", false, lightPalette}} {
		s := NewStyles(c.dark)
		v := reflect.ValueOf(s)
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			st := v.Field(i).Interface().(lipgloss.Style)
			fg, bg := st.GetForeground(), st.GetBackground()
			if _, ok := bg.(lipgloss.NoColor); ok {
				bg = c.p.Bg
			}
			if _, ok := fg.(lipgloss.NoColor); ok {
				t.Errorf("%s: %s has no foreground: its contrast is the terminal's, not ours", c.name, name)
				continue
			}
			if st.GetReverse() {
				fg, bg = bg, fg
			}
			min := 4.5
			if decorative[name] {
				min = 3
			}
			if r := contrast(t, fg, bg); r < min {
				t.Errorf("%s: %s is %v on %v: contrast %.2f:1, want ≥ %.1f:1", c.name, name, fg, bg, r, min)
			}
		}
	}
}

// TestColorFGBGDecidesTheme: a light COLORFGBG picks the light palette even
// when the terminal cannot be asked (tmux), and --theme overrides both.
func TestColorFGBGDecidesTheme(t *testing.T) {
	oldEnv, oldQuery := getenv, queryDarkBackground
	defer func() { getenv, queryDarkBackground = oldEnv, oldQuery }()
	queryDarkBackground = func() bool { return true }
	for _, c := range []struct {
		colorfgbg string
		theme     Theme
		dark      bool
	}{
		{"0;15", ThemeAuto, false},
		{"0;7", "", false},
		{"0;default;15", ThemeAuto, false},
		{"15;0", ThemeAuto, true},
		{"7;8", ThemeAuto, true},
		{"", ThemeAuto, true},        // unset: the terminal's answer
		{"garbage", ThemeAuto, true}, // unusable: likewise
		{"0;15", ThemeDark, true},
		{"15;0", ThemeLight, false},
	} {
		getenv = func(k string) string {
			if k == "COLORFGBG" {
				return c.colorfgbg
			}
			return ""
		}
		m := newModel(Options{Theme: c.theme})
		if m.dark != c.dark {
			t.Errorf("COLORFGBG=%q --theme %q: dark = %v, want %v", c.colorfgbg, c.theme, m.dark, c.dark)
		}
		want := lightPalette.Text
		if c.dark {
			want = darkPalette.Text
		}
		if got := m.styles.Value.GetForeground(); got != want {
			t.Errorf("COLORFGBG=%q --theme %q: text colour %v, want %v", c.colorfgbg, c.theme, got, want)
		}
	}
	queryDarkBackground = func() bool { return false }
	getenv = func(string) string { return "" }
	if m := newModel(Options{}); m.dark {
		t.Error("a terminal answering light got the dark palette")
	}
	getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	queryDarkBackground = func() bool { t.Error("NO_COLOR: the terminal was asked its background"); return false }
	newModel(Options{})
}

func TestParseTheme(t *testing.T) {
	for in, want := range map[string]Theme{"": ThemeAuto, "auto": ThemeAuto, "Light": ThemeLight, "dark": ThemeDark} {
		if got, err := ParseTheme(in); err != nil || got != want {
			t.Errorf("ParseTheme(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseTheme("solarized"); err == nil {
		t.Error("ParseTheme(solarized): no error")
	}
}

// contrast is the WCAG contrast ratio of two palette colours.
func contrast(t *testing.T, a, b lipgloss.TerminalColor) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG relative luminance of an xterm 256-colour index
// (16–255; 0–15 are the user's own) or a #rrggbb colour.
func luminance(t *testing.T, c lipgloss.TerminalColor) float64 {
	t.Helper()
	col, ok := c.(lipgloss.Color)
	if !ok {
		t.Fatalf("%v: not a lipgloss.Color", c)
	}
	var r, g, b uint8
	if s := string(col); len(s) == 7 && s[0] == '#' {
		if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	} else {
		n, err := strconv.Atoi(s)
		if err != nil || n < 16 || n > 255 {
			t.Fatalf("%q: want an xterm colour 16–255 or #rrggbb", s)
		}
		r, g, b = xterm256(n)
	}
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// xterm256 is the RGB of xterm colour n (16–255): the 6×6×6 cube, then
// the grey ramp.
func xterm256(n int) (r, g, b uint8) {
	if n >= 232 {
		v := uint8(8 + 10*(n-232))
		return v, v, v
	}
	levels := [6]uint8{0, 95, 135, 175, 215, 255}
	n -= 16
	return levels[n/36], levels[n/6%6], levels[n%6]
}
