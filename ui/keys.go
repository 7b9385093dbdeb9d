package ui

import (
	"github.com/charmbracelet/bubbles/key"
)

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

// ShortHelp implements help.KeyMap. The footer is built by footerKeys,
// which fits these hints to the width and keeps help and quit last.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Copy, k.Focus, k.Filter, k.Next, k.Assembled, k.Help, k.Quit}
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

// activeKeys is the key map with only the bindings that work in the
// current mode, pane and replay state enabled: handleKey matches against
// it, and help and the footer show it, so all three agree.
func (m *Model) activeKeys() keyMap {
	k := m.keys
	list := m.mode == modeList
	exch := m.mode == modeExchange && m.tl != nil
	replayable := false
	if st := m.current(); st != nil {
		replayable = m.paced && st.x.Timed && !m.live
	}
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Enter} {
		b.SetEnabled(list || exch)
	}
	for _, b := range []*key.Binding{&k.Focus, &k.Filter, &k.Assembled, &k.Copy, &k.Yank, &k.Save, &k.SDK} {
		b.SetEnabled(exch)
	}
	for _, b := range []*key.Binding{&k.Pause, &k.Faster, &k.Slower, &k.Step} {
		b.SetEnabled(exch && m.replay)
	}
	k.Restart.SetEnabled(exch && replayable)
	k.Next.SetEnabled(exch && len(m.finds) > 0)
	k.Prev.SetEnabled(exch && len(m.finds) > 0)
	// esc closes help, leaves a pane or a filter, or goes back to the list.
	k.Back.SetEnabled(m.helpOn || exch && (m.focus != focusTimeline || m.tl.filter != "" || len(m.xs) > 1 || m.live))
	return k
}

// footerHints are the footer's key hints besides help and quit, the most
// important first: a narrow footer drops them from the end.
func (m *Model) footerHints(k keyMap) []key.Binding {
	if m.helpOn && m.helpOverflows() {
		// Help is taller than the screen: say how to see the rest.
		return []key.Binding{helpScrollHint, helpPageHint}
	}
	if m.mode == modeList {
		return []key.Binding{k.Enter, k.Up, k.Down}
	}
	return []key.Binding{k.Copy, k.Pause, k.Focus, k.Filter, k.Next, k.Assembled, k.Back, k.Faster, k.Slower}
}

// footerKeys renders the key hints of a footer of width w that starts
// with prefix: it always ends with help and quit, dropping the least
// important hints first and cutting prefix only when nothing else fits.
func (m *Model) footerKeys(prefix string, w int) string {
	k := m.activeKeys()
	var hints []key.Binding
	for _, b := range m.footerHints(k) {
		if b.Enabled() {
			hints = append(hints, b)
		}
	}
	m.help.Width = 0 // the footer fits itself
	for {
		line := m.help.ShortHelpView(append(hints[:len(hints):len(hints)], k.Help, k.Quit))
		if width(prefix)+width(line) <= w || len(hints) == 0 {
			if room := w - width(line); width(prefix) > room {
				prefix = cut(prefix, max(0, room))
			}
			return prefix + line
		}
		hints = hints[:len(hints)-1]
	}
}
