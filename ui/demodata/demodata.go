// Package demodata holds the built-in example captures of `midstream demo`:
// small, realistic exchanges of the cases midstream exists for, embedded in
// the binary so that the demo works offline.
//
// The bodies are raw wire text (.sse, or a whole HTTP response in .http);
// the request, status and arrival timing of each are described here, so
// that a replay paces them the way a real stream arrives.
package demodata

import (
	"bytes"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/midstreamhq/midstream/stream"
)

//go:embed *.sse *.http
var files embed.FS

// Demo describes one built-in example.
type Demo struct {
	Name  string // used on the command line: midstream demo NAME
	Title string // one line for people
	file  string
	sdk   sdkHeaders
	url   string
	model string
	// Timing: headers arrive after ttfb, the first event after first,
	// then each event gap after the previous, except those in slow
	// (event index → gap).
	ttfb, first, gap time.Duration
	slow             map[int]time.Duration
	end              stream.End // At is filled in
	endAfter         time.Duration
}

type sdkHeaders struct {
	ua, lang, version string
}

var (
	anthropicURL = "https://api.anthropic.com/v1/messages"
	openaiURL    = "https://api.openai.com/v1/chat/completions"
	pySDK        = sdkHeaders{"Anthropic/Python 0.40.0", "python", "0.40.0"}
	tsSDK        = sdkHeaders{"Anthropic/JS 0.32.1", "js", "0.32.1"}
	goSDK        = sdkHeaders{"Anthropic/Go 1.14.0", "go", "1.14.0"}
	oaiPySDK     = sdkHeaders{"OpenAI/Python 1.54.0", "python", "1.54.0"}
	claude       = "claude-sonnet-4-5-20250929"
)

// All lists the demos; the first is the default.
var All = []Demo{
	{Name: "overloaded", Title: "HTTP 200, then overloaded_error mid-stream (529)", file: "overloaded-midstream.sse",
		sdk: pySDK, url: anthropicURL, model: claude, ttfb: 640 * time.Millisecond, first: 55 * time.Millisecond, gap: 42 * time.Millisecond,
		slow: map[int]time.Duration{3: 380 * time.Millisecond, 22: 3400 * time.Millisecond}, end: stream.End{Reason: stream.EndEOF}, endAfter: 4 * time.Millisecond},
	{Name: "first-event", Title: "HTTP 200, error as the first event", file: "overloaded-first-event.sse",
		sdk: tsSDK, url: anthropicURL, model: claude, ttfb: 1220 * time.Millisecond, first: 30 * time.Millisecond,
		end: stream.End{Reason: stream.EndEOF}, endAfter: 2 * time.Millisecond},
	{Name: "http-529", Title: "HTTP 529 before any stream", file: "http-529.http",
		sdk: goSDK, url: anthropicURL, model: claude, ttfb: 310 * time.Millisecond, first: 1 * time.Millisecond,
		end: stream.End{Reason: stream.EndEOF}, endAfter: 1 * time.Millisecond},
	{Name: "truncated", Title: "tool input cut off: a stall, then the connection reset", file: "truncated-tool-use.sse",
		sdk: pySDK, url: anthropicURL, model: claude, ttfb: 720 * time.Millisecond, first: 60 * time.Millisecond, gap: 48 * time.Millisecond,
		end: stream.End{Reason: stream.EndReset, Err: "read tcp 10.0.0.12:51544->160.79.104.10:443: read: connection reset by peer"}, endAfter: 11800 * time.Millisecond},
	{Name: "clean", Title: "a clean stream: complete, statuses agree", file: "clean.sse",
		sdk: pySDK, url: anthropicURL, model: claude, ttfb: 580 * time.Millisecond, first: 50 * time.Millisecond, gap: 36 * time.Millisecond,
		end: stream.End{Reason: stream.EndEOF}, endAfter: 3 * time.Millisecond},
	{Name: "openai", Title: "OpenAI chat: server_error chunk mid-stream under HTTP 200", file: "openai-midstream-error.sse",
		sdk: oaiPySDK, url: openaiURL, model: "gpt-4o-2024-08-06", ttfb: 450 * time.Millisecond, first: 40 * time.Millisecond, gap: 28 * time.Millisecond,
		slow: map[int]time.Duration{14: 2100 * time.Millisecond}, end: stream.End{Reason: stream.EndEOF}, endAfter: 3 * time.Millisecond},
}

