package inspect

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/midstreamhq/midstream/stream"
)

// OpenAI-compatible hosts serve the Chat Completions (or Responses)
// dialect but differ in how they report an error inside a stream, and in
// what they send while a request waits. The dialect's grammar follows the
// stream's shape (openai.go); this table names the host beside it
// (Verdict.Host), maps the host's documented error shape to a status, and
// adds the findings its docs support. Each row cites its source; where
// the docs say nothing the row says "not documented".

// HostInfo is what midstream knows about one OpenAI-compatible host.
type HostInfo struct {
	Name       string // stable id in reports and JSON: "groq", "vllm", …
	Title      string // display name
	ErrorShape string // the in-stream error as the host sends it
	KeepAlive  string // what the host sends while nothing is generated
	Doc        string // where ErrorShape and KeepAlive come from
}

// hostRule is a HostInfo with the evidence that names the host.
type hostRule struct {
	HostInfo
	domains []string // URL host suffixes
	port    string   // default port of a self-hosted server ("" none)
	headers []string // response headers only this host sends
	status  map[string]int
}

// The host ids.
const (
	HostGroq      = "groq"
	HostMistral   = "mistral"
	HostDeepSeek  = "deepseek"
	HostXAI       = "xai"
	HostTogether  = "together"
	HostFireworks = "fireworks"
	HostVLLM      = "vllm"
	HostOllama    = "ollama"
	HostLiteLLM   = "litellm"
	HostAzure     = "azure-openai"
)

// hostTable lists the hosts, most specific evidence first: a gateway's
// headers (LiteLLM) name it even when the URL names the host behind it.
var hostTable = []hostRule{
	{HostInfo: HostInfo{Name: HostLiteLLM, Title: "LiteLLM proxy",
		ErrorShape: `data: {"error":{"message":…,"type":…,"param":…,"code":"429"}} — code is the HTTP status as a string (proxy_server.py async_data_generator, ProxyException.to_dict)`,
		KeepAlive:  "none documented",
		Doc:        "https://docs.litellm.ai/docs/proxy/response_headers"},
		headers: []string{"X-Litellm-Call-Id", "X-Litellm-Model-Id", "X-Litellm-Version", "X-Litellm-Response-Cost"}},
	{HostInfo: HostInfo{Name: HostAzure, Title: "Azure OpenAI",
		ErrorShape: `finish_reason "content_filter" on the last chunk of a filtered choice, with content_filter_results; the first chunk carries prompt_filter_results and no choices`,
		KeepAlive:  "none documented (default streaming buffers output through the content filter)",
		Doc:        "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter"},
		domains: []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"},
		headers: []string{"Apim-Request-Id", "Azureml-Model-Deployment", "X-Ms-Region"}},
	{HostInfo: HostInfo{Name: HostGroq, Title: "Groq",
		ErrorShape: `data: {"error":{"message":…,"type":…,"code":…}}, also sent as event: error (groq-python _streaming.py handles both, PR #119); chunks carry x_groq {"id":"req_…"}`,
		KeepAlive:  "none documented",
		Doc:        "https://console.groq.com/docs/errors"},
		domains: []string{"api.groq.com"},
		headers: []string{"X-Groq-Region"},
		status: map[string]int{
			"capacity_exceeded": 498, "rate_limit_exceeded": 429, "tool_use_failed": 400,
			"json_validate_failed": 400, "internal_server_error": 500, "service_unavailable": 503,
		}},
	{HostInfo: HostInfo{Name: HostDeepSeek, Title: "DeepSeek",
		ErrorShape: "not documented for streams (HTTP errors: 400, 401, 402 insufficient balance, 422, 429, 500, 503)",
		KeepAlive:  "`: keep-alive` SSE comments while the request waits in the queue under load; the server closes the connection if the request has not completed after 30 minutes",
		Doc:        "https://api-docs.deepseek.com/quick_start/rate_limit"},
		domains: []string{"api.deepseek.com"}},
	{HostInfo: HostInfo{Name: HostMistral, Title: "Mistral AI",
		ErrorShape: `not documented for streams; HTTP errors are {"object":"error","message":…,"type":…,"param":…,"code":…}`,
		KeepAlive:  "none documented",
		Doc:        "https://docs.mistral.ai/api/"},
		domains: []string{"api.mistral.ai"}},
	{HostInfo: HostInfo{Name: HostXAI, Title: "xAI",
		ErrorShape: `not an SSE event: the stream request is answered HTTP 200 application/json {"code":"The service is currently unavailable","error":"Timed out waiting for first token"} (vercel/ai #10533; @ai-sdk/xai reads it as a retryable error, xaiStreamErrorSchema); HTTP errors carry the same {"code": gRPC status description, "error": message} shape`,
		KeepAlive:  "none documented",
		Doc:        "https://github.com/vercel/ai/issues/10533"},
		domains: []string{"api.x.ai"}},
	{HostInfo: HostInfo{Name: HostTogether, Title: "Together AI",
		ErrorShape: `OpenAI-style {"error":{"message":…,"type":…,"code":…}}; stream errors not separately documented`,
		KeepAlive:  "none documented",
		Doc:        "https://docs.together.ai/docs/error-codes"},
		domains: []string{"api.together.xyz", "api.together.ai"}},
	{HostInfo: HostInfo{Name: HostFireworks, Title: "Fireworks AI",
		ErrorShape: `OpenAI-style {"error":{"message":…,"type":…,"code":…}}; stream errors not separately documented`,
		KeepAlive:  "none documented",
		Doc:        "https://docs.fireworks.ai/api-reference/post-chatcompletions"},
		domains: []string{"api.fireworks.ai"}},
	{HostInfo: HostInfo{Name: HostOllama, Title: "Ollama (OpenAI-compatible /v1)",
		ErrorShape: `before the stream: HTTP 4xx/5xx application/json {"error":{"message":…,"type":"api_error"|"invalid_request_error"|"not_found_error","param":null,"code":null}} (middleware/openai.go writeError, openai/openai.go NewError); an error after the first chunk is not documented (not measured)`,
		KeepAlive:  "none (middleware/openai.go writes only data: chunks and data: [DONE])",
		Doc:        "https://github.com/ollama/ollama/blob/main/middleware/openai.go"},
		port: "11434"},
	{HostInfo: HostInfo{Name: HostVLLM, Title: "vLLM",
		ErrorShape: `data: {"error":{"message":…,"type":"BadRequestError"|"InternalServerError",…,"code":400}} then data: [DONE] — code is the HTTP status as a number (serving_engine.py create_streaming_error_response)`,
		KeepAlive:  "none documented",
		Doc:        "https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/openai/serving_engine.py"}},
}

