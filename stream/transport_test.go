package stream

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestClassifyTransportError(t *testing.T) {
	opErr := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", err)}
	}
	tests := []struct {
		name   string
		err    error
		reason EndReason
		class  string
	}{
		{"nil is a clean end", nil, EndEOF, ""},
		{"io.EOF is a clean end", io.EOF, EndEOF, ""},
		{"idle timeout cause", fmt.Errorf("wrapped: %w", ErrIdleTimeout), EndTimeout, FaultIdleTimeout},
		{"total timeout cause", ErrTotalTimeout, EndTimeout, FaultTotalTimeout},
		{"deadline exceeded", context.DeadlineExceeded, EndTimeout, FaultTotalTimeout},
		{"user cancel", ErrUserCanceled, EndCanceled, FaultCanceled},
		{"client gone", ErrClientGone, EndCanceled, FaultCanceled},
		{"proxy shutdown", ErrShutdown, EndCanceled, FaultCanceled},
		{"context canceled", context.Canceled, EndCanceled, FaultCanceled},
		{"dns", &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}, EndError, FaultDNS},
		{"refused", opErr(syscall.ECONNREFUSED), EndError, FaultRefused},
		{"reset", opErr(syscall.ECONNRESET), EndReset, FaultReset},
		{"broken pipe", opErr(syscall.EPIPE), EndReset, FaultReset},
		{"unexpected EOF", io.ErrUnexpectedEOF, EndReset, FaultReset},
		{"unknown authority", x509.UnknownAuthorityError{}, EndError, FaultTLS},
		{"tls handshake text", errors.New("remote error: tls: handshake failure"), EndError, FaultTLS},
		{"net timeout", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, EndTimeout, FaultIdleTimeout},
		{"anything else", errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "garbage"`), EndError, FaultOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, text := ClassifyTransportError(tt.err)
			if reason != tt.reason {
				t.Errorf("reason = %q, want %q (text %q)", reason, tt.reason, text)
			}
			if tt.class == "" {
				if text != "" {
					t.Errorf("text = %q, want empty for a clean end", text)
				}
				return
			}
			if !strings.HasPrefix(text, tt.class+": ") {
				t.Errorf("text = %q, want it to start with %q", text, tt.class+": ")
			}
		})
	}
}

// A key inside an error message (a URL with ?key=…, a proxy echoing
// headers) must not reach a capture through End.Err.
func TestClassifyTransportErrorRedactsKeys(t *testing.T) {
	canary := "sk-ant-api03-CANARY0123456789abcdef"
	_, text := ClassifyTransportError(fmt.Errorf("dial failed for %s: %w", canary, syscall.ECONNREFUSED))
	if strings.Contains(text, canary) {
		t.Fatalf("the key leaked into the fault text: %q", text)
	}
	if !strings.HasPrefix(text, FaultOther+": ") && !strings.HasPrefix(text, FaultRefused+": ") {
		t.Fatalf("unexpected class in %q", text)
	}
}

func TestCopyEndToEndDropsHopByHop(t *testing.T) {
	src := map[string][]string{
		"Connection":        {"keep-alive, X-Private-Hop"},
		"X-Private-Hop":     {"1"},
		"Keep-Alive":        {"timeout=5"},
		"Transfer-Encoding": {"chunked"},
		"Content-Type":      {"text/event-stream"},
		"Request-Id":        {"req_1"},
	}
	dst := map[string][]string{}
	copyEndToEnd(dst, src)
	for _, gone := range []string{"Connection", "X-Private-Hop", "Keep-Alive", "Transfer-Encoding"} {
		if _, ok := dst[gone]; ok {
			t.Errorf("%s was forwarded; it is hop-by-hop", gone)
		}
	}
	for _, kept := range []string{"Content-Type", "Request-Id"} {
		if _, ok := dst[kept]; !ok {
			t.Errorf("%s was dropped; it is end-to-end", kept)
		}
	}
}
