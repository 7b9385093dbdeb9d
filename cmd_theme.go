package main

import (
	"github.com/spf13/cobra"

	"github.com/midstreamhq/midstream/ui"
)

// themeFlag is --theme, the inspector's palette, on every command that
// opens the inspector. A value other than light, dark or auto is a usage
// error when the flags are parsed.
type themeFlag struct{ theme ui.Theme }

// String returns the value, "auto" when unset.
func (f *themeFlag) String() string {
	if f.theme == "" {
		return string(ui.ThemeAuto)
	}
	return string(f.theme)
}

// Set parses a --theme value.
func (f *themeFlag) Set(s string) error {
	t, err := ui.ParseTheme(s)
	if err != nil {
		return err
	}
	f.theme = t
	return nil
}

// Type names the value in the usage text.
func (f *themeFlag) Type() string { return "theme" }

// register adds --theme to cmd, with its completion.
func (f *themeFlag) register(cmd *cobra.Command) {
	cmd.Flags().Var(f, "theme", "colours for the terminal's background: light, dark or auto (COLORFGBG, else the terminal's answer)")
	_ = cmd.RegisterFlagCompletionFunc("theme", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"auto", "light", "dark"}, cobra.ShellCompDirectiveNoFileComp
	})
}