// Hosts returns the OpenAI-compatible hosts midstream recognises, with
// their documented error shape and keep-alive habit.
func Hosts() []HostInfo {
	out := make([]HostInfo, len(hostTable))
	for i, r := range hostTable {
		out[i] = r.HostInfo
	}
	return out
}

// HostByName returns the row of host name, ok false when unknown.
func HostByName(name string) (HostInfo, bool) {
	if r := hostRuleOf(name); r != nil {
		return r.HostInfo, true
	}
	return HostInfo{}, false
}

func hostRuleOf(name string) *hostRule {
	for i := range hostTable {
		if hostTable[i].Name == name {
			return &hostTable[i]
		}
	}
	return nil
}

// detectHost names the host of x from its response headers, then its
// URL (host name, then a self-hosted server's default port); "" when
// neither says. The body's own markers (x_groq, vLLM's error shape) are
// read by hostChecker as the events pass.
func detectHost(x *stream.Exchange) string {
	if x.Response != nil {
		for _, r := range hostTable {
			for _, h := range r.headers {
				if x.Response.Header.Get(h) != "" {
					return r.Name
				}
			}
		}
	}
	if x.Request == nil {
		return ""
	}
	u, err := url.Parse(x.Request.URL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, r := range hostTable {
		for _, dom := range r.domains {
			if host == strings.TrimPrefix(dom, ".") || strings.HasSuffix(host, dom) && strings.HasPrefix(dom, ".") {
				return r.Name
			}
		}
		if r.port != "" && u.Port() == r.port && strings.HasPrefix(u.Path, "/v1/") {
			return r.Name
		}
	}
	return ""
}

// hostErrorStatus maps an in-stream error of host h: the host's own table
// of documented types and codes, else 0 (the dialect's mapping applies).
func hostErrorStatus(h, code, typ string) int {
	r := hostRuleOf(h)
	if r == nil || r.status == nil {
		return 0
	}
	if s := r.status[code]; s != 0 {
		return s
	}
	return r.status[typ]
}

// vllmErrorShape reports vLLM's in-stream error object: a numeric code
// (the HTTP status) and a type that is a Python exception class name
// (BadRequestError, InternalServerError, NotFoundError).
func vllmErrorShape(eo []byte) bool {
	n, ok := jint(jfield(eo, "code"))
	t := jstring(jfield(eo, "type"))
	return ok && n >= 400 && n <= 599 && strings.HasSuffix(t, "Error") && !strings.Contains(t, "_")
}

// hostChecker adds host evidence and findings to the Chat Completions
// checks. The chat checker calls it on the few chunks that matter (the
// first, an error object, a content_filter finish), so a long stream costs
// it nothing per chunk.
type hostChecker struct {
	d        *diag
	chunks   int
	filterAt int    // chunk whose finish_reason is content_filter, -1
	filtered string // categories content_filter_results marks filtered
}

func newHostChecker(d *diag) *hostChecker { return &hostChecker{d: d, filterAt: -1} }

// event reads chunk i (valid JSON) of a Chat Completions stream: Groq's
// x_groq member rides on the first chunk (and on the last, with usage).
func (h *hostChecker) event(i int, data []byte) {
	if h.chunks++; h.chunks > 1 {
		return
	}
	d := h.d
	if g := jfield(data, "x_groq"); g != nil {
		if d.v.Host == "" {
			d.v.Host = HostGroq
		}
		if id := jstring(jfield(g, "id")); id != "" && d.errRequestID == "" {
			d.errRequestID = id
		}
	}
}

// errorObject reads a chunk's error object: vLLM's shape names the host
// when nothing else did.
func (h *hostChecker) errorObject(eo []byte) {
	if h.d.v.Host == "" && vllmErrorShape(eo) {
		h.d.v.Host = HostVLLM
	}
}

// contentFilter reads choice ch of chunk i, whose finish_reason is
// content_filter: which categories content_filter_results marks filtered.
func (h *hostChecker) contentFilter(i int, ch []byte) {
	if h.filterAt >= 0 {
		return
	}
	h.filterAt = i
	cf := jfield(ch, "content_filter_results")
	for _, cat := range []string{"hate", "sexual", "violence", "self_harm", "profanity", "jailbreak", "protected_material_text", "protected_material_code"} {
		if string(jfield(jfield(cf, cat), "filtered")) == "true" {
			h.filtered = strings.TrimPrefix(h.filtered+", "+cat, ", ")
		}
	}
}

// finish adds the host's findings once the stream has been read.
func (h *hostChecker) finish() {
	d := h.d
	if h.filterAt >= 0 {
		who := "The provider's content filter"
		if d.v.Host == HostAzure {
			who = "Azure's content filter"
		}
		what := ""
		if h.filtered != "" {
			what = " (content_filter_results marks " + h.filtered + " as filtered)"
		}
		d.f.add("X-content-filter", SeverityWarning, who+" stopped the answer",
			fmt.Sprintf("Chunk %d ends its choice with finish_reason \"content_filter\"%s: the stream completed normally, but the output was cut or withheld. Azure documents this as the last chunk of a filtered generation.", h.filterAt+1, what),
			h.filterAt)
	}
	if d.v.Host == HostDeepSeek && d.v.EventCount > 0 {
		if n := d.v.Events.Meta(0).Comments; n > 0 {
			d.f.add("X-deepseek-keepalive", SeverityInfo, fmt.Sprintf("%d keep-alive comment(s) before the first chunk: DeepSeek was queueing", n),
				"DeepSeek sends `: keep-alive` SSE comments while a request waits under load (DeepSeek docs, rate limit); they are normal, and SSE clients (the OpenAI SDKs included) skip them.", 0)
		}
	}
}

// hostFixes is the advice for the X-* findings; ok is false for any other
// code.
func hostFixes(code string, v *Verdict) ([]string, bool) {
	switch code {
	case "X-content-filter":
		return []string{"Check finish_reason on every choice and treat content_filter as a withheld answer, not a success; on Azure, read content_filter_results to see which category fired and adjust the deployment's content filter policy if it is a false positive (Azure OpenAI docs, content filtering)."}, true
	case "X-deepseek-keepalive":
		return []string{"Nothing to fix: skip comment lines if you parse SSE by hand, and allow a read timeout longer than the queueing time (DeepSeek closes the connection after 30 minutes)."}, true
	}
	return nil, false
}

// hostLabel is how reports name where the stream came from: the
// OpenAI-compatible host, else the gateway, else "".
func hostLabel(v *Verdict) string {
	if v.Host != "" {
		return v.Host
	}
	return v.Gateway
}

// viaHost is the " via HOST" a report heading adds after the dialect, ""
// when no host or gateway was recognised.
func viaHost(v *Verdict) string {
	if h := hostLabel(v); h != "" {
		return " via " + h
	}
	return ""
}

// hostText is the report line about a recognised OpenAI-compatible host:
// what its docs say it sends on an in-stream error and while idle, and
// where that comes from; "" when no host was recognised.
func hostText(v *Verdict) string {
	h, ok := HostByName(v.Host)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s — in-stream errors: %s; keep-alive: %s (%s)", h.Title, h.ErrorShape, h.KeepAlive, h.Doc)
}

// xaiCodes maps the "code" of xAI's error body to a google.rpc status
// name. xAI writes the gRPC status's description there, word for word as
// tonic's Code::description spells it ("Client specified an invalid
// argument" on an HTTP 400: vercel/ai and LiteLLM users quote it), so the
// status follows Google's gRPC→HTTP table (googleRPCStatus).
var xaiCodes = map[string]string{
	"Client specified an invalid argument":                                   "INVALID_ARGUMENT",
	"Deadline expired before operation could complete":                       "DEADLINE_EXCEEDED",
	"Some requested entity was not found":                                    "NOT_FOUND",
	"The caller does not have permission to execute the specified operation": "PERMISSION_DENIED",
	"Some resource has been exhausted":                                       "RESOURCE_EXHAUSTED",
	"The system is not in a state required for the operation's execution":    "FAILED_PRECONDITION",
	"Internal error":                                             "INTERNAL",
	"The service is currently unavailable":                       "UNAVAILABLE",
	"The request does not have valid authentication credentials": "UNAUTHENTICATED",
}

// xaiCodeStatus is the HTTP status the code of an xAI error body stands
// for, 0 when it is not one of the gRPC descriptions.
func xaiCodeStatus(code string) int {
	return googleRPCStatus[xaiCodes[code]]
}
