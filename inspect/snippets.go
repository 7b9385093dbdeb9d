package inspect

import (
	"strconv"
	"strings"
)

// Snippets: short catch-and-retry code per SDK, written for the API of the
// version in question. Every stream snippet re-sends only when no content
// was delivered yet, and backs off up to a minute because overload windows
// last minutes (domain.md §6.5–6.6).

// snippetFor returns the Markdown fence language and the snippet for SDK
// name at version v in situation s.
func snippetFor(name string, v version, s situation) (lang, code string) {
	truncated := s.kind == sitTruncated
	switch name {
	case SDKAnthropicPython:
		return "python", pySnippet(v, truncated)
	case SDKAnthropicTypeScript:
		return "typescript", tsSnippet(v, truncated)
	case SDKAnthropicGo:
		return "go", goSnippet(v, truncated)
	case SDKAnthropicJava:
		return "java", javaSnippet(v)
	case SDKVercelAI:
		return "typescript", vercelSnippet(v)
	case SDKOpenAIPython:
		return "python", openaiPySnippet
	case SDKOpenAINode:
		return "typescript", openaiNodeSnippet(v)
	case SDKOpenAIGo:
		return "go", openaiGoSnippet(v)
	case SDKGenAIGo:
		return "go", genaiGoSnippet
	}
	return "", ""
}

const pyRetryTemplate = `import time
import anthropic

RETRY = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}

def stream_with_retry(client, attempts=5, **params):
    for attempt in range(attempts):
        delivered = False
        try:
            %STOP0%for event in client.messages.create(stream=True, **params):
                delivered = delivered or event.type == "content_block_delta"
                %STOP1%yield event
            %TRUNC%        except anthropic.APIStatusError as e:
            %KIND%
            if delivered or e.status_code != 200 or kind not in RETRY or attempt == attempts - 1:
                raise
        time.sleep(min(60, 2 ** attempt))  # overload windows can last minutes
`

func pySnippet(v version, truncated bool) string {
	kind := `kind = e.type  # 0.87.0+: the in-stream error.type`
	if !v.atLeast("0.87.0") {
		kind = `kind = ((e.body or {}).get("error") or {}).get("type")  # no e.type before 0.87.0`
	}
	trunc := ""
	if truncated {
		trunc = "if stop:\n" +
			"                return\n" +
			"            # ended without message_stop: raw iteration accepts it\n" +
			"            if delivered or attempt == attempts - 1:\n" +
			"                raise RuntimeError(\"stream ended without message_stop\")\n"
	} else {
		trunc = "return\n"
	}
	stop0, stop1 := "", ""
	if truncated {
		stop0 = "stop = False\n            "
		stop1 = "stop = stop or event.type == \"message_stop\"\n                "
	}
	return strings.NewReplacer("%KIND%", kind, "%TRUNC%", trunc, "%STOP0%", stop0, "%STOP1%", stop1).Replace(pyRetryTemplate)
}

const tsRetryTemplate = `import Anthropic from '@anthropic-ai/sdk';

const RETRY = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);

async function* streamWithRetry(client: Anthropic, params: Omit<Anthropic.MessageCreateParams, 'stream'>, attempts = 5) {
  for (let attempt = 0; ; attempt++) {
    let delivered = false;%STOP0%
    try {
      for await (const event of await client.messages.create({ ...params, stream: true })) {
        if (event.type === 'content_block_delta') delivered = true;%STOP1%
        yield event;
      }
      %TRUNC%
    } catch (e) {
      %KIND%
      if (delivered || !kind || !RETRY.has(kind) || attempt + 1 >= attempts) throw e;
    }
    await new Promise((r) => setTimeout(r, Math.min(60_000, 1000 * 2 ** attempt)));
  }
}
`

