// Package e2e holds midstream's end-to-end tests that need the official
// SDK modules (anthropic-sdk-go, openai-go). It is a module of its own so
// that the main module's go.mod, and a cold `go test ./...` there, do not
// carry or compile the SDKs. Run it with `cd e2e && go test ./...`; TestMain
// builds the midstream binary from the parent directory.
package e2e
