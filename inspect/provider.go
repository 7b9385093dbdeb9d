package inspect

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/midstreamhq/midstream/stream"
)

// Gateways midstream recognises in front of a provider (Verdict.Gateway).
const (
	GatewayVertex  = "vertex"  // Claude on Google Vertex AI
	GatewayBedrock = "bedrock" // Claude on Amazon Bedrock
	GatewayPortkey = "portkey" // Portkey's OpenAI-compatible route
)

// sniffEvents is how many leading events provider detection looks at.
const sniffEvents = 32

// detection is what DetectProvider concludes and why.
type detection struct {
	provider Provider
	gateway  string
	from     string // "url", "headers" or "events"
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
		return bedrockDetection(x)
	}
	if x.Request != nil {
		d = fromURL(x.Request.URL)
	}
	if d.provider == "" {
		d = fromHeaders(x)
	}
	ev := sniff(x)
	if d.provider == "" || d.provider == ProviderOpenAIChat || d.provider == ProviderGeneric {
		// A chat-completions path says little about who serves it: the
		// events tell OpenRouter and Portkey's Anthropic rewrite apart.
		if e := fromEvents(ev); e.provider != "" &&
			(d.provider == "" || d.provider == ProviderGeneric || e.provider == ProviderOpenRouter || e.gateway != "") {
			if d.provider == ProviderOpenAIChat && e.provider == ProviderAnthropic {
				e.provider = ProviderOpenAIChat // keep the URL's family
			}
			if d.gateway != "" && e.gateway == "" {
				e.gateway = d.gateway
			}
			d = e
		}
	}
	if d.provider == "" {
		d = detection{provider: ProviderGeneric, from: "events"}
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
	events     []sniffed
	openRouter bool // an ": OPENROUTER PROCESSING" keepalive was seen
}

func sniff(x *stream.Exchange) sniffResult {
	var r sniffResult
	dec := stream.NewDecoder(x.BodyReader())
	dec.OnComment(func(c stream.Comment) {
		if bytes.Contains(bytes.ToUpper(c.Text), []byte("OPENROUTER")) {
			r.openRouter = true
		}
	})
	for len(r.events) < sniffEvents {
		e, err := dec.Next()
		if err != nil {
			break
		}
		r.events = append(r.events, sniffed{name: e.Type, dataType: jstring(jfield(e.Data, "type")), data: bytes.Clone(e.Data)})
	}
	return r
}

// fromEvents recognises event shapes.
func fromEvents(s sniffResult) detection {
	d := detection{from: "events"}
	if s.openRouter {
		d.provider = ProviderOpenRouter
		return d
	}
	labelled := false
	for _, e := range s.events {
		t := e.dataType
		switch {
		case strings.HasPrefix(t, "message_") || strings.HasPrefix(t, "content_block_") ||
			strings.HasPrefix(e.name, "message_") || strings.HasPrefix(e.name, "content_block_"):
			d.provider = ProviderAnthropic
			return d
		case strings.HasPrefix(t, "response.") || strings.HasPrefix(e.name, "response."):
			d.provider = ProviderOpenAIResponses
			return d
		case t == "error" && jfield(e.data, "sequence_number") != nil:
			d.provider = ProviderOpenAIResponses
			return d
		case t == "error" && AnthropicStatus(jstring(jpath(e.data, "error", "type"))) != 0:
			d.provider = ProviderAnthropic
			return d
		}
		obj := jstring(jfield(e.data, "object"))
		choices := jfield(e.data, "choices")
		if obj == "chat.completion.chunk" || choices != nil || jfield(e.data, "error") != nil {
			d.provider = ProviderOpenAIChat
			fr := jstring(jfield(jfirstElem(choices), "finish_reason"))
			// Portkey also labels chunks with "provider", so its rewrite
			// (finish_reason = an Anthropic error type) is checked first.
			switch {
			case AnthropicStatus(fr) != 0:
				d.gateway = GatewayPortkey
				return d
			case fr == "error" || strings.HasPrefix(jstring(jfield(e.data, "id")), "gen-"):
				d.provider = ProviderOpenRouter
				return d
			case jfield(e.data, "provider") != nil:
				labelled = true // OpenRouter, unless a Portkey rewrite follows
			}
		}
	}
	if labelled && d.provider == ProviderOpenAIChat {
		d.provider = ProviderOpenRouter
	}
	return d
}
