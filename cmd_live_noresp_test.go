package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// live against a closed loopback port: the report says "no HTTP response
// (connection refused …)", never an assumed 200 or a MISMATCH; the exit
// status is 1 and the capture reads back as the same outcome.
func TestLiveConnectionRefusedIsNoResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the dial is refused
	capture := filepath.Join(t.TempDir(), "refused.jsonl")
	p := start(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "live", "--no-tui", "--save", capture, "http://"+addr+"/v1/messages")
	if code := p.Wait(t, 10*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1\n%s", code, p.Output())
	}
	out := p.Output()
	for _, want := range []string{"no HTTP response", stream.FaultRefused, "NO RESPONSE"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"MISMATCH", "assumed", "mid-body", "RemoteProtocolError"} {
		if strings.Contains(out, bad) {
			t.Errorf("report says %q:\n%s", bad, out)
		}
	}
	xs, err := stream.ReadFile(capture)
	if err != nil || len(xs) != 1 {
		t.Fatalf("capture: %v, %d exchanges", err, len(xs))
	}
	if v := inspect.Diagnose(xs[0], inspect.Options{}); v.Outcome != inspect.OutcomeNoResponse || v.Mismatch || v.HTTPStatusAssumed {
		t.Errorf("the capture reads back as %s (mismatch %v, assumed %v), want no_response", v.Outcome, v.Mismatch, v.HTTPStatusAssumed)
	}
}