func tsSnippet(v version, truncated bool) string {
	var kind string
	switch {
	case !v.atLeast("0.27.3"):
		kind = "// before 0.27.3 the type is lost (\"Connection error.\"): retry any connection error before output\n" +
			"      const kind = e instanceof Anthropic.APIConnectionError ? 'overloaded_error' : undefined;"
	case !v.atLeast("0.50.0"):
		kind = "// 0.27.3–0.49.x: an APIConnectionError whose message is the raw event JSON\n" +
			"      let kind: string | undefined;\n" +
			"      try { kind = e instanceof Anthropic.APIConnectionError ? JSON.parse(e.message)?.error?.type : undefined; } catch {}"
	case !v.atLeast("0.81.0"):
		kind = "// 0.50.0–0.80.x: base APIError, status undefined, parsed body in e.error\n" +
			"      const kind = e instanceof Anthropic.APIError && e.status === undefined ? (e.error as any)?.error?.type : undefined;"
	default:
		kind = "// 0.81.0+: base APIError, status undefined, e.type set\n" +
			"      const kind = e instanceof Anthropic.APIError && e.status === undefined ? e.type : undefined;"
	}
	trunc := ""
	if truncated {
		trunc = "if (stop) return;\n" +
			"      // ended without message_stop: raw iteration accepts it\n" +
			"      if (delivered || attempt + 1 >= attempts) throw new Error('stream ended without message_stop');"
	} else {
		trunc = "return;"
	}
	stop0, stop1 := "", ""
	if truncated {
		stop0 = "\n    let stop = false;"
		stop1 = "\n        if (event.type === 'message_stop') stop = true;"
	}
	return strings.NewReplacer("%KIND%", kind, "%TRUNC%", trunc, "%STOP0%", stop0, "%STOP1%", stop1).Replace(tsRetryTemplate)
}

const goRetryTemplate = `import (
	"context"
	%IMPORTS%"time"

	"github.com/anthropics/anthropic-sdk-go%V2%"
)

var retryable = map[string]bool{"overloaded_error": true, "api_error": true, "rate_limit_error": true, "timeout_error": true}

func streamWithRetry(ctx context.Context, client anthropic.Client, params anthropic.MessageNewParams, on func(anthropic.MessageStreamEventUnion)) error {
	for attempt := 0; ; attempt++ {
		delivered, stop := false, false
		stream := client.Messages.NewStreaming(ctx, params)
		for stream.Next() {
			ev := stream.Current()
			delivered = delivered || ev.Type == "content_block_delta"
			stop = stop || ev.Type == "message_stop"
			on(ev)
		}
		err := stream.Err()
		%TRUNC%if err == nil || delivered || attempt >= 4 {
			return err
		}
		%KIND%
		time.Sleep(min(time.Minute, time.Second<<attempt)) // overload windows can last minutes
	}
}
`

func goSnippet(v version, truncated bool) string {
	v2 := ""
	if v.major >= 2 {
		v2 = "/v2"
	}
	imports := "\"errors\"\n\t"
	kind := "// v1.38.0+: *anthropic.Error with StatusCode 200 and Type() set\n" +
		"\t\tvar apiErr *anthropic.Error\n" +
		"\t\tif !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || !retryable[string(apiErr.Type())] {\n" +
		"\t\t\treturn err\n\t\t}"
	if !v.atLeast("1.38.0") {
		imports = "\"encoding/json\"\n\t\"strings\"\n\t"
		if truncated {
			imports = "\"encoding/json\"\n\t\"errors\"\n\t\"strings\"\n\t"
		}
		kind = "// before v1.38.0: a plain error \"received error while streaming: {json}\"\n" +
			"\t\tconst prefix = \"received error while streaming: \"\n" +
			"\t\tvar body struct{ Error struct{ Type string `json:\"type\"` } `json:\"error\"` }\n" +
			"\t\tif !strings.HasPrefix(err.Error(), prefix) || json.Unmarshal([]byte(strings.TrimPrefix(err.Error(), prefix)), &body) != nil || !retryable[body.Error.Type] {\n" +
			"\t\t\treturn err\n\t\t}"
	}
	trunc := ""
	if truncated {
		trunc = "if err == nil && !stop { // ended without message_stop: Err() stays nil\n" +
			"\t\t\tif delivered || attempt >= 4 {\n\t\t\t\treturn errors.New(\"stream ended without message_stop\")\n\t\t\t}\n" +
			"\t\t\ttime.Sleep(time.Second << attempt)\n\t\t\tcontinue\n\t\t}\n\t\t"
	}
	return strings.NewReplacer("%V2%", v2, "%IMPORTS%", imports, "%KIND%", kind, "%TRUNC%", trunc).Replace(goRetryTemplate)
}

