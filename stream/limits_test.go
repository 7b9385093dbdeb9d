package stream

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInputCap: input that is not a regular file is read up to MaxInput
// bytes and refused past it, with one line naming the input and the flag.
func TestInputCap(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		line := []byte("data: x\n\n")
		for i := 0; i < 1<<18; i++ { // 2.25 MiB, unless the reader stops first
			if _, err := w.Write(line); err != nil {
				return
			}
		}
	}()
	tests := []struct {
		name string
		path string
	}{
		{"/dev/zero never ends", "/dev/zero"},
		{"/dev/urandom never ends", "/dev/urandom"},
		{"a FIFO fed more than the cap", fifo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFileWith(tt.path, Limits{MaxInput: 1 << 20})
			var le *LimitError
			if !errors.As(err, &le) || le.File != tt.path {
				t.Fatalf("err = %v, want a *LimitError naming %s", err, tt.path)
			}
			msg := err.Error()
			if !strings.Contains(msg, "more than 1 MiB") || !strings.Contains(msg, "--max-input") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming the cap and --max-input", msg)
			}
		})
	}
}

// TestInputCapStdinUnder: a pipe under the cap reads as a file would.
func TestInputCapStdinUnder(t *testing.T) {
	xs, err := ReadWith("stdin", strings.NewReader("data: x\n\n"), Limits{MaxInput: 1 << 20})
	if err != nil || string(xs[0].Body()) != "data: x\n\n" {
		t.Fatalf("xs %v err %v", xs, err)
	}
}

// gzipCassette returns a vcrpy cassette of n interactions, each a gzip
// body decompressing to size bytes.
func gzipCassette(n, size int) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte("data: x\n\n"), size/9))
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(z.Bytes())
	var doc strings.Builder
	doc.WriteString("interactions:\n")
	for i := 0; i < n; i++ {
		doc.WriteString("- request: {uri: x}\n  response:\n    body: {string: !!binary '" + b64 + "'}\n    headers: {Content-Encoding: [gzip]}\n    status: {code: 200}\n")
	}
	return []byte(doc.String())
}

// TestDecompressedCapPerFile: the cap on decompressed bytes holds for the
// file, not per body: twenty bombs each under it do not add up.
func TestDecompressedCapPerFile(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantErr string // "" when it must read
	}{
		{"one body under the cap", 1, ""},
		{"five bodies under the cap together", 5, ""},
		{"twenty bodies past it together", 20, "interaction 11: gzip response body: with the file's other compressed bodies, it decompresses to more than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bombs.yaml")
			if err := os.WriteFile(path, gzipCassette(tt.n, 100_000), 0o600); err != nil {
				t.Fatal(err)
			}
			xs, err := ReadFileWith(path, Limits{MaxDecompressed: 1 << 20})
			if tt.wantErr == "" {
				if err != nil || len(xs) != tt.n || xs[tt.n-1].BodyLen() != 99999 {
					t.Fatalf("xs %d err %v", len(xs), err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.File != path || fe.Line == 0 || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--max-decompressed") {
				t.Fatalf("err = %v, want a FormatError naming %s, a line and %q", err, path, tt.wantErr)
			}
		})
	}
}

// TestJSONLLineCap: a line past MaxLine is refused, naming the line.
func TestJSONLLineCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.jsonl")
	long := strings.Repeat("x", 2<<10)
	in := `{"format":"midstream-capture","version":1,"timed":true,"request":null,"response":null}` + "\n" +
		`{"t":"chunk","at_us":1,"text":"a"}` + "\n" + fmt.Sprintf(`{"t":"chunk","at_us":2,"text":%q}`, long) + "\n"
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFileWith(path, Limits{MaxLine: 1 << 10})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Line != 3 || !strings.Contains(err.Error(), "line is more than 1 KiB") || !strings.Contains(err.Error(), "--max-line") {
		t.Fatalf("err = %v, want line 3 longer than 1 KiB", err)
	}
	if _, err := ReadFileWith(path, Limits{MaxLine: 4 << 10}); err != nil {
		t.Fatalf("under the cap: %v", err)
	}
}
