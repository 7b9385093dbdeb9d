package inspect

import (
	"encoding/json"
	"io"

	"github.com/midstreamhq/midstream/stream"
)

// Diagnose decodes x and returns its verdict.
//
// PLACEHOLDER(#3): decodes the timeline only; the verdict lands with #3.
func Diagnose(x *stream.Exchange, opt Options) *Verdict {
	v := &Verdict{Source: x.Source, Provider: ProviderGeneric, Exchange: x, Outcome: OutcomeComplete}
	if x.Response != nil {
		v.HTTPStatus = x.Response.Status
	} else {
		v.HTTPStatus, v.HTTPStatusAssumed = 200, true
	}
	d := stream.NewDecoder(bytesReader(x.Body()))
	for {
		e, err := d.Next()
		if err == io.EOF || err != nil {
			break
		}
		var t struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(e.Data, &t)
		v.Events = append(v.Events, EventInfo{Index: len(v.Events), Type: e.Type, DataType: t.Type, ID: e.ID, Offset: e.Offset, Length: e.Length, Unterminated: e.Unterminated})
	}
	v.EventCount = len(v.Events)
	v.SDK = SDKFor(v, opt)
	return v
}
