// Command mkcurl regenerates the curl dump fixtures in stream/testdata from
// real curl runs against a local SSE server on loopback:
//
//	go run ./stream/testdata/mkcurl
//
// It needs curl on PATH. The fixtures are checked in; tests never run curl.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// canary is the fake key sent by every request: readers must never write it.
const canary = "sk-ant-api03-CANARY0123456789abcdefghijklmnopqrstuvwxyz"

var events = []string{
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
	": keepalive\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello — wörld\"}}\n\n",
	"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
}

func sse(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // sends 100 Continue when the client asked
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Request-Id", "req_011CURLFIXTURE")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	for _, e := range events {
		io.WriteString(w, e)
		w.(http.Flusher).Flush()
		time.Sleep(15 * time.Millisecond)
	}
}

func overloaded(w http.ResponseWriter, r *http.Request) {
	body := `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_011CURL529")
	w.Header().Set("X-Should-Retry", "true")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(529)
	io.WriteString(w, body)
}

// reset sends two events of a chunked body, then drops the connection.
func reset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	for _, e := range events[:2] {
		io.WriteString(w, e)
		w.(http.Flusher).Flush()
		time.Sleep(15 * time.Millisecond)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

func main() {
	out := "stream/testdata"
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/messages", sse)
	mux.HandleFunc("/overloaded", overloaded)
	mux.HandleFunc("/reset", reset)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	post := []string{"-H", "x-api-key: " + canary, "-H", "content-type: application/json",
		"-H", "anthropic-version: 2023-06-01", "-d", `{"model":"claude-sonnet-4-5","stream":true,"max_tokens":64}`}
	runs := []struct {
		file string
		args []string
	}{
		{"curl-i.http", append([]string{"-s", "-i", "-N", base + "/v1/messages"}, post...)},
		{"curl-v.txt", append([]string{"-s", "-v", "-N", base + "/v1/messages"}, post...)},
		{"curl-v-progress.txt", append([]string{"-v", "-N", base + "/v1/messages"}, post...)},
		{"curl-i-100-continue.http", append([]string{"-s", "-i", "-N", "-H", "Expect: 100-continue", base + "/v1/messages"}, post...)},
		{"curl-i-raw-chunked.http", append([]string{"-s", "-i", "-N", "--raw", base + "/v1/messages"}, post...)},
		{"curl-i-http2.http", append([]string{"-s", "-i", "-N", "--http2-prior-knowledge", base + "/v1/messages"}, post...)},
		{"curl-i-529.http", append([]string{"-s", "-i", base + "/overloaded"}, post...)},
		// The JSON body has no final newline: curl's next stderr line lands on its line.
		{"curl-v-529.txt", append([]string{"-s", "-v", base + "/overloaded"}, post...)},
		{"curl-v-529-nobuffer.txt", append([]string{"-s", "-v", "-N", base + "/overloaded"}, post...)},
		{"curl-v-reset.txt", append([]string{"-s", "-v", "-N", base + "/reset"}, post...)},
		// Without -s: progress meter and "curl: (18) …" mixed into the dump.
		{"curl-v-reset-noisy.txt", append([]string{"-v", "-N", base + "/reset"}, post...)},
		{"curl-i-reset-noisy.http", append([]string{"-i", "-N", base + "/reset"}, post...)},
	}
	// The exact body the server sends, for tests to compare against.
	var body []byte
	for _, e := range events {
		body = append(body, e...)
	}
	if err := os.WriteFile(filepath.Join(out, "curl-body.sse"), body, 0o644); err != nil {
		log.Fatal(err)
	}
	for _, r := range runs {
		f, err := os.Create(filepath.Join(out, r.file))
		if err != nil {
			log.Fatal(err)
		}
		cmd := exec.Command("curl", r.args...)
		// One file for both streams: curl's verbose lines (stderr) and the
		// body (stdout) interleave exactly as in a terminal with 2>&1.
		cmd.Stdout, cmd.Stderr = f, f
		err = cmd.Run()
		f.Close()
		log.Printf("%s: curl exit %v", r.file, err)
	}
}
