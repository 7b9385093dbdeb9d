package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/midstreamhq/midstream/inspect"
)

// The SDK the fixes pane answers for: the one detected in the exchange,
// or the one picked with p (Model.sdkPick, Model.sdkAnswer).

// sdk is the SDK answer shown: the picked SDK's, else the detected one.
func (m *Model) sdk() *inspect.SDKAnswer {
	if m.sdkPick >= 0 {
		return m.sdkAnswer
	}
	if st := m.current(); st != nil && st.verdict != nil {
		return st.verdict.SDK
	}
	return nil
}

// sdkNames are the SDKs p cycles through for the selected exchange: those
// that read its dialect (inspect.SDKNamesFor), or every one before its
// verdict is in.
func (m *Model) sdkNames() []string {
	if st := m.current(); st != nil && st.verdict != nil {
		return inspect.SDKNamesFor(st.verdict.Provider)
	}
	return inspect.SDKNames
}

// refreshSDK re-asks inspect for the picked SDK's answer.
func (m *Model) refreshSDK() {
	st := m.current()
	names := m.sdkNames()
	if m.sdkPick < 0 || m.sdkPick >= len(names) || st == nil || st.verdict == nil {
		m.sdkAnswer = nil
		return
	}
	opt := m.opt.Inspect
	opt.SDK = &inspect.SDKRef{Name: names[m.sdkPick]}
	m.sdkAnswer = inspect.SDKFor(st.verdict, opt)
}

// nextSDK shows the fixes for the next SDK of m.sdkNames(); after the last one
// it returns to the detected SDK (or the --sdk one), where the cycle began.
func (m *Model) nextSDK() tea.Cmd {
	names := m.sdkNames()
	m.sdkPick++
	if m.sdkPick >= len(names) {
		m.sdkPick = -1
	}
	m.refreshSDK()
	m.refreshPanes()
	if m.sdkPick < 0 {
		name := "none detected"
		if a := m.sdk(); a != nil && a.Name != "" {
			name = a.Name
		}
		return m.setStatus("SDK: back to the detected one, "+name+" (p for the next one)", false)
	}
	return m.setStatus("SDK: "+names[m.sdkPick]+" (p for the next one)", false)
}
