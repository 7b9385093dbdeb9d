package ui

import "testing"

// TestCutLeft: a narrow source column keeps the end of a name, where the
// entry number of a multi-exchange capture is.
func TestCutLeft(t *testing.T) {
	cases := []struct {
		name, in string
		w        int
		want     string
	}{
		{"fits", "a.har#1", 10, "a.har#1"},
		{"keeps the entry number", "stream/testdata/chrome.har#2", 12, "…hrome.har#2"},
		{"wide runes", "日本語/x.sse#3", 8, "…x.sse#3"},
		{"zero width", "abc", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := cutLeft(c.in, c.w)
			if got != c.want {
				t.Errorf("cutLeft(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
			}
			if width(got) > c.w {
				t.Errorf("%q is %d cells wide, more than %d", got, width(got), c.w)
			}
		})
	}
}
