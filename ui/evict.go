package ui

import (
	"fmt"
	"slices"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// evictPolicy bounds what a long session keeps in memory: the timelines
// and verdicts of the most recently used exchanges, at most count of them
// and at most events events in all. Older ones keep only their list row
// and are read again from their capture file when opened.
type evictPolicy struct {
	events int
	count  int
}

// defaultEvictPolicy keeps up to 2M events (64 MB of 32-byte timeline
// entries) in at most 256 exchanges; a body costs no memory past
// stream.SpillAt whatever the policy.
var defaultEvictPolicy = evictPolicy{events: 2_000_000, count: 256}

// CaptureNames maps live exchanges to the capture files they were
// recorded to (the proxy's --save files), by their Source. An exchange
// evicted from memory is reloaded from its file. Safe for concurrent use:
// the proxy adds names on its own goroutines.
type CaptureNames struct {
	mu    sync.Mutex
	names map[string]string
}

// NewCaptureNames returns an empty set of names.
func NewCaptureNames() *CaptureNames { return &CaptureNames{names: map[string]string{}} }

// Add records that the exchange from source was recorded to path.
func (c *CaptureNames) Add(source, path string) {
	if c == nil || path == "" {
		return
	}
	c.mu.Lock()
	c.names[source] = path
	c.mu.Unlock()
}

// lookup returns the capture file of source, or "".
func (c *CaptureNames) lookup(source string) string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.names[source]
}

// used marks st as the most recently used exchange.
func (m *Model) used(st *exchangeState) {
	m.useClock++
	st.lastUse = m.useClock
}

// residency returns how many exchanges and events are in memory.
func (m *Model) residency() (count, events int) {
	for _, st := range m.xs {
		if !st.evicted {
			count++
			events += st.events.Len()
		}
	}
	return count, events
}

// evict drops the least recently used finished exchanges until the rest
// fit the policy. The open exchange and any with a command in flight stay.
// It returns no command; it has one only to sit in a tea.Batch.
func (m *Model) evict() tea.Cmd {
	count, events := m.residency()
	if count <= m.keep.count && events <= m.keep.events {
		return nil
	}
	cur := m.current()
	var cands []*exchangeState
	for _, st := range m.xs {
		if !st.evicted && st.done && !st.decoding && !st.diagnosing && st != cur {
			cands = append(cands, st)
		}
	}
	slices.SortFunc(cands, func(a, b *exchangeState) int { return int(a.lastUse - b.lastUse) })
	for _, st := range cands {
		if count <= m.keep.count && events <= m.keep.events {
			break
		}
		count--
		events -= st.events.Len()
		st.evict()
		m.frames.cache.drop(st.seq)
	}
	return nil
}

// evictedSpark stands for the sparkline of every evicted exchange: it is
// never drawn into (nothing is decoded while evicted).
var evictedSpark = newSparkline()

// evict keeps of st only what its list row shows.
func (st *exchangeState) evict() {
	st.gen++ // results of commands started before are moot
	st.evicted = true
	st.nEvents = st.events.Len()
	st.events, st.tl, st.spark = inspect.Events{}, nil, evictedSpark
	st.decoded, st.mark = 0, 0
	if v := st.verdict; v != nil {
		st.verdict = &inspect.Verdict{
			Source: v.Source, Provider: v.Provider, Dialect: v.Dialect, HTTPStatus: v.HTTPStatus,
			HTTPStatusAssumed: v.HTTPStatusAssumed, MappedStatus: v.MappedStatus,
			Mismatch: v.Mismatch, Outcome: v.Outcome, Error: v.Error,
			EventCount: v.EventCount, Model: v.Model, Gateway: v.Gateway, Host: v.Host,
		}
	}
	x := st.x
	if x.Spool != nil {
		// The recorder is done with it (the exchange ended) and the open
		// exchange is never evicted: release its file now, not at a GC.
		x.Spool.Close()
	}
	st.x = &stream.Exchange{Source: x.Source, Format: x.Format, Started: x.Started,
		Response: x.Response, Timed: x.Timed, End: x.End}
	if x.Request != nil {
		st.x.Request = &stream.Request{Method: x.Request.Method, URL: x.Request.URL, Proto: x.Request.Proto}
	}
}

// reloadedMsg carries an evicted exchange read back from its capture.
type reloadedMsg struct {
	seq, gen int
	x        *stream.Exchange
	err      error
}

// captureOf names the file st can be read back from and which exchange of
// it st is (1-based), or "" when it was not recorded.
func (m *Model) captureOf(st *exchangeState) (path string, index int) {
	if m.live {
		return m.opt.Captures.lookup(st.x.Source), 1
	}
	if m.path != "" && m.path != "-" {
		return m.path, st.seq
	}
	return "", 0
}

// reload starts reading an evicted exchange back from its capture, or
// says why it cannot be.
func (m *Model) reload(st *exchangeState) tea.Cmd {
	if !st.evicted || st.reloading {
		return nil
	}
	path, index := m.captureOf(st)
	if path == "" {
		return nil
	}
	st.reloading = true
	seq, gen, lim := st.seq, st.gen, m.opt.Limits
	return m.spawn(func() tea.Msg {
		xs, err := stream.ReadFileWith(path, lim)
		if err == nil && index > len(xs) {
			err = fmt.Errorf("%s holds %d exchanges, not %d", path, len(xs), index)
		}
		if err != nil {
			return reloadedMsg{seq: seq, gen: gen, err: err}
		}
		x := *xs[index-1]
		x.Chunks, x.Spool = nil, spoolOf(xs[index-1]) // off the heap past SpillAt
		return reloadedMsg{seq: seq, gen: gen, x: &x}
	})
}

// applyReloaded makes a reloaded exchange resident again and decodes it
// as a replay would.
func (m *Model) applyReloaded(msg reloadedMsg) tea.Cmd {
	st := m.stateOf(msg.seq)
	if st == nil || msg.gen != st.gen || !st.evicted {
		return nil
	}
	st.reloading = false
	if msg.err != nil {
		return m.setStatus("✗ reloading "+st.x.Source+": "+msg.err.Error(), true)
	}
	st.gen++
	st.evicted, st.done, st.ended = false, false, true
	st.verdict, st.verdictEvents, st.diagnosing, st.fullVerdict = nil, 0, false, false
	st.spark = newSparkline()
	m.frames.cache.drop(st.seq)
	st.setExchange(msg.x)
	m.used(st)
	if st == m.current() {
		m.tl = newTimeline(st, &m.styles)
		m.layout()
		m.refreshPanes()
	}
	return tea.Batch(m.spawnDecode(st), m.evict())
}

// evictedText says what the timeline of an evicted exchange is waiting
// for ("" when st is in memory).
func (m *Model) evictedText(st *exchangeState) string {
	if !st.evicted {
		return ""
	}
	if path, _ := m.captureOf(st); path != "" {
		return "evicted; reloading from " + path + "…"
	}
	return "evicted; not recorded"
}
