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

// TestDiagnoseSkipsJSONAnswer checks that a whole JSON answer inside a
// cassette of streams (#11) is left out of diagnose's and replay's report
// and named on a note, not reported as an empty stream labelled wrongly;
// export still writes it (TestExportPydanticAICassette).
func TestDiagnoseSkipsJSONAnswer(t *testing.T) {
	const note = "interaction 2: a JSON answer, not a stream — skipped"
	for _, cmd := range []string{"diagnose", "replay"} {
		out, errs, code := runCLI(t, nil, cmd, fixtures+"/vcrpy-pydantic-ai.yaml")
		if code != 0 || !strings.Contains(errs, "vcrpy-pydantic-ai.yaml: "+note) {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, errs)
		}
		if !strings.Contains(out, "1 exchange\n") || strings.Contains(out, "#2") || strings.Contains(out, "content-type") || strings.Contains(out, "Content-Type") {
			t.Errorf("%s: report holds the JSON answer:\n%s", cmd, out)
		}
	}
	// A file of one JSON answer is still reported, not skipped to nothing.
	p := filepath.Join(t.TempDir(), "one.yaml")
	in := "interactions:\n- request: {uri: 'https://api.anthropic.com/v1/messages', method: POST}\n  response:\n    headers: {content-type: [application/json]}\n    parsed_body: {id: msg_1, type: message}\n    status: {code: 200, message: OK}\nversion: 1\n"
	if err := os.WriteFile(p, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, _ := runCLI(t, nil, "diagnose", p)
	if !strings.Contains(out, "1 exchange\n") || strings.Contains(errs, "skipped") {
		t.Errorf("stdout %q, stderr %q", out, errs)
	}
}
