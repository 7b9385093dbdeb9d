package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/midstreamhq/midstream/internal/binproc"
)

// binPath is the midstream binary, built once by TestMain for the tests
// that run it as a user would.
var binPath string

// TestMain builds the midstream binary (from this module), runs the tests, and
// removes it.
func TestMain(m *testing.M) {
	bin, cleanup, err := binproc.Build(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// proc is a midstream process started by a test.
type proc = binproc.Proc

// start runs the midstream binary with args and collects its output.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	return binproc.Start(t, binPath, env, args...)
}

// sdkCanary is an Anthropic-shaped API key that no capture or output may
// hold; the end-to-end module's SDK test sends the same one.
const sdkCanary = "sk-ant-api03-E2E-CANARY-0123456789abcdefghijklmnop"
