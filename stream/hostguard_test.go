package stream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHostGuard(t *testing.T) {
	tests := []struct {
		name  string
		host  string
		allow []string
		ok    bool
	}{
		{"ipv4 loopback with port", "127.0.0.1:8787", nil, true},
		{"ipv4 loopback without port", "127.0.0.1", nil, true},
		{"other 127/8 address", "127.5.6.7:80", nil, true},
		{"ipv6 loopback", "[::1]:8787", nil, true},
		{"ipv6 loopback without port", "[::1]", nil, true},
		{"localhost", "localhost:8787", nil, true},
		{"localhost upper case, trailing dot", "LocalHost.:8787", nil, true},
		{"sub.localhost", "app.localhost:8787", nil, true},
		{"evil.example", "evil.example", nil, false},
		{"evil.example with port", "evil.example:8787", nil, false},
		{"nip.io name of a loopback address", "127.0.0.1.nip.io:8787", nil, false},
		{"localhost as a label", "localhost.evil.example", nil, false},
		{"lan address", "192.168.1.2:8787", nil, false},
		{"unspecified address", "0.0.0.0:8787", nil, false},
		{"no host", "", nil, false},
		{"allowed name", "box.lan:8787", []string{"box.lan"}, true},
		{"allowed name any case, port in the flag", "BOX.lan", []string{"box.lan:9999"}, true},
		{"other name with an allow list", "evil.example", []string{"box.lan"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reached := false
			var denied string
			g := &HostGuard{
				Next:   http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }),
				Allow:  tc.allow,
				Name:   "proxy",
				OnDeny: func(h string) { denied = h },
			}
			r := httptest.NewRequest("POST", "/v1/messages", nil)
			r.Host = tc.host
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if reached != tc.ok {
				t.Fatalf("reached the handler: %v, want %v", reached, tc.ok)
			}
			if tc.ok {
				return
			}
			body := w.Body.String()
			if w.Code != http.StatusForbidden || !strings.Contains(body, "--allow-host") || strings.Count(body, "\n") != 1 || denied != tc.host {
				t.Fatalf("status %d, body %q, denied %q", w.Code, body, denied)
			}
		})
	}
}
