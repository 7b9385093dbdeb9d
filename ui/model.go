package ui

import (
	"context"
	"os"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// mode is the screen the inspector shows.
type mode int

const (
	modeLoading  mode = iota // reading a file / waiting for the first request
	modeList                 // the exchange list
	modeExchange             // one exchange: timeline, detail, fixes
)

// focus is the pane that receives navigation keys.
type focus int

const (
	focusTimeline focus = iota
	focusDetail
	focusFixes
)

// String names the focused pane.
func (f focus) String() string {
	return [...]string{"timeline", "detail", "fixes"}[f]
}

// Model is the inspector: the only tea.Model. Panes are plain structs it
// sizes, routes keys to and draws.
type Model struct {
	opt    Options
	keys   keyMap
	help   help.Model
	styles Styles
	dark   bool // styles are the dark palette's
	w, h   int

	mode    mode
	xs      []*exchangeState
	cur     int // open exchange (index into xs)
	list    exchangeList
	tl      *timeline
	det     detail
	fx      fixes
	focus   focus
	finds   []int // event indexes with findings, of the open exchange
	fatal   error
	helpOn  bool
	helpTop int  // first help line shown when help is taller than the screen
	moved   bool // the user navigated the open exchange

	filtering bool
	input     textinput.Model

	// Replay pacing.
	paced    bool // recorded timing is honoured
	replay   bool // a paced replay is running (maybe paused)
	paused   bool
	speed    float64
	clock    time.Duration
	lastTick time.Time
	gen      int

	// Sources. Live sessions and replays alike arrive through feed; live
	// tells them apart (follow mode, interim diagnoses, no pacing).
	feed   *stream.Feed
	live   bool
	loadCh chan tea.Msg // a replay's progress and read error
	path   string
	read   int64
	total  int64
	loaded bool // a replay's feed is closed: every exchange is known
	// provisional is set while the first exchange of a file still read
	// was opened on its own and the user has not acted (listOnceSeveral).
	provisional bool

	// Memory bound of a long session (see evict.go).
	keep     evictPolicy
	useClock int64
	// queueWork, set by tests, collects work commands in work instead of
	// returning them, so a test can run them in order (see spawn).
	queueWork bool
	work      []func() tea.Msg

	frames frameLoads // the detail pane's raw bytes (see frames.go)

	// SDK picked with p: index into sdkNames, -1 for the detected one.
	sdkPick   int
	sdkAnswer *inspect.SDKAnswer

	status    string
	statusBad bool
	statusGen int

	// Recording failures reported by a live source (Update.Problem).
	problems int
	problem  string

	initCmd tea.Cmd

	// Waiting spinner of live exchanges (see waiting.go).
	waitTicking bool
	waitFrame   int
	waitNow     time.Time

	clip clipEnv
	now  func() time.Time
	dir  string // where s saves
}

func newModel(opt Options) *Model {
	m := &Model{
		opt:     opt,
		keys:    defaultKeyMap(),
		help:    help.New(),
		speed:   1,
		sdkPick: -1,
		paced:   !opt.Instant,
		clip:    defaultClipEnv(),
		now:     time.Now,
		dir:     ".",
		total:   -1,
		keep:    defaultEvictPolicy,
	}
	m.help.ShortSeparator = " · "
	m.input = textinput.New()
	m.input.Prompt = "/ "
	m.input.Placeholder = "event type or text"
	m.setTheme(darkBackground(opt.Theme))
	m.list.styles = &m.styles
	m.det.styles = &m.styles
	m.det.frames = &m.frames.cache
	m.fx.styles = &m.styles
	if wd, err := os.Getwd(); err == nil {
		m.dir = wd
	}
	return m
}

// setTheme draws with the dark or the light palette. The panes keep
// pointers to m.styles, so they follow.
func (m *Model) setTheme(dark bool) {
	m.dark = dark
	m.styles = NewStyles(dark)
	m.help.Styles = helpStyles(m.styles)
	m.input.PromptStyle = m.styles.Key
	m.input.PlaceholderStyle = m.styles.Dim
	m.input.TextStyle = m.styles.Value
}

// newReplayModel opens captured exchanges, published to a feed like a
// live session's.
func newReplayModel(xs []*stream.Exchange, opt Options) (*Model, tea.Cmd) {
	m := newModel(opt)
	m.feed = stream.NewFeed()
	go func() {
		defer m.feed.Close()
		publishExchanges(xs, m.feed)
	}()
	return m, waitForFeed(m.feed)
}

// newFileModel loads path with progress: publishCapture publishes its
// exchanges to the feed as it reads them, and its progress to loadCh.
// stopLoad stops the read (the inspector quit before it ended).
func newFileModel(path string, opt Options) (m *Model, first tea.Cmd, stopLoad context.CancelFunc) {
	m = newModel(opt)
	m.path = path
	m.feed = stream.NewFeed()
	m.loadCh = make(chan tea.Msg, 4)
	ctx, stop := context.WithCancel(context.Background())
	go publishCapture(ctx, path, opt.Limits, m.feed, m.loadCh)
	return m, tea.Batch(waitForLoad(m.loadCh), waitForFeed(m.feed)), stop
}

// newLiveModel follows a feed.
func newLiveModel(feed *stream.Feed, opt Options) (*Model, tea.Cmd) {
	m := newModel(opt)
	m.feed = feed
	m.live = true
	m.paced = false
	m.loaded = true
	return m, waitForFeed(feed)
}

// spawn returns the work fn (decoding, diagnosing, reloading) as a
// command; tests that drive Update by hand set queueWork to collect it
// instead and run it when they choose.
func (m *Model) spawn(fn func() tea.Msg) tea.Cmd {
	if fn == nil {
		return nil
	}
	if m.queueWork {
		m.work = append(m.work, fn)
		return nil
	}
	return fn
}

// Init implements tea.Model: it starts the data source's command.
func (m *Model) Init() tea.Cmd { return m.initCmd }

func (m *Model) current() *exchangeState {
	if m.mode != modeExchange || m.cur >= len(m.xs) {
		return nil
	}
	return m.xs[m.cur]
}

// Update implements tea.Model. After the message it starts loading the
// raw bytes the detail pane now waits for, if any (requestFrame): reading
// them is IO, which Update never does itself.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if load := m.requestFrame(); load != nil {
		cmd = tea.Batch(cmd, load)
	}
	return m, cmd
}

