package stream

import (
	"context"
	"fmt"
	"testing"
)

// TestEndByUser: only a cancellation caused by ErrUserCanceled is the
// user's own.
func TestEndByUser(t *testing.T) {
	rows := []struct {
		name string
		err  error
		want bool
	}{
		{"user cancel", ErrUserCanceled, true},
		{"wrapped user cancel", fmt.Errorf("read: %w", ErrUserCanceled), true},
		{"client gone", ErrClientGone, false},
		{"shutdown", ErrShutdown, false},
		{"bare context cancel", context.Canceled, false},
		{"idle timeout", ErrIdleTimeout, false},
		{"clean end", nil, false},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			reason, msg := ClassifyTransportError(r.err)
			if got := (End{Reason: reason, Err: msg}).ByUser(); got != r.want {
				t.Errorf("ByUser() = %v, want %v (%s %q)", got, r.want, reason, msg)
			}
		})
	}
}
