// Package deadpeer holds the dead peers the tests of a client that must
// not wait on them share (the OTLP exporter, the proxy with --otlp): a
// closed loopback port and a black hole that accepts and never answers.
// Both stay on loopback. Nothing outside tests imports it.
package deadpeer

import (
	"net"
	"sync"
	"testing"
)

// ClosedPort is the http:// URL of a loopback port nothing listens on any
// more: a connection to it is refused at once.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

// BlackHole is the http:// URL of a loopback listener that accepts every
// connection and holds it open, never reading or answering: a client
// waits until its own timeout. The test's cleanup closes it all.
func BlackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}
