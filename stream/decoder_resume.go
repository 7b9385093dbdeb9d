package stream

// Resume makes d continue a stream part way through, as a fresh decoder
// over the bytes after a frame boundary: offset is the position of the
// reader's first byte in the whole stream, and lastID is the last event ID
// in force there (it persists across events, as in EventSource). Event
// offsets then count from the start of the whole stream, and a byte order
// mark is stripped only at offset 0 (it is special at the very start of a
// stream, and nowhere else).
//
// It lets a caller that receives a body in pieces decode each piece with a
// new Decoder and still get the events and IDs a one-pass decode gives.
// Call it before the first Next.
func (d *Decoder) Resume(offset int64, lastID string) {
	d.base = offset
	d.lastID = lastID
	d.idWordLen = -1
	d.bomDone = offset > 0
}