const javaRetryTemplate = `%IMPORT%
static final java.util.Set<String> RETRY = java.util.Set.of("overloaded_error", "api_error", "rate_limit_error", "timeout_error");

static void streamWithRetry(AnthropicClient client, MessageCreateParams params) throws Exception {
    for (int attempt = 0; ; attempt++) {
        boolean delivered = false;
        try (var stream = client.messages().createStreaming(params)) {
            for (var it = stream.stream().iterator(); it.hasNext(); ) {
                var event = it.next();
                if (event.isContentBlockDelta()) delivered = true;
                handle(event);
            }
            return;
        } catch (%CLASS% e) {
            %KIND%
            if (delivered || !RETRY.contains(kind) || attempt >= 4) throw e;
        }
        Thread.sleep(Math.min(60_000L, 1000L << attempt)); // overload windows can last minutes
    }
}
`

func javaSnippet(v version) string {
	imp, class, kind := "import com.anthropic.errors.SseException;", "SseException",
		"// 2.19.0+: errorType() holds the in-stream error.type\n"+
			"            String kind = e.errorType().map(Object::toString).orElse(\"\");"
	switch {
	case !v.atLeast("0.9.0"):
		imp, class = "import com.anthropic.errors.AnthropicException;", "AnthropicException"
		kind = "// before 0.9.0: message \"Error while streaming: {json}\", no status\n" +
			"            String msg = String.valueOf(e.getMessage());\n" +
			"            String kind = msg.contains(\"{\") ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(msg.substring(msg.indexOf('{'))).path(\"error\").path(\"type\").asText() : \"\";"
	case !v.atLeast("2.19.0"):
		kind = "// 0.9.0–2.18.x: no errorType(); the message is \"200: {json}\"\n" +
			"            String msg = String.valueOf(e.getMessage());\n" +
			"            String kind = new com.fasterxml.jackson.databind.ObjectMapper().readTree(msg.substring(msg.indexOf('{'))).path(\"error\").path(\"type\").asText();"
	}
	return strings.NewReplacer("%IMPORT%", imp, "%CLASS%", class, "%KIND%", kind).Replace(javaRetryTemplate)
}

const vercelRetryTemplate = `import { streamText } from 'ai';

const RETRY = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error']);

async function streamWithRetry(opts: Parameters<typeof streamText>[0], attempts = 5) {
  for (let attempt = 0; ; attempt++) {
    let delivered = false;
    let failure: unknown;
    %BODY%
    if (!failure) return;
    const kind = %KIND%;
    if (delivered || !kind || !RETRY.has(kind) || attempt + 1 >= attempts) throw failure;
    await new Promise((r) => setTimeout(r, Math.min(60_000, 1000 * 2 ** attempt)));
  }
}
`

func vercelSnippet(v version) string {
	body := "// maxRetries covers HTTP errors%FIRST%; in-stream errors arrive as error parts\n" +
		"    const result = await streamText({ ...opts, maxRetries: 2 });\n" +
		"    for await (const part of result.fullStream) {\n" +
		"      if (part.type === 'text-delta') delivered = true;\n" +
		"      if (part.type === 'error') failure = part.error;\n" +
		"    }"
	first := ""
	if vercelFirstChunkThrows(v) {
		first = " and an overload in the first chunk"
	}
	body = strings.Replace(body, "%FIRST%", first, 1)
	kind := "(failure as { type?: string } | undefined)?.type"
	if !v.atLeast("0.0.34") {
		body = "// before @ai-sdk/anthropic 0.0.34 the error chunk fails schema validation\n" +
			"    try {\n" +
			"      const result = await streamText({ ...opts, maxRetries: 2 });\n" +
			"      for await (const delta of result.textStream) delivered = delivered || delta.length > 0;\n" +
			"    } catch (e) { failure = e; }"
		kind = "(failure as { value?: { error?: { type?: string } } })?.value?.error?.type"
	}
	return strings.NewReplacer("%BODY%", body, "%KIND%", kind).Replace(vercelRetryTemplate)
}

