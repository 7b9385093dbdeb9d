package stream

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// The proxy's injection path, kept apart from its plain forwarding path
// (copyBody) so that each can change without the other.

// respondRewritten is respond for an exchange with a rewrite: the rewrite
// may answer in the upstream's place (status faults), in which case the
// upstream body is never forwarded; false when the exchange is over.
func (ex *proxyExchange) respondRewritten(resp *http.Response) bool {
	h := ex.w.Header()
	copyEndToEnd(h, resp.Header)
	a := ex.rewrite.Head(ex.x, resp.StatusCode, h)
	if a == nil && !rewritable(resp.StatusCode, resp.Header) {
		// The upstream's own error passes untouched and unlabelled: a
		// diagnosis must not call a real failure injected.
		ex.rewrite = nil
	} else {
		ex.x.Injected = ex.rewrite.Name()
		h.Del("Content-Length") // the body changes length
	}
	if a != nil {
		writeAnswer(ex.w, a)
		// The capture records what the client received.
		ex.rec.response(&http.Response{
			Proto: resp.Proto, StatusCode: a.Status,
			Status: fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status)),
			Header: a.Header.Clone(),
		})
		ex.rec.chunk(a.Body)
		ex.rec.setFired(Fired{Fired: true}) // in place of the response: event 0
		ie := &InjectedEnd{Name: ex.rewrite.Name(), Ending: EndClean}
		ex.cancel(ie) // the upstream's answer is not needed any more
		ex.finish(ie)
		return false
	}
	if ex.rewrite != nil {
		// Not fired so far: what the end line says if the client is
		// gone before any event; copyRewritten sets where it fired.
		ex.rec.setFired(Fired{})
	}
	return ex.sendHeader(resp)
}

// copyRewritten is copyBody through the exchange's rewrite: the client
// gets, and the capture records, the rewritten bytes.
func (ex *proxyExchange) copyRewritten(resp *http.Response) {
	toClient := bodyAllowed(resp.StatusCode) && ex.r.Method != http.MethodHead
	rc := http.NewResponseController(ex.w)
	fw := newFaultWriter(ex.ctx, ex.rewrite, func(b []byte) error {
		var werr error
		if toClient {
			if _, werr = ex.w.Write(b); werr == nil {
				werr = rc.Flush()
			}
		}
		ex.rec.chunk(b)
		if werr != nil {
			return errGone
		}
		return nil
	})
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	// Whatever ends the exchange, its end line says whether and where the
	// fault fired: set before each finish (which ends the record).
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			e, err := fw.write(buf[:n])
			if err != nil || e != Continue {
				ex.rec.setFired(fw.outcome())
			}
			if err != nil {
				ex.stopped(err)
				return
			}
			if e != Continue {
				ex.endInjected(rc, e)
				return
			}
		}
		if rerr == io.EOF {
			e, err := fw.finish()
			ex.rec.setFired(fw.outcome())
			switch {
			case err != nil:
				ex.stopped(err)
			case e != Continue || fw.outcome().Fired:
				ex.endInjected(rc, max(e, EndClean))
			default:
				ex.finish(nil)
			}
			return
		}
		if rerr != nil {
			ex.rec.setFired(fw.outcome())
			ex.stopped(rerr)
			return
		}
	}
}

// stopped ends a rewritten exchange whose upstream read, client write or
// paced wait failed with err.
func (ex *proxyExchange) stopped(err error) {
	if errors.Is(err, errGone) {
		ex.cancel(ErrClientGone)
		ex.finish(ErrClientGone)
		return
	}
	cause := ex.why(err)
	ex.finish(cause)
	if errors.Is(cause, ErrClientGone) {
		return
	}
	panic(http.ErrAbortHandler) // hand the failure on, as copyBody does
}

// endInjected ends an exchange the rewrite ended with e: the upstream
// request is cancelled, the capture records who ended it, and the client
// sees the end the rewrite chose.
func (ex *proxyExchange) endInjected(rc *http.ResponseController, e Ending) {
	ie := &InjectedEnd{Name: ex.rewrite.Name(), Ending: e}
	ex.cancel(ie)
	ex.finish(ie)
	endResponse(ex.w, rc, e)
}
