package ui

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/stream"
)

// readCounter replaces readBodyAt for a test: it counts the body reads
// made inside Update (inUpdate set) and outside it (in commands).
type readCounter struct {
	inUpdate        bool
	inside, outside int
}

func countReads(t *testing.T) *readCounter {
	t.Helper()
	rc := &readCounter{}
	orig := readBodyAt
	readBodyAt = func(x *stream.Exchange, p []byte, off int64) (int, error) {
		if rc.inUpdate {
			rc.inside++
		} else {
			rc.outside++
		}
		return orig(x, p, off)
	}
	t.Cleanup(func() { readBodyAt = orig })
	return rc
}

// drive sends msg to Update with the counter armed, then runs what it
// started (the queued work and the returned command) outside Update and
// feeds their messages back the same way, as the program would.
func (rc *readCounter) drive(m *Model, msg tea.Msg) {
	rc.inUpdate = true
	_, cmd := m.Update(msg)
	rc.inUpdate = false
	for len(m.work) > 0 {
		fn := m.work[0]
		m.work = m.work[1:]
		rc.drive(m, fn())
	}
	rc.run(m, cmd)
}

// run runs cmd outside Update and drives the messages it returns; timers
// (that do not answer at once) are not run.
func (rc *readCounter) run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case next := <-done:
		switch next := next.(type) {
		case tea.BatchMsg:
			for _, c := range next {
				rc.run(m, c)
			}
		case copiedMsg, frameLoadedMsg:
			rc.drive(m, next)
		}
	case <-time.After(150 * time.Millisecond):
	}
}

// bigStream is a stream whose body spills to disk (past stream.SpillAt),
// so that reading a frame back is a file read.
func bigStream() *stream.Exchange {
	var b strings.Builder
	for i := 0; b.Len() <= 2*stream.SpillAt; i++ {
		b.WriteString(sseEvent(i))
	}
	return stream.FromBody("big.sse", []byte(b.String()))
}

// TestUpdateReadsNoBody walks the inspector over every kind of row with
// keys, the mouse and a resize: Update itself never reads body bytes
// (the detail pane's frames and y's copy are read in commands), and the
// frames still reach the screen.
func TestUpdateReadsNoBody(t *testing.T) {
	tests := []struct {
		name string
		x    func(t *testing.T) *stream.Exchange
		want string // on the screen once the walk ends on the first event
	}{
		{"stream in memory", func(t *testing.T) *stream.Exchange { return demo(t, "overloaded") }, "event: message_start"},
		{"stream spilled to disk", func(*testing.T) *stream.Exchange { return bigStream() }, "word0"},
		{"error body that is no stream", func(t *testing.T) *stream.Exchange { return demo(t, "http-529") }, "overloaded_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := countReads(t)
			m, fc := newTestModel(t, []*stream.Exchange{tt.x(t)}, Options{Instant: true}, 120, 40)
			fc.env_ = map[string]string{"DISPLAY": ":0"}
			m.clip = fc.env()
			msgs := []tea.Msg{keyMsg("G"), keyMsg("k"), keyMsg("y"), keyMsg("up"), keyMsg("pgdown"),
				tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp},
				tea.WindowSizeMsg{Width: 100, Height: 30}, keyMsg("tab"), keyMsg("esc"), keyMsg("g"), keyMsg("down"), keyMsg("down"),
				keyMsg("down"), keyMsg("down")}
			for _, msg := range msgs {
				rc.drive(m, msg)
			}
			if rc.inside != 0 {
				t.Errorf("Update read the body %d times", rc.inside)
			}
			if rc.outside == 0 {
				t.Error("no command read a frame: the walk never showed one")
			}
			// Back to the row that shows body bytes: the first event, or
			// the headers of a body that is no stream.
			rc.drive(m, keyMsg("g"))
			for i := 0; i < 4 && !strings.Contains(screen(m), tt.want); i++ {
				rc.drive(m, keyMsg("down"))
			}
			s := screen(m)
			if !strings.Contains(s, tt.want) || strings.Contains(s, "loading…") {
				t.Errorf("the detail pane does not show %q:\n%s", tt.want, s)
			}
			if rc.inside != 0 {
				t.Errorf("Update read the body %d times", rc.inside)
			}
		})
	}
}

