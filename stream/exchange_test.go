package stream

import "testing"

// TestEndClean pins which ends Server replays as a complete response: the
// serve command describes captures with the same rule, so the two cannot
// disagree about what a client will see.
func TestEndClean(t *testing.T) {
	tests := []struct {
		reason EndReason
		clean  bool
	}{
		{EndEOF, true},
		{EndUnknown, true},
		{"", true},
		{EndReset, false},
		{EndTimeout, false},
		{EndCanceled, false},
		{EndError, false},
		{EndIncomplete, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.reason), func(t *testing.T) {
			if got := (End{Reason: tt.reason}).Clean(); got != tt.clean {
				t.Errorf("End{%q}.Clean() = %v, want %v", tt.reason, got, tt.clean)
			}
		})
	}
}
