package stream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// The causes midstream attaches to the contexts of its requests, so that a
// cancelled context still says why it was cancelled. ClassifyTransportError
// recognises them (also through context.Cause).
var (
	// ErrIdleTimeout: no body byte arrived for longer than the idle timeout.
	ErrIdleTimeout = errors.New("no data for longer than the idle timeout")
	// ErrTotalTimeout: the whole exchange took longer than its timeout.
	ErrTotalTimeout = errors.New("the request took longer than its total timeout")
	// ErrUserCanceled: the user interrupted (Ctrl-C, quit the inspector).
	ErrUserCanceled = errors.New("interrupted by the user")
	// ErrClientGone: the proxy's client disconnected before the end.
	ErrClientGone = errors.New("the client disconnected")
	// ErrShutdown: the proxy was stopped while the exchange was running.
	ErrShutdown = errors.New("the proxy was shut down")
)

// The fault classes, the first words of the text ClassifyTransportError
// returns (End.Err), so that people and programs can tell them apart.
const (
	FaultDNS          = "DNS failure"
	FaultRefused      = "connection refused"
	FaultTLS          = "TLS error"
	FaultReset        = "connection reset"
	FaultIdleTimeout  = "idle timeout"
	FaultTotalTimeout = "total timeout"
	FaultCanceled     = "cancelled"
	FaultOther        = "transport error"
)

// ClassifyTransportError says how a request or body read that failed with
// err ended: the EndReason, and a text that starts with one of the Fault*
// classes followed by the underlying error, e.g.
// "DNS failure: lookup api.example.invalid: no such host". A nil err or
// io.EOF is a clean end (EndEOF, ""). It is pure: it looks at the error
// chain only, never at the network.
func ClassifyTransportError(err error) (EndReason, string) {
	if err == nil || err == io.EOF {
		return EndEOF, ""
	}
	msg := RedactText(err.Error())
	with := func(class string) string { return class + ": " + msg }
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		netErr   net.Error
	)
	switch {
	// Causes first: a cancelled context reports context.Canceled, and only
	// the cause says whether a timer or a person cancelled it.
	case errors.Is(err, ErrIdleTimeout):
		return EndTimeout, with(FaultIdleTimeout)
	case errors.Is(err, ErrTotalTimeout):
		return EndTimeout, with(FaultTotalTimeout)
	case errors.Is(err, ErrUserCanceled), errors.Is(err, ErrClientGone), errors.Is(err, ErrShutdown):
		return EndCanceled, with(FaultCanceled)
	case errors.Is(err, context.DeadlineExceeded):
		return EndTimeout, with(FaultTotalTimeout)
	case errors.Is(err, context.Canceled):
		return EndCanceled, with(FaultCanceled)
	case errors.As(err, &dnsErr):
		return EndError, with(FaultDNS)
	case errors.Is(err, syscall.ECONNREFUSED):
		return EndError, with(FaultRefused)
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr),
		errors.As(err, &invalid), errors.As(err, &recErr), errors.As(err, &alertErr),
		strings.Contains(msg, "tls: "):
		return EndError, with(FaultTLS)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, http.ErrAbortHandler),
		strings.Contains(msg, "stream error"), strings.Contains(msg, "connection reset"),
		strings.Contains(msg, "server closed"), strings.Contains(msg, "unexpected EOF"):
		return EndReset, with(FaultReset)
	case errors.As(err, &netErr) && netErr.Timeout():
		return EndTimeout, with(FaultIdleTimeout)
	}
	return EndError, with(FaultOther)
}

// ByUser reports whether the user ended the exchange themselves (Ctrl-C
// in live, quitting the inspector): a cancellation whose cause is
// ErrUserCanceled, as ClassifyTransportError wrote it into End.Err.
func (e End) ByUser() bool {
	return e.Reason == EndCanceled && strings.Contains(e.Err, ErrUserCanceled.Error())
}

// causeOf returns the error to classify for a failed read or round trip on
// a request made with ctx: the context's cause when the context is done
// (it says why), else err itself.
func causeOf(ctx context.Context, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if ctx.Err() != nil {
		if c := context.Cause(ctx); c != nil {
			return c
		}
	}
	return err
}

// hopHeaders are the hop-by-hop headers (RFC 9110 §7.6.1) a proxy must not
// forward, plus Content-Length when the body is re-streamed.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// copyEndToEnd copies the end-to-end headers of src into dst: everything
// but the hop-by-hop headers and those named in src's Connection header.
func copyEndToEnd(dst, src http.Header) {
	drop := map[string]bool{}
	for _, h := range hopHeaders {
		drop[h] = true
	}
	for _, v := range src.Values("Connection") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				drop[http.CanonicalHeaderKey(f)] = true
			}
		}
	}
	for k, vs := range src {
		if drop[http.CanonicalHeaderKey(k)] {
			continue
		}
		dst[k] = append(dst[k], vs...)
	}
}
