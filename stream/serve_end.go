package stream

import (
	"bytes"
	"regexp"
)

// ServedClean reports whether serve ends its replay of x as a complete
// response (true) or as an aborted connection (false). Serve replays the
// upstream's end, not the recording client's:
//
//   - a body that ended cleanly (End.Clean) is served clean;
//   - a body the upstream or midstream ended badly (End.By "upstream" or
//     "midstream": a reset, a timeout, an injected cut) is served as an
//     abort, whatever came before;
//   - a body cancelled by the client (End.By "client"), or cancelled in a
//     capture that does not say who ended it (older captures, By ""), is
//     served clean only when its last bytes are a complete terminating
//     event — data: [DONE], message_stop, an error event, a final
//     Responses event, a Gemini chunk with a finishReason — followed by
//     the blank line that ends it: the upstream had then said everything,
//     and the client only hung up before the connection's own end. A
//     client that left mid-stream is still served as an abort, since what
//     the upstream would have sent next is unknown.
func ServedClean(x *Exchange) bool {
	if x.End.Clean() {
		return true
	}
	if x.End.Reason != EndCanceled || (x.End.By != ByClient && x.End.By != "") {
		return false
	}
	return endsWithTerminator(x)
}

// terminalTail is how many trailing body bytes the terminator check reads.
const terminalTail = 8 << 10

// terminatorLine matches a line of a frame that ends a stream, in any
// dialect midstream knows.
var terminatorLine = regexp.MustCompile(`^(data: ?\[DONE\]|event: ?(message_stop|error|response\.(completed|failed|incomplete))|data: ?\{"error"|data: ?\{\s*"type"\s*:\s*"(message_stop|error|response\.(completed|failed|incomplete))"|data: ?.*"finishReason"\s*:\s*"[A-Z_]+")`)

// endsWithTerminator reports whether x's body ends with a complete
// terminating event (see ServedClean).
func endsWithTerminator(x *Exchange) bool {
	n := x.BodyLen()
	if n == 0 {
		return false
	}
	off := max(0, n-terminalTail)
	tail := make([]byte, n-off)
	k, _ := x.ReadBodyAt(tail, off)
	tail = bytes.ReplaceAll(tail[:k], []byte("\r\n"), []byte("\n"))
	if !bytes.HasSuffix(tail, []byte("\n\n")) {
		return false // the last frame is not complete
	}
	body := bytes.TrimRight(tail, "\n")
	if i := bytes.LastIndex(body, []byte("\n\n")); i >= 0 {
		body = body[i+2:]
	} else if off > 0 {
		return false // a last frame longer than the tail read: not a terminator
	}
	for _, line := range bytes.Split(body, []byte("\n")) {
		if terminatorLine.Match(line) {
			return true
		}
	}
	return false
}
