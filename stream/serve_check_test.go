package stream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerNeverSendsAnUnservableCapture: a plan built without the
// command's load check is answered with 500, not with a 101 that hangs the
// client or control bytes in headers.
func TestServerNeverSendsAnUnservableCapture(t *testing.T) {
	tests := []struct {
		name string
		resp *Response
	}{
		{"switching protocols", &Response{Status: 101, Header: http.Header{}}},
		{"ESC in a header", &Response{Status: 200, Header: http.Header{"X-Foo": {"\x1b]0;pwned\x07"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := FromBody("x", []byte("data: 1\n\n"))
			x.Response = tc.resp
			srv := httptest.NewServer(&Server{Plan: []*Exchange{x}, Instant: true})
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 500 || !strings.Contains(string(b), "cannot be served") || resp.Header.Get("X-Foo") != "" {
				t.Fatalf("status %d, body %q, X-Foo %q", resp.StatusCode, b, resp.Header.Get("X-Foo"))
			}
		})
	}
}
