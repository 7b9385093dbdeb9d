package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midstreamhq/midstream/stream"
)

// failingSink fails from its Nth call on, like a disk that fills up.
type failingSink struct {
	n     int
	calls int
}

func (s *failingSink) step() error {
	s.calls++
	if s.calls >= s.n {
		return errors.New("write /captures/x.jsonl: no space left on device")
	}
	return nil
}
func (s *failingSink) Begin(*stream.Exchange) error { return s.step() }
func (s *failingSink) Chunk(stream.Chunk) error     { return s.step() }
func (s *failingSink) End(stream.End) error         { return s.step() }

// TestProxyRecordingFailureReachesTheInspector: with the inspector, a
// capture that cannot be created or written is published on the feed at
// once, and summed up by the exchange log for the exit.
func TestProxyRecordingFailureReachesTheInspector(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: ping\ndata: {}\n\n")
	}))
	defer up.Close()
	tests := []struct {
		name string
		open func(int, *stream.Exchange) (stream.CaptureSink, string, func() error, error)
		want string
	}{
		{
			name: "write fails mid-stream",
			open: func(int, *stream.Exchange) (stream.CaptureSink, string, func() error, error) {
				return &failingSink{n: 2}, "/captures/x.jsonl", nil, nil
			},
			want: "/captures/x.jsonl NOT recorded: write /captures/x.jsonl: no space left on device",
		},
		{
			name: "file cannot be created",
			open: func(int, *stream.Exchange) (stream.CaptureSink, string, func() error, error) {
				return nil, "", nil, errors.New("open /captures/x.jsonl: read-only file system")
			},
			want: "exchange #1 NOT recorded: open /captures/x.jsonl: read-only file system",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(up.URL)
			feed := stream.NewFeed()
			lines := &exchangeLog{w: io.Discard, errw: io.Discard, quiet: true}
			p := &stream.Proxy{Upstream: u, Feed: feed, Open: watchCaptures(tc.open, feed), OnDone: func(x *stream.Exchange, c string, err error) { lines.done(x, c, err, false) }}
			srv := httptest.NewServer(p)
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/v1/messages")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			p.Wait()
			updates, _ := feed.Drain()
			var problems []string
			for _, u := range updates {
				if u.Problem != "" {
					problems = append(problems, u.Problem)
				}
			}
			if len(problems) != 1 || problems[0] != tc.want {
				t.Fatalf("problems %q, want one: %q", problems, tc.want)
			}
			if lines.failures() == nil {
				t.Fatal("the exchange log did not count the failure")
			}
		})
	}
}

// TestProxySaveDirChecked: proxy --save checks its folder before it
// listens; a folder that cannot be made is exit status 2 naming it.
func TestProxySaveDirChecked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	must(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		name string
		save string
	}{
		{"a file", file},
		{"below a file", filepath.Join(file, "captures")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, nil, "proxy", "--no-tui", "--listen", "127.0.0.1:0", "--save", tc.save)
			if code != 2 || !strings.Contains(stderr, "cannot write "+tc.save) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, tc.save)
			}
		})
	}
}
