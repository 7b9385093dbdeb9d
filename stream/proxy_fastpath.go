package stream

import (
	"context"
	"net"
	"net/http"
)

// connKey is the request context key under which Proxy.ConnContext puts
// the client's connection.
type connKey struct{}

// ConnContext is an http.Server.ConnContext for a server whose handler is
// (or wraps) p: it lets the proxy reach the client's connection, so that
// a large read is forwarded in one TCP segment (see corkWrite). Without
// it the proxy works the same, with more segments per read.
func (p *Proxy) ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// corkAbove is the size of a read past which net/http would hand it to
// the kernel in more than one write: its connection buffer is 4 KiB, so a
// bigger chunk goes out as the start of it, the rest, then the chunk's
// closing CRLF, each a segment of its own on a connection without Nagle.
const corkAbove = 4<<10 - 16

// corker holds back partial segments on the client's connection while
// one read is written and flushed (TCP_CORK where there is one), so the
// read leaves as one segment rather than three: under load the proxy
// forwards 32 KiB per read, and every segment costs a trip through the
// loopback (or network) stack here and a wake-up of the client there.
// Nothing is delayed: the cork is pulled as soon as the flush returned.
type corker struct {
	fd interface {
		Control(func(fd uintptr)) error
	}
}

// corkerFor returns the corker of r's connection, or nil where there is
// none to use (no ConnContext, not TCP, not HTTP/1).
func corkerFor(r *http.Request) *corker {
	if r.ProtoMajor != 1 {
		return nil // HTTP/2 frames its own writes
	}
	tc, ok := r.Context().Value(connKey{}).(*net.TCPConn)
	if !ok || !canCork {
		return nil
	}
	sc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return &corker{fd: sc}
}

// write writes b to the client and flushes it, as one segment when b is
// large and c is not nil.
func (c *corker) write(w http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	if c == nil || len(b) <= corkAbove {
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	c.set(true)
	defer c.set(false) // whatever happens: a cork left in would hold the next response back
	if _, err := w.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}

// set puts the cork in or pulls it out; a failure only costs segments.
func (c *corker) set(on bool) {
	_ = c.fd.Control(func(fd uintptr) { setCork(fd, on) })
}
