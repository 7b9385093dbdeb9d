package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midstreamhq/midstream/inspect"
	canaries "github.com/midstreamhq/midstream/internal/canary"
	"github.com/midstreamhq/midstream/stream"
)

// poisonedExchange carries a canary of every shape in every place of its
// request, its notes and its end error; its response echoes
// canaries.Echoed.
func poisonedExchange(rawURL string) *stream.Exchange {
	return &stream.Exchange{
		Source: "gw?key=" + canaries.Shaped[7].Value, Format: stream.FormatJSONL, Timed: true,
		Notes:   []string{canaries.Text(), "X-Auth-Key: " + canaries.AuthKey.Value},
		Request: &stream.Request{Method: "POST", URL: rawURL, Header: canaries.Header(), Body: canaries.Body()},
		Response: &stream.Response{Status: 200, StatusText: "OK", Header: map[string][]string{
			"Content-Type": {"text/event-stream"}, "Set-Cookie": {"s=" + canaries.Cookie.Value}}},
		Chunks: []stream.Chunk{{Data: []byte(canaries.SSEError()), At: time.Millisecond}},
		End:    stream.End{Reason: stream.EndError, Err: "read: " + canaries.Text(), At: 2 * time.Millisecond},
	}
}

// TestCanariesInCopiesAndSaves: the `c` copy (Markdown diagnosis), the `y`
// copy of the error frame, the `s` save and the detail pane's request,
// headers and end text show no canary (the save keeps the response body
// byte-exact, as every capture does).
func TestCanariesInCopiesAndSaves(t *testing.T) {
	all := append(append([]canaries.Canary(nil), canaries.All...), canaries.Echoed...)
	for _, u := range []string{canaries.URL("https://gw.example"), canaries.BadURL()} {
		x := poisonedExchange(u)
		var copied []string
		env := clipEnv{getenv: func(k string) string {
			if k == "DISPLAY" {
				return ":0"
			}
			return ""
		}, goos: "linux", local: func(s string) error { copied = append(copied, s); return nil }}

		v := inspect.Diagnose(x, inspect.Options{})
		copyDiagnosis(v, "test", env)()
		copyFrame([]byte(canaries.SSEError()), env)()
		if len(copied) != 2 {
			t.Fatalf("%d copies", len(copied))
		}
		for i, what := range []string{"c copy", "y copy"} {
			if l := canaries.Leaks(copied[i], all); len(l) > 0 {
				t.Errorf("%s shows %s", what, strings.Join(l, ", "))
			}
		}

		dir := t.TempDir()
		msg := saveCapture(x, dir, time.Now())().(savedMsg)
		if msg.err != nil {
			t.Fatal(msg.err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		if len(files) != 1 {
			t.Fatalf("%d saved files", len(files))
		}
		raw, _ := os.ReadFile(files[0])
		saved := strings.ReplaceAll(string(raw), canaries.SSEErrorJSON(), "")
		if l := canaries.Leaks(saved, canaries.All); len(l) > 0 {
			t.Errorf("s save shows %s", strings.Join(l, ", "))
		}

		st := newExchangeState(1, x, 0)
		var pane []string
		for _, k := range []rowKind{rowRequest, rowHeaders, rowEnd} {
			pane = append(pane, milestoneLines(st, k, func() frameView {
				fk, _ := st.bodyFrame()
				b, err := readFrame(st.x, fk)
				return frameView{b: b, err: err}
			})...)
		}
		if l := canaries.Leaks(strings.Join(pane, "\n"), all); len(l) > 0 {
			t.Errorf("detail pane shows %s", strings.Join(l, ", "))
		}
	}
}

// TestCanariesOnScreen opens the poisoned exchange in the inspector, walks
// every row of the timeline and presses c, y and s: no screen, copy or
// save shows a canary.
func TestCanariesOnScreen(t *testing.T) {
	all := append(append([]canaries.Canary(nil), canaries.All...), canaries.Echoed...)
	x := poisonedExchange(canaries.BadURL())
	m, fc := newTestModel(t, []*stream.Exchange{x}, Options{}, 160, 50)
	var screens strings.Builder
	screens.WriteString(screen(m))
	for i := 0; i < 12; i++ {
		press(m, "down")
		screens.WriteString(screen(m))
		press(m, "y")
	}
	press(m, "c", "s")
	if !strings.Contains(screens.String(), "[REDACTED len=") {
		t.Error("no hint on any screen: the walk saw no secret-bearing text")
	}
	if l := canaries.Leaks(screens.String(), all); len(l) > 0 {
		t.Errorf("the inspector shows %s", strings.Join(l, ", "))
	}
	copies := strings.Join(fc.local, "\n") + fc.saved
	if len(fc.local) == 0 && fc.saved == "" {
		t.Error("nothing was copied")
	}
	if l := canaries.Leaks(copies, all); len(l) > 0 {
		t.Errorf("copies show %s", strings.Join(l, ", "))
	}
	files, _ := filepath.Glob(filepath.Join(m.dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("%d saved files", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	if l := canaries.Leaks(strings.ReplaceAll(string(raw), canaries.SSEErrorJSON(), ""), canaries.All); len(l) > 0 {
		t.Errorf("the saved capture shows %s", strings.Join(l, ", "))
	}
}
