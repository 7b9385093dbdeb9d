package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotACapture: a file that is no capture — a JSON document, prose, an
// empty file, an image — is refused by every command that reads one, with
// exit status 2 and one line naming the file and what was tried.
func TestNotACapture(t *testing.T) {
	old := stdoutIsTerminal
	stdoutIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdoutIsTerminal = old })
	dir := t.TempDir()
	files := []struct {
		name, content, msg string
	}{
		{"doc.json", `{"name":"x"}`, "not a capture midstream reads"},
		{"notes.txt", "Notes from Tuesday.\nThe stream failed at 3pm; see the logs.\n", "curl -i/-v output or an HTTP dump"},
		{"empty.sse", "", "the file is empty"},
		{"image.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "binary data"},
	}
	commands := []struct {
		name string
		args []string
	}{
		{"diagnose", []string{"diagnose"}},
		{"replay", []string{"replay"}},
		{"export", []string{"export", "--to", "sse"}},
		{"serve", []string{"serve", "--listen", "127.0.0.1:0"}},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, c := range commands {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				out, errOut, code := runCLI(t, nil, append(c.args, path)...)
				if code != 2 || out != "" || !strings.Contains(errOut, path) || !strings.Contains(errOut, f.msg) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming the file with %q", code, out, errOut, f.msg)
				}
			})
		}
	}
}
