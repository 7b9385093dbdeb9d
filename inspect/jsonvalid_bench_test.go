package inspect

import (
	"encoding/json"
	"strings"
	"testing"
)

// BenchmarkValidJSON backs the claim in jsonvalid.go: run both
// sub-benchmarks together and compare their ns/op (same run, same data),
//
//	go test ./inspect -run '^$' -bench ValidJSON
//
// The data are typical Anthropic event payloads: short text deltas and a
// larger tool-input delta with escapes.
func BenchmarkValidJSON(b *testing.B) {
	events := [][]byte{
		[]byte(evText(0, "Hello, world! This is a short text delta.")),
		[]byte(evDelta(1, "input_json_delta", "partial_json", `{"path":"/tmp/a b\\c","lines":[1,2,3],"note":"`+strings.Repeat("é\n\t\"", 64)+`"}`)),
		[]byte(evStop(1)),
	}
	n := 0
	for _, e := range events {
		n += len(e)
	}
	for _, c := range []struct {
		name  string
		valid func([]byte) bool
	}{
		{"validJSON", validJSON},
		{"json.Valid", json.Valid},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, e := range events {
					if !c.valid(e) {
						b.Fatalf("%s rejects %s", c.name, e)
					}
				}
			}
		})
	}
}
