package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap declares every key once; help is generated from it.
type keyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Focus, Enter, Back, Filter, Next, Prev  key.Binding
	Assembled, Copy, Yank, Save, SDK        key.Binding
	Pause, Faster, Slower, Step, Restart    key.Binding
	Help, Quit                              key.Binding
}

func defaultKeyMap() keyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:        b("↑/k", "up", "up", "k"),
		Down:      b("↓/j", "down", "down", "j"),
		PageUp:    b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown:  b("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:       b("g", "top", "g", "home"),
		Bottom:    b("G", "tail (follow)", "G", "end"),
		Focus:     b("tab", "next pane", "tab", "shift+tab"),
		Enter:     b("enter", "detail / open", "enter"),
		Back:      b("esc", "back / clear", "esc"),
		Filter:    b("/", "filter", "/"),
		Next:      b("n", "next finding", "n"),
		Prev:      b("N", "prev finding", "N"),
		Assembled: b("a", "assembled view", "a"),
		Copy:      b("c", "copy diagnosis", "c"),
		Yank:      b("y", "copy raw frame", "y"),
		Save:      b("s", "save capture", "s"),
		SDK:       b("p", "pick SDK", "p"),
		Pause:     b("space", "pause replay", " "),
		Faster:    b("+", "faster", "+", "="),
		Slower:    b("-", "slower", "-"),
		Step:      b("→", "step one event", "right", "l"),
		Restart:   b("r", "restart replay", "r"),
		Help:      b("?", "help", "?"),
		Quit:      b("q", "quit", "q", "ctrl+c"),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Copy, k.Focus, k.Filter, k.Next, k.Assembled, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Focus, k.Enter, k.Back, k.Filter, k.Next, k.Prev},
		{k.Assembled, k.Copy, k.Yank, k.Save, k.SDK},
		{k.Pause, k.Faster, k.Slower, k.Step, k.Restart, k.Help, k.Quit},
	}
}
