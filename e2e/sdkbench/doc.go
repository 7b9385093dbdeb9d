// Package sdkbench holds the speed benchmark of issue #3 item 9: Diagnose
// (plus JSON encoding of the verdict) against the official Go SDK's typed
// stream with accumulation, over the same generated 64 MiB Anthropic
// stream (internal/ssegen). It lives in the end-to-end module so that the
// main module neither requires nor compiles the SDK.
package sdkbench
