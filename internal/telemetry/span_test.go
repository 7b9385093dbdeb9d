package telemetry

import (
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TestSpanOfExchange: the span a user finds in their tracing backend says
// what midstream said: the HTTP status, the status the stream's error
// stands for, the mismatch, the outcome, and the GenAI fields.
func TestSpanOfExchange(t *testing.T) {
	const anthropic = "https://api.anthropic.com/v1/messages"
	cases := []struct {
		name       string
		fixture    string
		url        string
		status     int
		cut        bool // drop the last event (a truncated stream)
		wantName   string
		want       map[string]string
		absent     []string
		wantStatus codes.Code
	}{
		{
			name: "mid-stream overloaded_error under HTTP 200", fixture: "anthropic_overloaded.sse", url: anthropic, status: 200,
			wantName: "chat claude-sonnet-4-5", wantStatus: codes.Error,
			want: map[string]string{
				"gen_ai.provider.name": "anthropic", "gen_ai.operation.name": "chat",
				"gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
				"gen_ai.response.id": "msg_01XFDUDYJgAACzvnptvVoYEL", "gen_ai.usage.input_tokens": "25",
				"server.address": "api.anthropic.com", "server.port": "443",
				"http.response.status_code": "200", "error.type": "overloaded_error",
				"midstream.mapped_status": "529", "midstream.mismatch": "true", "midstream.outcome": "error_event",
				"midstream.error.event_index": "4", "midstream.error.message": "Overloaded",
				"midstream.request_id": "req_011CSHoEeqs5C35K2UUqR7Fy", "midstream.sdk.name": "anthropic-python",
				"midstream.sdk.version": "0.86.0", "midstream.capture": "/captures/proxy-1.jsonl",
			},
			absent: []string{"gen_ai.response.finish_reasons", "gen_ai.input.messages", "gen_ai.output.messages"},
		},
		{
			name: "complete stream", fixture: "anthropic_complete.sse", url: anthropic, status: 200,
			wantName: "chat claude-sonnet-4-5", wantStatus: codes.Unset,
			want: map[string]string{
				"gen_ai.response.finish_reasons": `["end_turn"]`, "gen_ai.usage.input_tokens": "25",
				"gen_ai.usage.output_tokens": "15", "midstream.mismatch": "false", "midstream.outcome": "complete",
				"http.response.status_code": "200",
			},
			absent: []string{"error.type", "midstream.mapped_status", "midstream.error.event_index"},
		},
		{
			name: "truncated stream: error.type is the outcome", fixture: "anthropic_complete.sse", url: anthropic, status: 200, cut: true,
			wantName: "chat claude-sonnet-4-5", wantStatus: codes.Error,
			want:   map[string]string{"error.type": "truncated", "midstream.outcome": "truncated"},
			absent: []string{"midstream.mapped_status"},
		},
		{
			name: "OpenAI chat with usage", fixture: "openai_chat.sse", url: "http://127.0.0.1:8787/v1/chat/completions", status: 200,
			wantName: "chat claude-sonnet-4-5", wantStatus: codes.Unset,
			want: map[string]string{
				"gen_ai.provider.name": "openai", "gen_ai.response.id": "chatcmpl-123", "gen_ai.response.model": "gpt-4o-mini",
				"gen_ai.response.finish_reasons": `["stop"]`, "gen_ai.usage.input_tokens": "9", "gen_ai.usage.output_tokens": "2",
				"server.address": "127.0.0.1", "server.port": "8787", "midstream.outcome": "complete",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, mem, _ := testExporter(t, false)
			x := exchange(t, c.fixture, c.url, c.status)
			if c.cut {
				x.Chunks = x.Chunks[:len(x.Chunks)-1]
			}
			e.Record(verdict(x), "/captures/proxy-1.jsonl")
			flush(t, e)
			spans := mem.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			s := spans[0].Snapshot()
			if s.Name() != c.wantName || s.SpanKind() != trace.SpanKindClient {
				t.Errorf("span %q kind %v, want %q client", s.Name(), s.SpanKind(), c.wantName)
			}
			if s.Status().Code != c.wantStatus {
				t.Errorf("status %v (%q), want %v", s.Status().Code, s.Status().Description, c.wantStatus)
			}
			got := attrs(s)
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for _, k := range c.absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %q, want absent", k, v)
				}
			}
			if !s.StartTime().Equal(t0) || !s.EndTime().After(s.StartTime()) {
				t.Errorf("span from %v to %v, want from the exchange's start %v", s.StartTime(), s.EndTime(), t0)
			}
		})
	}
}

// TestFindingsAreSpanEvents: each finding of the verdict is a span event
// with its code, severity and event index.
func TestFindingsAreSpanEvents(t *testing.T) {
	e, mem, _ := testExporter(t, false)
	v := verdict(exchange(t, "anthropic_overloaded.sse", "https://api.anthropic.com/v1/messages", 200))
	if len(v.Findings) == 0 {
		t.Fatal("the fixture has no findings")
	}
	e.Record(v, "")
	flush(t, e)
	s := mem.GetSpans()[0].Snapshot()
	if len(s.Events()) != len(v.Findings) {
		t.Fatalf("%d span events, want one per finding (%d)", len(s.Events()), len(v.Findings))
	}
	for i, ev := range s.Events() {
		f := v.Findings[i]
		a := kvs(ev.Attributes)
		if ev.Name != f.Code || a["midstream.finding.code"] != f.Code || a["midstream.finding.severity"] != string(f.Severity) {
			t.Errorf("event %d: %q %v, want finding %s (%s)", i, ev.Name, a, f.Code, f.Severity)
		}
		if a["midstream.finding.title"] == "" || a["midstream.finding.event_index"] == "" {
			t.Errorf("event %d lacks title or event index: %v", i, a)
		}
		if ev.Time.Before(s.StartTime()) || ev.Time.After(s.EndTime()) {
			t.Errorf("event %d at %v, outside the span", i, ev.Time)
		}
	}
}

// TestContentOnlyWhenAsked: prompts and completions leave the process only
// with --otlp-content (Config.Content).
func TestContentOnlyWhenAsked(t *testing.T) {
	for _, content := range []bool{false, true} {
		e, mem, _ := testExporter(t, content)
		e.Record(verdict(exchange(t, "anthropic_complete.sse", "https://api.anthropic.com/v1/messages", 200)), "")
		flush(t, e)
		a := attrs(mem.GetSpans()[0].Snapshot())
		in, out := a["gen_ai.input.messages"], a["gen_ai.output.messages"]
		if !content {
			if in != "" || out != "" {
				t.Errorf("content off: input %q output %q exported", in, out)
			}
			continue
		}
		if in != `[{"role":"user","content":"Hello"}]` {
			t.Errorf("input messages %q", in)
		}
		if out != `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"end_turn"}]` {
			t.Errorf("output messages %q", out)
		}
	}
}
