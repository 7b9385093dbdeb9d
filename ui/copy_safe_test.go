package ui

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/internal/hostile"
	"github.com/midstreamhq/midstream/stream"
)

// osc52Title is an error type a hostile upstream sends: OSC 52 would set
// the user's clipboard, OSC 2 retitle the window, and NEL, CSI (C1) and
// the bidi override act on some terminals.
const osc52Title = "overloaded_error\x1b]52;c;cHduZWQ=\x07\x1b]2;pwned\x07\u0085\u009b\u202e\u2066\x7f"

// rawControl is hostile.RawControl: the one check of what a terminal must
// never get raw.
var rawControl = hostile.RawControl

func hostileExchange() *stream.Exchange {
	typ, _ := json.Marshal(osc52Title)
	body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"content\":[]}}\n\n" +
		"event: error\r\n: Overloaded\x1b]2;raw\x07\r\ndata: {\"type\":\"error\",\"error\":{\"type\":" + string(typ) + ",\"message\":\"Overloaded\"}}\r\n\r\n"
	x := stream.FromBody("hostile\x1b]2;src\x07.sse", []byte(body))
	x.Request = &stream.Request{Method: "POST", URL: "https://api.anthropic.com/v1/messages",
		Header: http.Header{"User-Agent": {"ua\x1b]52;c;cHduZWQ=\x07"}}, Body: []byte(`{"model":"claude\u001b]2;m\u0007"}`)}
	x.Response = &stream.Response{Status: 200, StatusText: "OK\x1b]2;st\x07",
		Header: http.Header{"Content-Type": {"text/event-stream"}, "Request-Id": {"req\x1b]2;rid\x07"}}}
	x.Notes = []string{"note\x1b]2;note\x07"}
	return x
}

// The c and y copies of a hostile stream, and their fallback file, hold
// the hostile values escaped and no raw control character.
func TestCopiesNeutraliseHostileStream(t *testing.T) {
	m, fc := newTestModel(t, []*stream.Exchange{hostileExchange()}, Options{Instant: true}, 100, 30)
	fc.env_ = map[string]string{} // no display: the fallback file is written
	m.clip = fc.env()
	press(m, "c")
	diag := fc.saved
	press(m, "G", "k", "y") // the error event's raw frame
	frame := fc.saved
	for name, tt := range map[string]struct{ got, want string }{
		"c (diagnosis)": {diag, "overloaded_error␛]52;c;cHduZWQ=␇␛]2;pwned␇"},
		"y (raw frame)": {frame, `overloaded_error\u001b]52;c;cHduZWQ=\u0007`},
	} {
		if tt.got == "" {
			t.Fatalf("%s: nothing copied", name)
		}
		if r, bad := rawControl(tt.got); bad {
			t.Errorf("%s holds raw %U:\n%s", name, r, tt.got)
		}
		if !strings.Contains(tt.got, tt.want) {
			t.Errorf("%s lacks %q:\n%s", name, tt.want, tt.got)
		}
	}
	if !strings.Contains(frame, "Overloaded␛]2;raw␇") || !strings.Contains(frame, "␍") {
		t.Errorf("y copy should show the raw ESC, BEL and CR as pictures:\n%s", frame)
	}
	for _, want := range []string{"hostile␛]2;src␇.sse", "req␛]2;rid␇", "note␛]2;note␇", "OK␛]2;st␇", "claude␛]2;m␇", "ua␛]52;c;cHduZWQ=␇"} {
		if !strings.Contains(diag, want) {
			t.Errorf("c copy lacks %q:\n%s", want, diag)
		}
	}
}

// The real fallback writer saves exactly the sanitised text copyText got.
func TestCopyFallbackFileIsSafe(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	e := defaultClipEnv()
	e.getenv = func(string) string { return "" } // no display: no local clipboard
	e.term = nil
	r := copyText("frame "+osc52Title+"\r\n", frameFilePattern, e)
	if r.file == "" || r.fileErr != nil {
		t.Fatalf("no fallback file: %+v", r)
	}
	b, err := os.ReadFile(r.file)
	if err != nil {
		t.Fatal(err)
	}
	if r, bad := rawControl(string(b)); bad {
		t.Errorf("fallback file holds raw %U: %q", r, b)
	}
	if !strings.Contains(string(b), "␛]52;c;cHduZWQ=␇") || !strings.Contains(string(b), `\u202e`) {
		t.Errorf("fallback file lost the hostile value: %q", b)
	}
}