// TestFrameShownWhenLoaded: moving to an event shows "loading…" in the
// detail pane and starts one load; the frame replaces the placeholder
// when its message arrives, and coming back to it later needs no load.
func TestFrameShownWhenLoaded(t *testing.T) {
	m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 120, 40)
	m.queueWork = false // commands come back from Update as in the program
	cmd := toFirstEvent(t, m)
	if s := screen(m); !strings.Contains(s, "loading…") || strings.Contains(s, "event: message_start") {
		t.Fatalf("before the load the detail pane should say loading…:\n%s", s)
	}
	msg := findFrameMsg(t, cmd)
	if msg.key.ev != 0 {
		t.Fatalf("loaded event %d, want 0", msg.key.ev)
	}
	if _, again := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40}); again != nil {
		t.Error("a second load started while the first is in flight")
	}
	m.Update(msg)
	s := screen(m)
	if strings.Contains(s, "loading…") || !strings.Contains(s, "event: message_start") || !strings.Contains(s, "JSON:") {
		t.Fatalf("after the load the detail pane should show the frame:\n%s", s)
	}
	// Step away and back: the frame is cached, nothing to load.
	_, cmd = m.Update(keyMsg("down"))
	m.Update(findFrameMsg(t, cmd))
	if _, cmd = m.Update(keyMsg("up")); cmd != nil {
		t.Error("coming back to a loaded frame started a load")
	}
	if !strings.Contains(screen(m), "event: message_start") {
		t.Errorf("the cached frame is not shown:\n%s", screen(m))
	}
}

// toFirstEvent moves the selection from the top down to the first event
// with keys and returns the command of the last key.
func toFirstEvent(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	m.Update(keyMsg("g"))
	for range 5 {
		_, cmd := m.Update(keyMsg("down"))
		if m.tl.selectedEvent() == 0 {
			return cmd
		}
	}
	t.Fatal("down never reached the first event")
	return nil
}

// findFrameMsg runs cmd (and the batch it may be) and returns the frame
// load's message.
func findFrameMsg(t *testing.T, cmd tea.Cmd) frameLoadedMsg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command: the frame is not being loaded")
	}
	switch msg := cmd().(type) {
	case frameLoadedMsg:
		return msg
	case tea.BatchMsg:
		for _, c := range msg {
			if c == nil {
				continue
			}
			if f, ok := c().(frameLoadedMsg); ok {
				return f
			}
		}
	}
	t.Fatal("the command loads no frame")
	return frameLoadedMsg{}
}

// TestStaleFrameIgnored: a frame that arrives after the selection moved
// on is dropped — the pane keeps waiting for the current event — and a
// frame of an exchange generation that was evicted since is dropped too.
func TestStaleFrameIgnored(t *testing.T) {
	tests := []struct {
		name  string
		stale func(m *Model, first frameLoadedMsg) frameLoadedMsg
	}{
		{"selection moved on", func(_ *Model, first frameLoadedMsg) frameLoadedMsg { return first }},
		{"old generation", func(m *Model, _ frameLoadedMsg) frameLoadedMsg {
			k := m.det.want
			k.gen--
			return frameLoadedMsg{key: k, b: []byte("event: stale\ndata: {}\n\n")}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, []*stream.Exchange{demo(t, "overloaded")}, Options{Instant: true}, 120, 40)
			m.queueWork = false
			cmd := toFirstEvent(t, m) // event 1: its load is in flight
			first := findFrameMsg(t, cmd)
			_, cmd = m.Update(keyMsg("down")) // event 2
			second := findFrameMsg(t, cmd)
			stale := tt.stale(m, first)
			m.Update(stale)
			s := screen(m)
			if !strings.Contains(s, "Event 2 of") || !strings.Contains(s, "loading…") {
				t.Errorf("a stale frame replaced the placeholder:\n%s", s)
			}
			if _, ok := m.frames.cache.get(stale.key); ok {
				t.Error("a stale frame was cached")
			}
			m.Update(second)
			s = screen(m)
			if strings.Contains(s, "loading…") || !strings.Contains(s, "content_block_start") {
				t.Errorf("the current frame is not shown:\n%s", s)
			}
		})
	}
}

