// Package snippetvet holds only a test: it type-checks the Go
// catch-and-retry snippets that inspect prints against the real SDK modules.
// It is a package of its own so that those heavy SDK packages stay out of
// inspect's test and fuzz builds, while its blank imports keep them (and
// everything they import) in go.mod and go.sum for `go mod tidy`.
package snippetvet
