package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSDKFlagRejected: demo, replay and open reject an --sdk that diagnose
// rejects, with diagnose's message after the command's name and exit
// status 2, before reading anything.
func TestSDKFlagRejected(t *testing.T) {
	old := stdoutIsTerminal
	stdoutIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdoutIsTerminal = old })
	capture := filepath.Join("testdata", "overloaded_midstream.sse")
	for _, sdk := range []string{"nosuch@9", "anthropic-python@x.y"} {
		_, want, code := runCLI(t, nil, "diagnose", "--sdk", sdk, capture)
		if code != 2 || !strings.HasPrefix(want, "diagnose: --sdk: ") {
			t.Fatalf("diagnose --sdk %s: exit %d, %q", sdk, code, want)
		}
		want = strings.TrimPrefix(want, "diagnose: ")
		tests := []struct {
			name string
			args []string
		}{
			{"demo", []string{"demo", "--sdk", sdk}},
			{"demo NAME", []string{"demo", "truncated", "--sdk", sdk}},
			{"replay", []string{"replay", "--sdk", sdk, capture}},
			{"open", []string{"open", "--sdk", sdk, capture}},
		}
		for _, tc := range tests {
			t.Run(tc.name+"/"+sdk, func(t *testing.T) {
				out, errOut, code := runCLI(t, nil, tc.args...)
				if code != 2 || out != "" || errOut != tc.args[0]+": "+want {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, tc.args[0]+": "+want)
				}
			})
		}
	}
	if _, errOut, code := runCLI(t, nil, "demo", "--sdk", "anthropic-python@0.40.0"); code == 2 {
		t.Errorf("a known SDK is refused: %s", errOut)
	}
}
