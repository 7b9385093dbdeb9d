package inspect

import (
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// midstream's own inspector reads each injected error as that provider's
// in-stream error: the fault is in the provider's words, not midstream's.
func TestInjectedErrorsReadAsTheProvidersOwn(t *testing.T) {
	tests := []struct {
		fx       faultFixture
		spec     string
		provider Provider
		mapped   int
		errType  string
	}{
		{faultFixtures[0], "error@3:overloaded_error", ProviderAnthropic, 529, "overloaded_error"},
		{faultFixtures[0], "error@3:rate_limit_error", ProviderAnthropic, 429, "rate_limit_error"},
		{faultFixtures[1], "error@2:api_error", ProviderOpenAIChat, 500, "server_error"},
		{faultFixtures[2], "error@2:rate_limit_error", ProviderOpenAIResponses, 429, "rate_limit_exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.fx.name+"/"+tt.spec, func(t *testing.T) {
			x := loadFaultFixture(t, tt.fx)
			f, _ := ParseFault(tt.spec)
			got := serveOnce(t, x, NewInjector([]Fault{f}, Attempts{all: true}, 0))
			y := &stream.Exchange{Source: "injected", Request: x.Request, Injected: tt.spec,
				Response: &stream.Response{Status: got.status, Header: got.header},
				Chunks:   []stream.Chunk{{Data: got.body}}, End: stream.End{Reason: stream.EndEOF}}
			v := Diagnose(y, Options{})
			if v.Provider != tt.provider || v.MappedStatus != tt.mapped || v.Error == nil || v.Error.Type != tt.errType || !v.Mismatch {
				et := ""
				if v.Error != nil {
					et = v.Error.Type
				}
				t.Errorf("provider %s, mapped %d, error %q, mismatch %v; want %s, %d, %q, true",
					v.Provider, v.MappedStatus, et, v.Mismatch, tt.provider, tt.mapped, tt.errType)
			}
		})
	}
}
