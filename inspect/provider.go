package inspect

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"github.com/midstreamhq/midstream/stream"
)

// Gateways midstream recognises in front of a provider (Verdict.Gateway).
const (
	GatewayVertex  = "vertex"  // Google Vertex AI: Claude (provider anthropic) or Gemini (provider gemini)
	GatewayBedrock = "bedrock" // Claude on Amazon Bedrock
	GatewayPortkey = "portkey" // Portkey's OpenAI-compatible route
)

// sniffEvents is how many leading events provider detection looks at.
const sniffEvents = 32

// maxSniffBody bounds the bytes of the body provider detection reads.
// Without a bound, a body with fewer than sniffEvents events (a 1 GiB
// single line, or keepalive comments only) was read whole here and then
// again by the decoding pass. It is generous because a leading event may
// be large (Gemini sends a generated image inline, base64, in one chunk):
// one cut by the bound no longer shows its shape.
const maxSniffBody = 16 << 20

// detection is what DetectProvider concludes and why.
type detection struct {
	provider Provider
	gateway  string
	from     string // "url", "headers" or "events"
	// dialect is the grammar the stream is read with: the one a sure
	// event shape names, else the provider's own (dialect.go).
	dialect dialect
	// shape is set by a dialect's detect when the event's shape names
	// its grammar beyond doubt.
	shape bool
}

// DetectProvider says which API family x comes from, from its URL first
// (known hosts and paths), then response and request headers, then the
// shapes of its first events. A stream that matches nothing is generic.
func DetectProvider(x *stream.Exchange) Provider { return detectProvider(x).provider }

func detectProvider(x *stream.Exchange) detection {
	var d detection
	if looksLikeEventStream(x.BodyPrefix(16)) {
		// Binary AWS event-stream frames: Bedrock, whatever the URL;
		// Converse or Anthropic-on-Bedrock (converse.go).
		d := bedrockDetection(x)
		d.dialect = dialectOf(d.provider)
		return d
	}
	if x.Request != nil {
		d = fromURL(x.Request.URL)
	}
	if d.provider == "" {
		d = fromHeaders(x)
	}
	var s sniffResult
	if jsonArrayBody(x) {
		s = sniffArray(x)
	}
	if len(s.matches) == 0 {
		// Not an array, or one that breaks off before its first element
		// ("[]" then SSE): the body is decoded as SSE, so its SSE events
		// name the dialect, as they do for a live Timeline.
		s = sniff(x)
	}
	e, sure := fromEvents(s)
	if d.provider == "" || d.provider == ProviderOpenAIChat || d.provider == ProviderGeneric {
		// A chat-completions path says little about who serves it: the
		// events tell OpenRouter and Portkey's Anthropic rewrite apart.
		if e.provider != "" &&
			(d.provider == "" || d.provider == ProviderGeneric || e.provider == ProviderOpenRouter || e.gateway != "") {
			if d.provider == ProviderOpenAIChat && e.provider == ProviderAnthropic {
				e.provider = ProviderOpenAIChat // keep the URL's family
			}
			if d.gateway != "" && e.gateway == "" {
				e.gateway = d.gateway
			}
			d.provider, d.gateway, d.from = e.provider, e.gateway, e.from
		}
	}
	if d.provider == "" {
		d = detection{provider: ProviderGeneric, from: "events"}
	}
	// The grammar follows the stream's shape, not the host: a sure shape
	// (response.*, message_*, candidates) wins over what URL and headers
	// imply; otherwise the provider's own dialect reads it.
	d.dialect, d.shape = dialectOf(d.provider), sure
	if sure {
		d.dialect = e.dialect
	}
	return d
}

