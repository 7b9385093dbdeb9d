package main

import (
	"fmt"
	"sync"

	"github.com/midstreamhq/midstream/stream"
)

// watchedSink passes every step to a capture sink and reports its first
// error, as it happens, to fail: a capture that cannot be written (a full
// disk, a folder gone read-only) must not fail silently while the
// inspector owns the screen.
type watchedSink struct {
	stream.CaptureSink
	once sync.Once
	fail func(error)
}

// reportSink wraps sink so that fail is called once with its first error.
func reportSink(sink stream.CaptureSink, fail func(error)) stream.CaptureSink {
	return &watchedSink{CaptureSink: sink, fail: fail}
}

func (s *watchedSink) check(err error) error {
	if err != nil {
		s.once.Do(func() { s.fail(err) })
	}
	return err
}

// Begin implements stream.CaptureSink.
func (s *watchedSink) Begin(x *stream.Exchange) error { return s.check(s.CaptureSink.Begin(x)) }

// Chunk implements stream.CaptureSink.
func (s *watchedSink) Chunk(c stream.Chunk) error { return s.check(s.CaptureSink.Chunk(c)) }

// End implements stream.CaptureSink.
func (s *watchedSink) End(e stream.End) error { return s.check(s.CaptureSink.End(e)) }

// publishProblem tells the inspector following feed that what could not
// be recorded.
func publishProblem(feed *stream.Feed, what string, err error) {
	feed.Publish(stream.Update{Problem: fmt.Sprintf("%s NOT recorded: %v", what, err)})
}

// watchCaptures wraps a Proxy.Open so that a capture that cannot be
// created, or whose writing fails, is reported to the inspector following
// feed as soon as it happens.
func watchCaptures(open func(int, *stream.Exchange) (stream.CaptureSink, string, func() error, error), feed *stream.Feed) func(int, *stream.Exchange) (stream.CaptureSink, string, func() error, error) {
	return func(seq int, x *stream.Exchange) (stream.CaptureSink, string, func() error, error) {
		sink, name, done, err := open(seq, x)
		if err != nil {
			publishProblem(feed, fmt.Sprintf("exchange #%d", seq), err)
			return sink, name, done, err
		}
		return reportSink(sink, func(err error) { publishProblem(feed, name, err) }), name, done, nil
	}
}