// update handles one message.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return nil
	case tea.KeyMsg:
		m.provisional = false
		_, cmd := m.handleKey(msg)
		return cmd
	case tea.MouseMsg:
		m.provisional = false
		return m.handleMouse(msg)
	case feedMsg:
		return m.applyFeed(msg)
	case loaderMsg:
		_, cmd := m.Update(msg.msg)
		return tea.Batch(cmd, waitForLoad(m.loadCh))
	case loadProgressMsg:
		m.read, m.total = msg.read, msg.total
		return nil
	case loadErrMsg:
		m.fatal = msg.err
		return nil
	case decodedMsg:
		return m.applyDecoded(msg)
	case reloadedMsg:
		return m.applyReloaded(msg)
	case verdictMsg:
		return m.applyVerdict(msg)
	case loaderDoneMsg:
		m.loadCh = nil
		return nil
	case diagnoseDueMsg:
		if st := m.stateOf(msg.seq); st != nil {
			return m.maybeDiagnose(st)
		}
		return nil
	case replayTickMsg:
		return m.advanceReplay(msg)
	case waitTickMsg:
		return m.applyWaitTick(msg)
	case frameLoadedMsg:
		m.applyFrame(msg)
		return nil
	case assembledMsg:
		if st := m.current(); st != nil && st.seq == msg.seq {
			m.det.asm = msg.a
			m.det.setContent(st, m.tl.sel)
		}
		return nil
	case copiedMsg:
		if msg.err != nil {
			return m.setStatus("✗ copy failed: "+msg.err.Error(), true)
		}
		text, bad := msg.result.message(msg.what, m.w)
		return m.setStatus(text, bad)
	case savedMsg:
		if msg.err != nil {
			return m.setStatus("✗ save failed: "+msg.err.Error(), true)
		}
		return m.setStatus("✓ capture saved to "+msg.path, false)
	case clearStatusMsg:
		if msg.gen == m.statusGen {
			m.status = ""
		}
		return nil
	}
	return nil
}

// setStatus shows a status message; errors stay longer.
func (m *Model) setStatus(s string, bad bool) tea.Cmd {
	m.statusGen++
	m.status, m.statusBad = s, bad
	ttl := 8 * time.Second
	if bad {
		ttl = 15 * time.Second
	}
	return clearStatusAfter(m.statusGen, ttl)
}

// stateOf returns the exchange of sequence number seq, or nil.
func (m *Model) stateOf(seq int) *exchangeState {
	// Sources number exchanges 1, 2, … in the order they start, so the
	// exchange is at seq-1; a chunk of a long proxy session then costs no
	// scan of every exchange. The scan stays for any other numbering.
	if i := seq - 1; i >= 0 && i < len(m.xs) && m.xs[i].seq == seq {
		return m.xs[i]
	}
	for _, st := range m.xs {
		if st.seq == seq {
			return st
		}
	}
	return nil
}

