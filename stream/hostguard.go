package stream

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// HostGuard answers 403 to every request whose Host header is not a
// loopback name, unless the name is in Allow, and passes the others to
// Next. Put in front of a server listening on a loopback address, it stops
// DNS rebinding: a web page whose own name was made to resolve to
// 127.0.0.1 reaches the port, but its requests still carry its name, and
// nothing it sends is forwarded (proxy) or answered (serve).
//
// Loopback names are "localhost", any name ending in ".localhost" (RFC
// 6761: resolved to loopback by the system and by browsers themselves,
// never through DNS), and IP addresses in 127.0.0.0/8 or ::1, with any
// port. A request without a Host is refused too.
type HostGuard struct {
	// Next handles the accepted requests.
	Next http.Handler
	// Allow lists further host names to accept (case-insensitive, any
	// port; a port given here is ignored).
	Allow []string
	// Name is the command named in the refusal ("proxy", "serve").
	Name string
	// OnDeny, when set, is called for every refused request with its
	// Host.
	OnDeny func(host string)
}

// ServeHTTP implements http.Handler.
func (g *HostGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := HostName(r.Host)
	if LoopbackHost(host) || g.allowed(host) {
		g.Next.ServeHTTP(w, r)
		return
	}
	if g.OnDeny != nil {
		g.OnDeny(r.Host)
	}
	flag := "--allow-host NAME"
	if plainHostName(host) {
		flag = "--allow-host " + host
	}
	http.Error(w, fmt.Sprintf("midstream %s: refused: Host %q is not a loopback name; start midstream with %s to accept it", g.Name, r.Host, flag), http.StatusForbidden)
}

func (g *HostGuard) allowed(host string) bool {
	if host == "" {
		return false
	}
	for _, a := range g.Allow {
		if HostName(a) == host {
			return true
		}
	}
	return false
}

// HostName returns the host of a Host header value ("Example.com:8787",
// "[::1]:80", "localhost."): lower case, without its port, brackets or
// trailing dot.
func HostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// LoopbackHost reports whether host (as returned by HostName) names the
// loopback interface: localhost, *.localhost, 127.0.0.0/8 or ::1.
func LoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainHostName reports whether h is made only of the characters of host
// names and addresses, safe to repeat in a suggested command line.
func plainHostName(h string) bool {
	if h == "" {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}