// TestFrameCacheIsBounded: the cache keeps the most recently used
// frames only, at most frameCacheSize of them and frameCacheBytes in all
// (but always the newest), and forgets an evicted exchange's.
func TestFrameCacheIsBounded(t *testing.T) {
	small := func(i int) []byte { return []byte{byte(i)} }
	huge := func(int) []byte { return make([]byte, maxFrame) }
	tests := []struct {
		name  string
		size  func(int) []byte
		puts  int
		touch int   // re-used after frameCacheSize puts; -1: none
		kept  []int // events cached at the end
		gone  []int
	}{
		{"count bound, least recently used goes", small, frameCacheSize + 3, 2, []int{2, frameCacheSize + 1, frameCacheSize + 2}, []int{0, 1, 3}},
		{"byte bound", huge, 5, -1, []int{3, 4}, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c frameCache
			for i := range tt.puts {
				c.put(cachedFrame{key: frameKey{seq: 1, ev: i}, b: tt.size(i)})
				if i == frameCacheSize && tt.touch >= 0 {
					c.get(frameKey{seq: 1, ev: tt.touch})
				}
			}
			if len(c.entries) > frameCacheSize || c.bytes > frameCacheBytes {
				t.Errorf("%d frames, %d bytes cached: over %d, %d", len(c.entries), c.bytes, frameCacheSize, frameCacheBytes)
			}
			for _, ev := range tt.kept {
				if _, ok := c.get(frameKey{seq: 1, ev: ev}); !ok {
					t.Errorf("event %d is not cached", ev)
				}
			}
			for _, ev := range tt.gone {
				if _, ok := c.get(frameKey{seq: 1, ev: ev}); ok {
					t.Errorf("event %d is still cached", ev)
				}
			}
		})
	}
	var c frameCache
	c.put(cachedFrame{key: frameKey{seq: 1, ev: 0}, b: []byte("a")})
	c.put(cachedFrame{key: frameKey{seq: 2, ev: 0}, b: []byte("bb")})
	c.drop(1)
	if _, ok := c.get(frameKey{seq: 1, ev: 0}); ok || c.bytes != 2 || len(c.entries) != 1 {
		t.Errorf("drop(1) left %d frames, %d bytes", len(c.entries), c.bytes)
	}
}

// TestBodyReadsOnlyInCommands is a guard on the source: in the ui
// package, body bytes are read only by the functions that run in
// commands (readBodyAt, the decode job). A new call elsewhere would
// most likely be IO in Update.
func TestBodyReadsOnlyInCommands(t *testing.T) {
	readers := map[string]bool{"ReadBodyAt": true, "ReadAt": true, "BodyPrefix": true, "Body": true, "BodyReader": true, "EachChunk": true}
	allowed := map[string]bool{"readBodyAt": true, "decodeJob.run": true}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			owner := declName(decl)
			ast.Inspect(decl, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && readers[sel.Sel.Name] && !allowed[owner] {
					t.Errorf("%s: %s calls %s: read body bytes in a command (see frames.go)", fset.Position(call.Pos()), owner, sel.Sel.Name)
				}
				return true
			})
		}
	}
}

// declName names a top-level declaration: Func, Type.Method or the first
// variable it declares.
func declName(d ast.Decl) string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) > 0 {
			t := d.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if id, ok := t.(*ast.Ident); ok {
				return id.Name + "." + d.Name.Name
			}
		}
		return d.Name.Name
	case *ast.GenDecl:
		for _, s := range d.Specs {
			if v, ok := s.(*ast.ValueSpec); ok && len(v.Names) > 0 {
				return v.Names[0].Name
			}
		}
	}
	return fmt.Sprint(d)
}
