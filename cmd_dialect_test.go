package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDiagnoseDialectConformance runs `diagnose --format json` on each
// capture of testdata/dialects (each modelled on a real source, cited in
// SOURCES.md there) and asserts what a user reads: provider, dialect,
// outcome, error type, mapped status, exit status and the exact set of
// finding codes, so a false finding fails as surely as a missing one.
func TestDiagnoseDialectConformance(t *testing.T) {
	type want struct {
		provider, dialect, outcome, errType string
		mapped                              int // 0: null
		exit                                int
		findings                            []string
	}
	cases := map[string]want{
		"gemini-sse-clean.jsonl":                  {"gemini", "gemini", "complete", "", 0, 0, nil},
		"gemini-sse-503-midstream.jsonl":          {"gemini", "gemini", "error_event", "UNAVAILABLE", 503, 1, []string{"GM-error-chunk"}},
		"gemini-sse-429-resource-exhausted.jsonl": {"gemini", "gemini", "error_event", "RESOURCE_EXHAUSTED", 429, 1, []string{"GM-error-chunk"}},
		"gemini-raw-json-tail.jsonl":              {"gemini", "gemini", "truncated", "UNAVAILABLE", 503, 1, []string{"GM-truncated", "S-raw-json-error"}},
		"gemini-sse-cut.jsonl":                    {"gemini", "gemini", "truncated", "", 0, 1, []string{"GM-truncated"}},
		"gemini-sse-safety.jsonl":                 {"gemini", "gemini", "complete", "", 0, 0, []string{"GM-finish-blocked"}},
		"gemini-sse-max-tokens.jsonl":             {"gemini", "gemini", "complete", "", 0, 0, []string{"GM-finish-max-tokens"}},
		"gemini-json-array.jsonl":                 {"gemini", "gemini", "complete", "", 0, 0, nil},
		"vertex-gemini-clean.jsonl":               {"gemini", "gemini", "complete", "", 0, 0, nil},
		"vertex-gemini-503-midstream.jsonl":       {"gemini", "gemini", "error_event", "UNAVAILABLE", 503, 1, []string{"GM-error-chunk"}},
		"openrouter-responses.jsonl":              {"openrouter", "openai-responses", "complete", "", 0, 0, nil},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "dialects", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		w, ok := cases[name]
		if !ok {
			t.Errorf("%s has no expected verdict in this test", name)
			continue
		}
		delete(cases, name)
		t.Run(name, func(t *testing.T) {
			out, msg, code := diagRun(t, "", "diagnose", "--format", "json", path)
			if code != w.exit {
				t.Errorf("exit %d (%s), want %d", code, msg, w.exit)
			}
			var doc struct {
				Exchanges []struct {
					Provider     string `json:"provider"`
					Dialect      string `json:"dialect"`
					Outcome      string `json:"outcome"`
					MappedStatus *int   `json:"mapped_status"`
					Error        *struct {
						Type string `json:"type"`
					} `json:"error"`
					Findings []struct {
						Code string `json:"code"`
					} `json:"findings"`
				} `json:"exchanges"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Exchanges) != 1 {
				t.Fatalf("report: %v, %d exchanges\n%s", err, len(doc.Exchanges), out)
			}
			x := doc.Exchanges[0]
			if x.Provider != w.provider || x.Dialect != w.dialect || x.Outcome != w.outcome {
				t.Errorf("provider/dialect/outcome = %s/%s/%s, want %s/%s/%s", x.Provider, x.Dialect, x.Outcome, w.provider, w.dialect, w.outcome)
			}
			errType := ""
			if x.Error != nil {
				errType = x.Error.Type
			}
			if errType != w.errType {
				t.Errorf("error type %q, want %q", errType, w.errType)
			}
			mapped := 0
			if x.MappedStatus != nil {
				mapped = *x.MappedStatus
			}
			if mapped != w.mapped {
				t.Errorf("mapped status %d, want %d", mapped, w.mapped)
			}
			var got []string
			for _, f := range x.Findings {
				got = append(got, f.Code)
			}
			slices.Sort(got)
			if !slices.Equal(got, w.findings) {
				t.Errorf("findings %v, want exactly %v", got, w.findings)
			}
		})
	}
	for name := range cases {
		t.Errorf("fixture %s is missing", name)
	}
}

// TestDiagnoseDialectInReports: the text and Markdown reports name the
// dialect, and say when it is the stream's shape rather than the host's
// own grammar.
func TestDiagnoseDialectInReports(t *testing.T) {
	tests := []struct {
		name, fixture, format, want string
	}{
		{"text gemini", "gemini-sse-503-midstream.jsonl", "text", "dialect        gemini\n"},
		{"text openrouter responses", "openrouter-responses.jsonl", "text", "dialect        openai-responses (the stream's shape, not openrouter's own)"},
		{"markdown gemini", "gemini-json-array.jsonl", "markdown", "| Dialect | gemini |"},
		{"markdown openrouter responses", "openrouter-responses.jsonl", "markdown", "| Dialect | openai-responses (the stream's shape, not openrouter's own) |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, msg, code := diagRun(t, "", "diagnose", "--format", tt.format, filepath.Join("testdata", "dialects", tt.fixture))
			if code == 2 {
				t.Fatalf("exit 2: %s", msg)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("report lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

// TestDiagnoseCassetteKeepsGeminiArray: in a cassette, Gemini's streamed
// JSON array (one well-formed array labelled application/json) is a
// stream and is reported; a non-streaming generateContent answer beside
// it is still skipped and named.
func TestDiagnoseCassetteKeepsGeminiArray(t *testing.T) {
	in := `interactions:
- request: {uri: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent', method: POST}
  response:
    headers: {content-type: [application/json; charset=UTF-8]}
    body: {string: "[{\n  \"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}]\n}\n]"}
    status: {code: 200, message: OK}
- request: {uri: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent', method: POST}
  response:
    headers: {content-type: [application/json; charset=UTF-8]}
    body: {string: "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}]}"}
    status: {code: 200, message: OK}
version: 1
`
	p := filepath.Join(t.TempDir(), "gemini.yaml")
	if err := os.WriteFile(p, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, nil, "diagnose", "--format", "json", p)
	if code != 0 || !strings.Contains(errs, "interaction 2: a JSON answer, not a stream — skipped") || strings.Contains(errs, "interaction 1") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var doc struct {
		Exchanges []struct {
			Dialect    string `json:"dialect"`
			Outcome    string `json:"outcome"`
			EventCount int    `json:"event_count"`
		} `json:"exchanges"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Exchanges) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	if x := doc.Exchanges[0]; x.Dialect != "gemini" || x.Outcome != "complete" || x.EventCount != 1 {
		t.Errorf("the array stream reads %+v, want gemini, complete, 1 event", x)
	}
}
