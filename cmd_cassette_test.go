package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportPydanticAICassette checks that a pydantic-ai cassette's
// parsed_body responses export (#11): the stream's events, not 0 bytes.
func TestExportPydanticAICassette(t *testing.T) {
	out, errs, code := runCLI(t, nil, "export", "--to", "sse", "--exchange", "1", fixtures+"/vcrpy-pydantic-ai.yaml")
	if code != 0 || !strings.HasPrefix(out, "event: message_start\n") || !strings.HasSuffix(out, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, errs, code = runCLI(t, nil, "export", "--to", "sse", "--exchange", "2", fixtures+"/vcrpy-pydantic-ai.yaml")
	if code != 0 || !strings.HasPrefix(out, `{"id":"msg_02",`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestExportCassetteNoBody checks that a response whose body the cassette
// does not hold is exit 2 naming the file and interaction, not 0 bytes.
func TestExportCassetteNoBody(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nobody.yaml")
	in := "interactions:\n- request: {uri: 'https://api.anthropic.com/v1/messages', method: POST}\n  response:\n    headers: {content-type: [text/event-stream]}\n    status: {code: 200, message: OK}\nversion: 1\n"
	if err := os.WriteFile(p, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, nil, "export", "--to", "sse", p)
	if code != 2 || out != "" || !strings.Contains(errs, "nobody.yaml") || !strings.Contains(errs, "interaction 1") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
