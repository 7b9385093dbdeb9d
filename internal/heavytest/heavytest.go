// Package heavytest gates the tests that move hundreds of MiB or GiB to
// prove a memory bound: they run when MIDSTREAM_HEAVY=1 (CI's .ci/run sets
// it for them), so that a newcomer's `go test ./...` stays quick.
package heavytest

import (
	"os"
	"testing"
)

// Skip skips t unless MIDSTREAM_HEAVY=1; what says what the test moves.
func Skip(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("MIDSTREAM_HEAVY") != "1" {
		t.Skipf("%s: runs with MIDSTREAM_HEAVY=1 (as .ci/run does)", what)
	}
}