func (m *Model) applyVerdict(msg verdictMsg) tea.Cmd {
	st := m.stateOf(msg.seq)
	if st == nil || msg.v == nil || msg.gen != st.gen || st.evicted {
		return nil
	}
	st.diagnosing = false
	if msg.full && st.done {
		st.setVerdict(msg.v)
	} else {
		// A verdict of a snapshot: take its conclusions, keep our events.
		st.verdict = msg.v
		st.verdictEvents = msg.v.Events.Len()
	}
	if st == m.current() {
		m.adoptVerdict(st)
	}
	switch {
	case st.done && !msg.full:
		// The body ended while a snapshot was diagnosed: the verdict
		// of the whole exchange is still due.
		return m.maybeDiagnose(st)
	case m.live && (!st.done || st.events.Len() > st.verdictEvents):
		return diagnoseAfter(st.seq, 300*time.Millisecond)
	}
	return m.evict()
}

// adoptVerdict refreshes what depends on the verdict of the open exchange.
func (m *Model) adoptVerdict(st *exchangeState) {
	m.finds = findingEvents(st.verdict)
	m.tl.sev = map[int]inspect.Severity{}
	m.tl.cache = nil // rows show findings and inspect's summaries
	rank := map[inspect.Severity]int{inspect.SeverityError: 3, inspect.SeverityWarning: 2, inspect.SeverityInfo: 1}
	for _, f := range st.verdict.Findings {
		for _, e := range f.Events {
			if rank[f.Severity] > rank[m.tl.sev[e]] {
				m.tl.sev[e] = f.Severity
			}
		}
	}
	m.refreshSDK()
	m.syncCurrent()
	// A finished capture opens on the event that carried the error, the
	// one the user came for, unless they already moved.
	if v := st.verdict; !m.moved && !m.live && !m.replay && st.done && v.Error != nil {
		switch {
		case v.Error.EventIndex >= 0 && v.Error.EventIndex < m.tl.shown:
			m.tl.selectEvent(v.Error.EventIndex)
		case v.Error.EventIndex < 0 && st.x.Response != nil:
			// An HTTP error before any stream: its headers and body.
			m.tl.sel, m.tl.follow = rowKey{kind: rowHeaders}, false
			m.tl.scrollToSel()
		}
	}
	m.refreshPanes()
}

// open shows exchange i.
func (m *Model) open(i int) tea.Cmd {
	st := m.xs[i]
	m.mode, m.cur, m.focus = modeExchange, i, focusTimeline
	m.list.sel = i
	m.tl = newTimeline(st, &m.styles)
	m.det.asm, m.det.assembled = nil, false
	m.moved = false
	m.used(st)
	reload := m.reload(st)
	m.sdkPick, m.sdkAnswer = -1, nil
	m.layout()
	var cmd tea.Cmd
	if m.paced && st.x.Timed && !m.live {
		m.replay, m.paused, m.clock, m.lastTick = true, false, 0, time.Time{}
		m.gen++
		cmd = tickReplay(m.gen)
	} else {
		m.replay = false
	}
	if st.verdict != nil {
		m.adoptVerdict(st)
	} else {
		m.finds = nil
		m.tl.sev = nil
		m.syncCurrent()
		m.refreshPanes()
	}
	return tea.Batch(cmd, reload)
}

// refreshPanes rebuilds detail and fixes for the selection.
func (m *Model) refreshPanes() {
	st := m.current()
	if st == nil || m.tl == nil {
		return
	}
	m.det.setContent(st, m.tl.sel)
	sel := m.tl.selectedEvent()
	name := ""
	if names := m.sdkNames(); m.sdkPick >= 0 && m.sdkPick < len(names) {
		name = names[m.sdkPick]
	}
	m.fx.follow(st.seq, sel)
	m.fx.setContent(st.verdict, sel, m.sdk(), name)
}

// scroll moves the focused pane (or the list) by delta rows; moving the
// timeline selection may ask for an assembly.
func (m *Model) scroll(delta int) tea.Cmd {
	switch {
	case m.mode == modeList:
		m.list.move(delta, len(m.xs))
	case m.mode != modeExchange:
	case m.focus == focusDetail:
		m.det.scroll(delta)
	case m.focus == focusFixes:
		m.fx.scroll(delta)
	default:
		m.tl.move(delta)
		return m.selectionChanged()
	}
	return nil
}

// selectionChanged follows the timeline selection in the other panes.
func (m *Model) selectionChanged() tea.Cmd {
	m.refreshPanes()
	return m.requestAssembly()
}

func (m *Model) requestAssembly() tea.Cmd {
	st := m.current()
	ev := m.tl.selectedEvent()
	if !m.det.assembled || st == nil || st.verdict == nil || ev < 0 || (m.det.asm != nil && m.det.asm.upTo == ev) {
		return nil
	}
	return assembleUpTo(st.seq, st.verdict, ev)
}
