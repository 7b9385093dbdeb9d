package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/ui/demodata"
)

// complete runs cobra's hidden __complete command on args and returns the
// candidates (without descriptions) and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	out, stderr, code := runCLI(t, nil, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines[:len(lines)-1] {
		got = append(got, strings.SplitN(l, "\t", 2)[0])
	}
	return got, lines[len(lines)-1]
}

// TestCompletionValues checks the values shell completion offers for
// demo names, --format, --to, --sdk, --exchange and capture files.
func TestCompletionValues(t *testing.T) {
	har := filepath.Join(fixtures, "chrome.har")
	tests := []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"demo", ""}, demodata.Names(), ":4"},
		{[]string{"demo", "clean", ""}, nil, ":4"},
		{[]string{"diagnose", "--format", ""}, []string{"text", "markdown", "json"}, ":4"},
		{[]string{"export", "x.har", "--to", ""}, []string{"sse", "jsonl", "har"}, ":4"},
		{[]string{"diagnose", "--sdk", ""}, inspect.SDKNames, ":4"},
		{[]string{"replay", "--sdk", ""}, inspect.SDKNames, ":4"},
		{[]string{"export", har, "--exchange", ""}, []string{"1", "2"}, ":4"},
		{[]string{"serve", filepath.Join(fixtures, "curl-v.txt"), "--exchange", ""}, []string{"1"}, ":4"},
		{[]string{"export", "missing.har", "--exchange", ""}, nil, ":4"},
		{[]string{"export", ""}, captureExts, ":8"},
		{[]string{"diagnose", "a.har", ""}, captureExts, ":8"},
		{[]string{"replay", "a.har", ""}, nil, ":4"},
	}
	for _, tt := range tests {
		got, directive := complete(t, tt.args...)
		if !slices.Equal(got, tt.want) || directive != tt.directive {
			t.Errorf("complete %q: %q %s, want %q %s", tt.args, got, directive, tt.want, tt.directive)
		}
	}
}
