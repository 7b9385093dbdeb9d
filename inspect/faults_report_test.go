package inspect

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

// A diagnosis of an injected exchange says the fault was injected, in
// every report format; a clean exchange's report does not mention it.
func TestDiagnoseSaysInjected(t *testing.T) {
	x := loadFaultFixture(t, faultFixtures[0])
	f, _ := ParseFault("error@3:overloaded_error")
	got := serveOnce(t, x, NewInjector([]Fault{f}, Attempts{all: true}, 0))
	// The exchange as the proxy would record it: the bytes the client got.
	inj := &stream.Exchange{Source: "proxy#1", Request: x.Request, Injected: f.Spec,
		Response: &stream.Response{Status: got.status, Header: got.header},
		Chunks:   []stream.Chunk{{Data: got.body}}, End: stream.End{Reason: stream.EndEOF, By: stream.ByMidstream}}
	formats := []struct {
		name  string
		write func(io.Writer, *Diagnosis) error
		want  string
	}{
		{"text", WriteText, "injected       error@3:overloaded_error — injected by midstream"},
		{"markdown", WriteMarkdown, "> **Injected fault:** error@3:overloaded_error — injected by midstream"},
		{"json", WriteJSON, `"injected": "error@3:overloaded_error"`},
	}
	for _, ff := range formats {
		t.Run(ff.name, func(t *testing.T) {
			v := Diagnose(inj, Options{})
			if v.MappedStatus != 529 {
				t.Errorf("mapped status %d, want 529 (the injected overloaded_error)", v.MappedStatus)
			}
			var b bytes.Buffer
			if err := ff.write(&b, &Diagnosis{ToolVersion: "test", Exchanges: []*Verdict{v}, Runtime: "go"}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), ff.want) {
				t.Errorf("report lacks %q:\n%s", ff.want, b.String())
			}
			b.Reset()
			clean := Diagnose(x, Options{})
			if err := ff.write(&b, &Diagnosis{ToolVersion: "test", Exchanges: []*Verdict{clean}, Runtime: "go"}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ToLower(b.String()), "injected") {
				t.Errorf("a clean exchange's report mentions injection:\n%s", b.String())
			}
		})
	}
}

// A fault that never fired (the stream ended first) is not blamed for
// anything: the report says everything is the provider's.
func TestDiagnoseSaysInjectedFaultNeverFired(t *testing.T) {
	x := loadFaultFixture(t, faultFixtures[0])
	x.Injected = "error@99:api_error"
	x.End.By = stream.ByUpstream
	var b bytes.Buffer
	if err := WriteText(&b, &Diagnosis{ToolVersion: "test", Exchanges: []*Verdict{Diagnose(x, Options{})}, Runtime: "go"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "never fired") || strings.Contains(b.String(), "not sent by the provider") {
		t.Errorf("report:\n%s", b.String())
	}
}

// A proxy capture's end line says whether and where the fault fired
// (stream.End.Fired): the diagnosis states it exactly, in text and JSON;
// a capture that does not say falls back on who ended it.
func TestDiagnoseSaysWhereInjectedFaultFired(t *testing.T) {
	tests := []struct {
		name     string
		fired    *stream.Fired
		by       string
		wantText string
		wantJSON string // "" : no injected_fired in the JSON
	}{
		{"fired at event 3", &stream.Fired{Fired: true, Event: 3, At: 42 * time.Millisecond}, stream.ByMidstream,
			"it fired at event 3, 42ms into the response", `"injected_fired": true,
      "injected_event": 3`},
		{"answered in place of the response", &stream.Fired{Fired: true}, stream.ByMidstream,
			"it answered in place of the provider's response", `"injected_event": 0`},
		{"a tail after the last event", &stream.Fired{Fired: true, Event: 6, AfterLast: true, At: 1500 * time.Millisecond}, stream.ByMidstream,
			"it fired after the last event (event 6), 1.50s into the response", `"injected_after_last": true`},
		{"never fired, said by the end line", &stream.Fired{}, stream.ByUpstream,
			"never fired", `"injected_fired": false`},
		{"an older capture that does not say: ended by the upstream", nil, stream.ByUpstream,
			"never fired", ""},
		{"an older capture that does not say: ended by midstream", nil, stream.ByMidstream,
			"what the client received", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := loadFaultFixture(t, faultFixtures[0])
			x.Injected = "error@3:overloaded_error"
			x.End.By, x.End.Fired = tt.by, tt.fired
			d := &Diagnosis{ToolVersion: "test", Exchanges: []*Verdict{Diagnose(x, Options{})}, Runtime: "go"}
			var text, js bytes.Buffer
			if err := WriteText(&text, d); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, d); err != nil {
				t.Fatal(err)
			}
			// The text report wraps long lines: compare with one space.
			flat := strings.Join(strings.Fields(text.String()), " ")
			if !strings.Contains(flat, tt.wantText) {
				t.Errorf("text report lacks %q:\n%s", tt.wantText, text.String())
			}
			if tt.fired == nil && strings.Contains(flat, "it fired") {
				t.Errorf("text report says where a fault fired though the capture does not:\n%s", text.String())
			}
			if tt.wantJSON == "" && strings.Contains(js.String(), "injected_fired") {
				t.Errorf("JSON says more than the capture:\n%s", js.String())
			}
			if !strings.Contains(js.String(), tt.wantJSON) {
				t.Errorf("JSON lacks %q:\n%s", tt.wantJSON, js.String())
			}
		})
	}
}
