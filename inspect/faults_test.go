package inspect

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec string
		want Fault
	}{
		{"error@3:overloaded_error", Fault{Class: FaultError, N: 3, Type: "overloaded_error"}},
		{"error@2.5s:api_error", Fault{Class: FaultError, After: 2500 * time.Millisecond, Type: "api_error"}},
		{"error@1:UNAVAILABLE", Fault{Class: FaultError, N: 1, Type: "UNAVAILABLE"}},
		{"cut@5", Fault{Class: FaultCut, N: 5}},
		{"cut-between@5", Fault{Class: FaultCutBetween, N: 5}},
		{"cut-before-end", Fault{Class: FaultCutBeforeEnd}},
		{"reset@2", Fault{Class: FaultReset, N: 2}},
		{"stall@3:30s", Fault{Class: FaultStall, N: 3, Stall: 30 * time.Second}},
		{"stall@3:1m,pings", Fault{Class: FaultStall, N: 3, Stall: time.Minute, Pings: true}},
		{"drip:200", Fault{Class: FaultDrip, Rate: 200}},
		{"garble@4", Fault{Class: FaultGarble, N: 4}},
		{"tail:503", Fault{Class: FaultTail, Status: 503}},
		{"status:529", Fault{Class: FaultStatus, Status: 529}},
		{"status:429,retry-after=2", Fault{Class: FaultStatus, Status: 429, RetryAfter: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFault(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Spec = tt.spec
			if tt.want.RetryAfter == 0 && tt.want.Class != FaultStatus || tt.spec == "status:529" {
				tt.want.RetryAfter = -1
			}
			if got != tt.want {
				t.Errorf("= %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Every bad spec is refused with an error that quotes the spec and names
// the bad part.
func TestParseFaultErrors(t *testing.T) {
	tests := []struct{ spec, names string }{
		{"", "empty fault spec"},
		{"boom@3", `unknown fault class "boom"`},
		{"cut", `cut wants cut@N`},
		{"cut@0", `event number "0"`},
		{"cut@-1", `event number "-1"`},
		{"cut@3x", `event number "3x"`},
		{"cut-before-end@2", `takes no argument`},
		{"error@3", "error wants error@N:TYPE"},
		{"error@3:", `unknown error type ""`},
		{"error@3:nope", `unknown error type "nope"`},
		{"error@-2s:api_error", `time "-2s"`},
		{"error@x:api_error", `event number "x"`},
		{"stall@2", "stall wants stall@N:DURATION"},
		{"stall@2:0s", `stall duration "0s"`},
		{"stall@2:30s,loud", `unknown stall option "loud"`},
		{"drip:0", "drip wants drip:RATE"},
		{"drip:fast", "drip wants drip:RATE"},
		{"tail:200", "tail wants tail:STATUS"},
		{"status:abc", "status wants status:CODE"},
		{"status:600", "status wants status:CODE"},
		{"status:529,retry-after=soon", `option "retry-after=soon"`},
		{"status:529,wait=2", `option "wait=2"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseFault(tt.spec)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.names) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q does not name %q on one line", err, tt.names)
			}
			if tt.spec != "" && !strings.Contains(err.Error(), `"`+tt.spec+`"`) {
				t.Errorf("error %q does not quote the spec", err)
			}
		})
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"error@3:overloaded_error", "error@2.5s:api_error", "stall@2:1s,pings",
		"status:429,retry-after=2", "cut-before-end", "drip:9", "tail:503", "garble@1", "@:", "error@:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ft, err := ParseFault(spec)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(spec, "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		// An accepted fault is one of the classes, with what it needs.
		switch ft.Class {
		case FaultCut, FaultCutBetween, FaultReset, FaultGarble, FaultStall:
			if ft.N < 1 {
				t.Fatalf("%q: N %d", spec, ft.N)
			}
		case FaultError:
			if (ft.N < 1) == (ft.After <= 0) {
				t.Fatalf("%q: N %d After %v", spec, ft.N, ft.After)
			}
		case FaultStatus, FaultTail:
			if ft.Status < 400 || ft.Status > 599 {
				t.Fatalf("%q: status %d", spec, ft.Status)
			}
		case FaultDrip:
			if ft.Rate < 1 {
				t.Fatalf("%q: rate %d", spec, ft.Rate)
			}
		case FaultCutBeforeEnd:
		default:
			t.Fatalf("%q: class %q", spec, ft.Class)
		}
		// And it can be built into an injector and named.
		at, _ := ParseAttempts("1")
		if rw := NewInjector([]Fault{ft}, at, 0).For(1, nil, stream.FromBody("f", nil)); rw == nil || rw.Name() != spec {
			t.Fatalf("%q: rewrite %v", spec, rw)
		}
	})
}

func TestDestructive(t *testing.T) {
	for _, spec := range []string{"error@1:api_error", "cut@1", "cut-between@1", "cut-before-end", "reset@1", "garble@1", "tail:503", "status:529"} {
		if f, _ := ParseFault(spec); !f.Destructive() {
			t.Errorf("%s: not destructive", spec)
		}
	}
	for _, spec := range []string{"stall@1:1s", "drip:10"} {
		if f, _ := ParseFault(spec); f.Destructive() {
			t.Errorf("%s: destructive", spec)
		}
	}
}

func TestParseAttempts(t *testing.T) {
	tests := []struct {
		in   string
		hits []int
		miss []int
		err  string
	}{
		{in: "1", hits: []int{1}, miss: []int{2, 3}},
		{in: "all", hits: []int{1, 2, 99}},
		{in: "1,3", hits: []int{1, 3}, miss: []int{2, 4}},
		{in: "2, 2", hits: []int{2}, miss: []int{1}},
		{in: "", err: "empty"},
		{in: "0", err: `"0" is not an attempt number`},
		{in: "1,x", err: `"x" is not an attempt number`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAttempts(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one naming %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tt.hits {
				if !a.Hits(n) {
					t.Errorf("misses attempt %d", n)
				}
			}
			for _, n := range tt.miss {
				if a.Hits(n) {
					t.Errorf("hits attempt %d", n)
				}
			}
		})
	}
}

// DrillFaults gives one fault per class that fits the dialect, in a
// stable order; tail only for Gemini; 529 only for Anthropic.
func TestDrillFaults(t *testing.T) {
	classes := func(fs []Fault) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Spec)
		}
		return strings.Join(s, " ")
	}
	tests := []struct {
		p    Provider
		want string
	}{
		{ProviderAnthropic, "status:529 error@2:overloaded_error cut@3 cut-between@2 cut-before-end reset@3 stall@2:3s,pings drip:2048 garble@4"},
		{ProviderOpenAIChat, "status:503 error@2:overloaded_error cut@3 cut-between@2 cut-before-end reset@3 stall@2:3s drip:2048 garble@3"},
		{ProviderGemini, "status:503 error@2:overloaded_error cut@3 cut-between@2 cut-before-end reset@3 stall@2:3s drip:2048 garble@3 tail:503"},
	}
	for _, tt := range tests {
		if got := classes(DrillFaults(tt.p)); got != tt.want {
			t.Errorf("%s: %s\nwant %s", tt.p, got, tt.want)
		}
	}
}

// Chaos picks the same fault for the same request and seed, whatever the
// order requests arrive in; attempts still apply.
func TestChaosIsReproducible(t *testing.T) {
	x := loadFaultFixture(t, faultFixtures[0])
	names := func(seed int64, order []int) map[int]string {
		in := NewInjector(nil, Attempts{all: true}, seed)
		m := map[int]string{}
		for _, seq := range order {
			m[seq] = in.For(seq, nil, x).Name()
		}
		return m
	}
	a := names(42, []int{1, 2, 3, 4, 5, 6, 7, 8})
	b := names(42, []int{8, 7, 6, 5, 4, 3, 2, 1})
	distinct := map[string]bool{}
	for seq, n := range a {
		if b[seq] != n {
			t.Errorf("request %d: %q then %q", seq, n, b[seq])
		}
		distinct[n] = true
	}
	if len(distinct) < 3 {
		t.Errorf("8 requests got only %v", distinct)
	}
	in := NewInjector(nil, Attempts{list: []int{2}}, 42)
	if in.For(1, nil, x) != nil || in.For(2, nil, x) == nil {
		t.Error("chaos ignored --attempts")
	}
}

// error@T fires at the first event from T on.
func TestErrorByTime(t *testing.T) {
	body, _ := readFixture(faultFixtures[1]) // openai-chat: 5 events
	x := loadFaultFixture(t, faultFixtures[1])
	x.Timed, x.Chunks = true, nil
	for i, ev := range strings.SplitAfter(body, "\n\n")[:5] {
		// One event per chunk, 100 ms apart.
		x.Chunks = append(x.Chunks, stream.Chunk{At: time.Duration(i) * 100 * time.Millisecond, Data: []byte(ev)})
	}
	f, _ := ParseFault("error@250ms:api_error")
	got := serveWith(t, &stream.Server{Plan: []*stream.Exchange{x}, Inject: NewInjector([]Fault{f}, Attempts{all: true}, 0)})
	before, _, found := strings.Cut(string(got.body), `data: {"error":`)
	if !found {
		t.Fatalf("no error event:\n%s", got.body)
	}
	// Events at 0, 100 and 200 ms come first and the one at 300 ms is the
	// error. A loaded machine can only delay events, which makes the
	// error come sooner, never later: at most 3 events, at least the first.
	if n := strings.Count(before, "\n\n"); n < 1 || n > 3 || strings.Contains(before, "[DONE]") {
		t.Errorf("%d events before the error:\n%s", n, got.body)
	}
}

// stall@N:D,pings sends the dialect's keep-alive during the stall and
// then the stream goes on.
func TestStallPings(t *testing.T) {
	for _, tt := range []struct {
		fx   faultFixture
		ping string
	}{
		{faultFixtures[0], "event: ping\ndata: {\"type\": \"ping\"}\n\n"},
		{faultFixtures[1], ": keep-alive\n\n"},
	} {
		f, _ := ParseFault("stall@2:150ms,pings")
		start := time.Now()
		got := serveOnce(t, loadFaultFixture(t, tt.fx), NewInjector([]Fault{f}, Attempts{all: true}, 0))
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("%s: served in %v, want ≥150ms", tt.fx.name, d)
		}
		want, _ := readFixture(tt.fx)
		pings := strings.Count(string(got.body), tt.ping) - strings.Count(want, tt.ping)
		if pings < 1 || strings.ReplaceAll(string(got.body), tt.ping, "") != strings.ReplaceAll(want, tt.ping, "") {
			t.Errorf("%s: %d pings; body\n%s", tt.fx.name, pings, got.body)
		}
	}
}

// garble@N leaves event N's data line malformed JSON, the rest intact.
func TestGarbleMakesInvalidJSON(t *testing.T) {
	for _, fx := range faultFixtures {
		f, _ := ParseFault("garble@2")
		got := serveOnce(t, loadFaultFixture(t, fx), NewInjector([]Fault{f}, Attempts{all: true}, 0))
		bad := 0
		for _, line := range strings.Split(string(got.body), "\n") {
			line = strings.TrimSuffix(line, "\r")
			if d, ok := strings.CutPrefix(line, "data: "); ok && !json.Valid([]byte(d)) && d != "[DONE]" {
				bad++
			}
		}
		if bad != 1 || got.end != "clean" {
			t.Errorf("%s: %d malformed data lines, end %s; want 1, clean", fx.name, bad, got.end)
		}
	}
}

func readFixture(fx faultFixture) (string, error) {
	b, err := readFixtureBytes(fx)
	return string(b), err
}

// drip:RATE sends the same bytes at about RATE bytes per second (a lower
// bound only: the machine may be slower, never faster).
func TestDripPaces(t *testing.T) {
	fx := faultFixtures[1]
	want, _ := readFixture(fx)
	rate := len(want) * 4 // the body in about 250 ms
	f, err := ParseFault("drip:" + strconv.Itoa(rate))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := serveOnce(t, loadFaultFixture(t, fx), NewInjector([]Fault{f}, Attempts{all: true}, 0))
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("served in %v, want ≥200ms at %d B/s", d, rate)
	}
	if string(got.body) != want || got.end != "clean" {
		t.Errorf("drip changed the bytes or the end (%s)", got.end)
	}
}
