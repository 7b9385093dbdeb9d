package deadpeer

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestDeadPeers: the closed port refuses, the black hole accepts and
// never answers, both on loopback.
func TestDeadPeers(t *testing.T) {
	addr := strings.TrimPrefix(ClosedPort(t), "http://")
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("closed port %q is not on loopback", addr)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("closed port %s accepted a connection", addr)
	}
	addr = strings.TrimPrefix(BlackHole(t), "http://")
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("black hole %s refused: %v", addr, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("POST /v1/traces HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 1)); n != 0 || !isTimeout(err) {
		t.Errorf("black hole answered: %d bytes, %v", n, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