// fromURL recognises provider hosts and API paths.
func fromURL(raw string) detection {
	u, err := url.Parse(raw)
	if err != nil {
		return detection{}
	}
	host := strings.ToLower(u.Hostname())
	path := u.Path
	d := detection{from: "url"}
	switch {
	case strings.HasSuffix(host, "openrouter.ai"):
		d.provider = ProviderOpenRouter
	case strings.HasSuffix(host, "anthropic.com"):
		d.provider = ProviderAnthropic
	case strings.HasSuffix(host, "aiplatform.googleapis.com") && strings.Contains(path, "/anthropic/"):
		d.provider, d.gateway = ProviderAnthropic, GatewayVertex
	case strings.HasSuffix(host, "aiplatform.googleapis.com") && strings.Contains(path, "/publishers/google/"):
		d.provider, d.gateway = ProviderGemini, GatewayVertex
	case strings.HasSuffix(host, "generativelanguage.googleapis.com") && !strings.Contains(path, "/openai/"),
		strings.HasSuffix(path, ":streamGenerateContent"):
		// Gemini API (its /openai/ route is Chat Completions).
		d.provider = ProviderGemini
	case strings.HasPrefix(host, "bedrock-runtime.") || strings.Contains(path, "invoke-with-response-stream"):
		d.provider, d.gateway = ProviderAnthropic, GatewayBedrock
		if isConversePath(raw) {
			d.provider = ProviderBedrockConverse
		}
	case strings.Contains(host, "portkey"):
		d.gateway = GatewayPortkey
		if strings.HasSuffix(path, "/messages") {
			d.provider = ProviderAnthropic
		} else {
			d.provider = ProviderOpenAIChat
		}
	case strings.HasSuffix(path, "/chat/completions"):
		d.provider = ProviderOpenAIChat
	case strings.HasSuffix(path, "/responses"):
		d.provider = ProviderOpenAIResponses
	case strings.HasSuffix(path, "/v1/messages") || strings.HasSuffix(path, "/messages"):
		d.provider = ProviderAnthropic
	default:
		return detection{}
	}
	return d
}

// fromHeaders recognises provider-specific response and request headers.
func fromHeaders(x *stream.Exchange) detection {
	d := detection{from: "headers"}
	if x.Response != nil {
		h := x.Response.Header
		switch {
		case h.Get("X-Generation-Id") != "":
			d.provider = ProviderOpenRouter
			return d
		case strings.HasPrefix(h.Get("Request-Id"), "req_") || h.Get("Anthropic-Organization-Id") != "" ||
			h.Get("Anthropic-Ratelimit-Requests-Limit") != "":
			d.provider = ProviderAnthropic
			return d
		case h.Get("Openai-Processing-Ms") != "" || h.Get("Openai-Version") != "":
			d.provider = ProviderOpenAIChat
			return d
		}
	}
	if x.Request != nil {
		h := x.Request.Header
		switch {
		case h.Get("X-Portkey-Provider") != "" || h.Get("X-Portkey-Config") != "":
			d.provider, d.gateway = ProviderOpenAIChat, GatewayPortkey
			return d
		case h.Get("X-Goog-Api-Key") != "":
			d.provider = ProviderGemini
			return d
		case h.Get("Anthropic-Version") != "" || h.Get("X-Api-Key") != "":
			d.provider = ProviderAnthropic
			return d
		case h.Get("Http-Referer") != "" && h.Get("X-Title") != "":
			d.provider = ProviderOpenRouter // OpenRouter's app attribution headers
			return d
		}
	}
	return detection{}
}

// sniffed is one leading event for detection.
type sniffed struct {
	name, dataType string
	data           []byte
}

type sniffResult struct {
	matches    []shapeMatch // of the leading events whose shape a grammar knows
	openRouter bool         // an ": OPENROUTER PROCESSING" keepalive was seen
}

// add matches one leading event's shape (its data is only read here, so
// sniffing copies none).
func (r *sniffResult) add(name string, data []byte) {
	if m, ok := matchShape(&sniffed{name: name, dataType: jstring(jfield(data, "type")), data: data}); ok {
		r.matches = append(r.matches, m)
	}
}

func sniff(x *stream.Exchange) sniffResult {
	var r sniffResult
	dec := stream.NewDecoder(io.LimitReader(x.BodyReader(), maxSniffBody))
	dec.OnComment(func(c stream.Comment) {
		if containsFold(c.Text, "OPENROUTER") {
			r.openRouter = true
		}
	})
	for n := 0; n < sniffEvents; n++ {
		e, err := dec.Next()
		if err != nil {
			break
		}
		r.add(e.Type, e.Data)
	}
	return r
}

// containsFold reports whether b contains the ASCII word w, ignoring
// case, without the copy bytes.ToUpper makes of every comment.
func containsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		if bytes.EqualFold(b[i:i+len(w)], []byte(w)) {
			return true
		}
	}
	return false
}

// fromEvents recognises event shapes (each dialect's detect, in
// dialectTable order) and OpenRouter's keepalive comment. sure is true
// when a shape names the dialect beyond doubt.
func fromEvents(s sniffResult) (detection, bool) {
	d, sure := shapeOf(s.matches)
	d.from = "events"
	if s.openRouter {
		d.provider = ProviderOpenRouter
		if !sure {
			d.dialect = dialectChat
		}
	}
	return d, sure
}
