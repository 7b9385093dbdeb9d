package inspect

import (
	"bytes"
	"io"
	"strings"
	"testing"

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
