package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/ui"
)

// TestThemeFlag: every command that opens the inspector takes --theme,
// refuses a theme it does not know with exit status 2, and passes the
// theme to the inspector in its options.
func TestThemeFlag(t *testing.T) {
	root := newRootCmd()
	for _, name := range []string{"replay", "open", "demo", "live", "proxy"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Flags().Lookup("theme") == nil {
			t.Errorf("%s: no --theme (%v)", name, err)
			continue
		}
		_, errOut, code := runCLI(t, nil, name, "--theme", "sepia")
		if code != 2 || !strings.Contains(errOut, "want light, dark or auto") {
			t.Errorf("%s --theme sepia: exit %d, %q; want exit 2 naming the themes", name, code, errOut)
		}
	}
	for in, want := range map[string]ui.Theme{"": ui.ThemeAuto, "light": ui.ThemeLight, "dark": ui.ThemeDark} {
		var f inspectorFlags
		cmd := &cobra.Command{Use: "replay"}
		f.register(cmd)
		args := []string{}
		if in != "" {
			args = []string{"--theme", in}
		}
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		opt, err := f.options(cmd, "x")
		if err != nil {
			t.Fatal(err)
		}
		if got := opt.Theme; got != want && !(in == "" && got == "") {
			t.Errorf("--theme %q: Options.Theme %q, want %q", in, got, want)
		}
	}
}
