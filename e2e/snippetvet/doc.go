// Package snippetvet holds only a test: it type-checks the Go
// catch-and-retry snippets that inspect prints against the real SDK modules.
// It lives in the end-to-end module so that those heavy SDK packages stay
// out of the main module; its blank imports keep them (and everything they
// import) in e2e/go.mod and e2e/go.sum for `go mod tidy`.
package snippetvet
