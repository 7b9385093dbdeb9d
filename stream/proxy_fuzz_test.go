package stream

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"
	"testing"
)

// scriptedBody yields body in the reads given by sizes, then fails with
// err (nil: io.EOF).
type scriptedBody struct {
	body  []byte
	sizes []byte
	err   error
}

func (s *scriptedBody) Read(p []byte) (int, error) {
	if len(s.body) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	n := len(s.body)
	if len(s.sizes) > 0 {
		n = min(n, int(s.sizes[0])+1)
		s.sizes = s.sizes[1:]
	}
	n = copy(p, s.body[:n])
	s.body = s.body[n:]
	return n, nil
}

func (s *scriptedBody) Close() error { return nil }

// scriptedTransport answers every request with one scripted response.
type scriptedTransport struct {
	status int
	body   *scriptedBody
}

func (t scriptedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: t.status, Status: http.StatusText(t.status), Proto: "HTTP/1.1",
		Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: t.body, Request: r}, nil
}

// FuzzProxyBody feeds the proxy arbitrary upstream bodies, cut into
// arbitrary reads and ending cleanly or not. Whatever arrives, the client
// receives exactly the upstream's bytes (none for a 204 or 304), the
// capture holds exactly the same bytes, and a failed upstream is never
// passed on as a clean end.
func FuzzProxyBody(f *testing.F) {
	f.Add([]byte("event: ping\ndata: {}\n\n"), []byte{3, 200}, false, uint16(200))
	f.Add([]byte("data: \xff\xfe\x00\r\r\n"), []byte{0}, true, uint16(529))
	f.Add([]byte{}, []byte{}, true, uint16(200))
	f.Fuzz(func(t *testing.T, body, sizes []byte, fail bool, status uint16) {
		code := 200 + int(status)%400
		var failure error
		if fail {
			failure = os.NewSyscallError("read", syscall.ECONNRESET)
		}
		sink := &recordingSink{}
		p := &Proxy{
			Upstream:  &url.URL{Scheme: "http", Host: "upstream.test"},
			Transport: scriptedTransport{code, &scriptedBody{body: bytes.Clone(body), sizes: sizes, err: failure}},
			Open: func(int, *Exchange) (CaptureSink, string, func() error, error) {
				return sink, "mem", nil, nil
			},
		}
		w := httptest.NewRecorder()
		aborted := func() (aborted bool) {
			defer func() {
				if r := recover(); r != nil {
					if r != http.ErrAbortHandler {
						panic(r)
					}
					aborted = true
				}
			}()
			p.ServeHTTP(w, httptest.NewRequest("POST", "/v1/messages", bytes.NewReader([]byte("{}"))))
			return false
		}()
		p.Wait() // the capture is closed off the data path
		if aborted != fail {
			t.Fatalf("aborted = %v for an upstream that failed = %v", aborted, fail)
		}
		toClient := body
		if !bodyAllowed(code) {
			toClient = nil
		}
		if w.Code != code || !bytes.Equal(w.Body.Bytes(), toClient) {
			t.Fatalf("client got %d %q, upstream sent %d %q", w.Code, w.Body.Bytes(), code, body)
		}
		var rec []byte
		for _, c := range sink.chunks {
			rec = append(rec, c.Data...)
		}
		if !bytes.Equal(rec, body) || sink.begun == nil || sink.end == nil {
			t.Fatalf("capture holds %q (begun %v, end %v), upstream sent %q", rec, sink.begun != nil, sink.end, body)
		}
		if want := map[bool]EndReason{false: EndEOF, true: EndReset}[fail]; sink.end.Reason != want {
			t.Fatalf("capture end %+v, want %s", sink.end, want)
		}
	})
}