const openaiPySnippet = `import time
import openai

RETRY = {"server_error", "rate_limit_exceeded", "server_is_overloaded", "slow_down"}

def stream_with_retry(client, attempts=5, **params):
    for attempt in range(attempts):
        delivered = False
        try:
            for chunk in client.chat.completions.create(stream=True, **params):
                if chunk.choices and chunk.choices[0].delta.content:
                    delivered = True
                yield chunk
            return
        except openai.APIError as e:
            if isinstance(e, openai.APIStatusError):  # HTTP error: max_retries already ran
                raise
            kind = e.code or e.type  # in-stream: bare APIError without status_code
            if delivered or kind not in RETRY or attempt == attempts - 1:
                raise
        time.sleep(min(60, 2 ** attempt))
`

func openaiNodeSnippet(v version) string {
	check := ""
	kind := "// 4.12.2+: in-stream errors are the base APIError with status undefined\n" +
		"      const kind = e instanceof OpenAI.APIError && e.status === undefined ? (e.code ?? e.type) : undefined;"
	if !v.atLeast("4.12.2") {
		check = "\n        if ((chunk as any).error) throw (chunk as any).error; // before 4.12.2 the SDK yields it"
		kind = "const kind = (e as { code?: string; type?: string })?.code ?? (e as { type?: string })?.type;"
	}
	return `import OpenAI from 'openai';

const RETRY = new Set(['server_error', 'rate_limit_exceeded', 'server_is_overloaded', 'slow_down']);

async function* streamWithRetry(client: OpenAI, params: Omit<OpenAI.Chat.ChatCompletionCreateParams, 'stream'>, attempts = 5) {
  for (let attempt = 0; ; attempt++) {
    let delivered = false;
    try {
      for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {` + check + `
        if (chunk.choices?.[0]?.delta?.content) delivered = true;
        yield chunk;
      }
      return;
    } catch (e) {
      ` + kind + `
      if (delivered || !kind || !RETRY.has(kind) || attempt + 1 >= attempts) throw e;
    }
    await new Promise((r) => setTimeout(r, Math.min(60_000, 1000 * 2 ** attempt)));
  }
}
`
}

func openaiGoSnippet(v version) string {
	mod := "github.com/openai/openai-go"
	if v.major >= 2 {
		mod += "/v" + strconv.Itoa(v.major)
	}
	kind := "// v3.17.0+: *ssestream.StreamError keeps the raw event\n" +
		"\t\tvar se *ssestream.StreamError\n" +
		"\t\tif !errors.As(err, &se) || json.Unmarshal(se.Event.Data, &body) != nil || !retryable[body.Error.Type] {\n" +
		"\t\t\treturn err\n\t\t}"
	std := "\t\"encoding/json\"\n\t\"errors\"\n"
	imports := "\t\"" + mod + "/packages/ssestream\"\n"
	if !v.atLeast("3.17.0") {
		std = "\t\"encoding/json\"\n\t\"strings\"\n"
		imports = ""
		kind = "// before v3.17.0: a plain error \"received error while streaming: {error json}\"\n" +
			"\t\tconst prefix = \"received error while streaming: \"\n" +
			"\t\tif !strings.HasPrefix(err.Error(), prefix) || json.Unmarshal([]byte(\"{\\\"error\\\":\"+strings.TrimPrefix(err.Error(), prefix)+\"}\"), &body) != nil || !retryable[body.Error.Type] {\n" +
			"\t\t\treturn err\n\t\t}"
	}
	return `import (
	"context"
` + std + `	"time"

	"` + mod + `"
` + imports + `)

var retryable = map[string]bool{"server_error": true, "rate_limit_exceeded": true, "server_is_overloaded": true}

func streamWithRetry(ctx context.Context, client openai.Client, params openai.ChatCompletionNewParams, on func(openai.ChatCompletionChunk)) error {
	for attempt := 0; ; attempt++ {
		delivered := false
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		for stream.Next() {
			chunk := stream.Current()
			delivered = delivered || (len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "")
			on(chunk)
		}
		err := stream.Err()
		if err == nil || delivered || attempt >= 4 {
			return err
		}
		var body struct{ Error struct{ Type string ` + "`json:\"type\"`" + ` } ` + "`json:\"error\"`" + ` }
		` + kind + `
		time.Sleep(min(time.Minute, time.Second<<attempt))
	}
}
`
}
