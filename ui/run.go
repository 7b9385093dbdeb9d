// Package ui is midstream's interactive inspector (Bubble Tea).
package ui

import (
	"errors"

	"github.com/midstreamhq/midstream/inspect"
	"github.com/midstreamhq/midstream/stream"
)

// Options configure the inspector.
type Options struct {
	// Title names the source in the header (file name, "proxy :8787", …).
	Title string
	// Diagnose options (SDK override, status override).
	Inspect inspect.Options
	// Instant shows a replay all at once instead of at its recorded pace.
	Instant bool
	// ToolVersion goes into copied diagnoses.
	ToolVersion string
}

// RunReplay opens the inspector on captured exchanges (one: its timeline;
// several: the exchange list).
//
// PLACEHOLDER(#4).
func RunReplay(xs []*stream.Exchange, opt Options) error {
	return errors.New("the inspector is not available yet")
}

// RunLive opens the inspector on exchanges arriving through feed (a live
// request, or a proxy session), in follow mode. It returns when the user
// quits.
//
// PLACEHOLDER(#4).
func RunLive(feed *stream.Feed, opt Options) error {
	return errors.New("the inspector is not available yet")
}