// Find returns the demo called name.
func Find(name string) (Demo, bool) {
	for _, d := range All {
		if d.Name == name {
			return d, true
		}
	}
	return Demo{}, false
}

// Names lists the demo names, default first.
func Names() []string {
	out := make([]string, len(All))
	for i, d := range All {
		out[i] = d.Name
	}
	return out
}

// Body returns the demo's raw capture text as embedded.
func (d Demo) Body() []byte {
	b, err := files.ReadFile(d.file)
	if err != nil {
		panic("demodata: missing embedded file " + d.file) // a build defect
	}
	return b
}

// Exchange builds the demo's timed exchange.
func (d Demo) Exchange() *stream.Exchange {
	raw := d.Body()
	x := &stream.Exchange{
		Source:  "demo:" + d.Name,
		Format:  stream.FormatJSONL,
		Started: time.Date(2026, 11, 25, 14, 3, 12, 0, time.UTC),
		Timed:   true,
		Request: &stream.Request{
			Method: "POST",
			URL:    d.url,
			Proto:  "HTTP/1.1",
			Header: d.requestHeader(),
			Body:   []byte(fmt.Sprintf(`{"model":%q,"max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Explain streaming errors."}]}`, d.model)),
		},
	}
	resp := &stream.Response{Proto: "HTTP/1.1", Status: 200, StatusText: "OK", At: d.ttfb, Header: http.Header{}}
	body := raw
	if strings.HasSuffix(d.file, ".http") {
		resp, body = parseHTTP(raw, d.ttfb)
	} else {
		resp.Header.Set("Content-Type", "text/event-stream; charset=utf-8")
		resp.Header.Set("Cache-Control", "no-cache")
		if d.url == anthropicURL {
			resp.Header.Set("Request-Id", "req_011Demo"+strings.ReplaceAll(d.Name, "-", ""))
		} else {
			resp.Header.Set("X-Request-Id", "req_demo_"+strings.ReplaceAll(d.Name, "-", "_"))
		}
	}
	x.Response = resp
	at := d.ttfb + d.first
	for i, frame := range frames(body) {
		if i > 0 {
			g := d.gap
			if s, ok := d.slow[i]; ok {
				g = s
			}
			at += g
		}
		x.Chunks = append(x.Chunks, stream.Chunk{At: at, Data: frame})
	}
	x.End = d.end
	x.End.At = at + d.endAfter
	return x
}

func (d Demo) requestHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "text/event-stream")
	h.Set("User-Agent", d.sdk.ua)
	h.Set("X-Stainless-Lang", d.sdk.lang)
	h.Set("X-Stainless-Package-Version", d.sdk.version)
	h.Set("X-Stainless-Retry-Count", "0")
	if d.url == anthropicURL {
		h.Set("Anthropic-Version", "2023-06-01")
		// A canary, not a key: reports must redact it.
		h.Set("X-Api-Key", "sk-ant-api03-DEMOcanaryDEMOcanaryDEMOcanary0000")
	} else {
		h.Set("Authorization", "Bearer sk-proj-DEMOcanaryDEMOcanaryDEMOcanary0000")
	}
	return h
}

// frames splits an SSE body after each blank line: one chunk per frame.
func frames(body []byte) [][]byte {
	var out [][]byte
	for len(body) > 0 {
		i := bytes.Index(body, []byte("\n\n"))
		if i < 0 {
			out = append(out, body)
			break
		}
		out = append(out, body[:i+2])
		body = body[i+2:]
	}
	return out
}

// parseHTTP splits an embedded HTTP/1.1 response into status, headers and
// body. The input is our own embedded text, not user input.
func parseHTTP(raw []byte, at time.Duration) (*stream.Response, []byte) {
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	proto, rest, _ := strings.Cut(lines[0], " ")
	code, reason, _ := strings.Cut(rest, " ")
	status, _ := strconv.Atoi(code)
	r := &stream.Response{Proto: proto, Status: status, StatusText: reason, At: at, Header: http.Header{}}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return r, body
}
