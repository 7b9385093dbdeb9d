// Package decoderbench compares midstream's SSE decoder (stream.Decoder)
// with openai-go's ssestream over the same generated streams. The
// decoder-only benchmark stays in package stream; this half lives in the
// end-to-end module because it requires the SDK.
package decoderbench
