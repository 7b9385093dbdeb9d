package inspect

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// The shared core of midstream's SDK knowledge: which SDKs exist, how
// --sdk and request headers name one, and how a verdict becomes an
// answer. What each SDK does lives in one file per SDK family:
// sdk_anthropic.go (the Anthropic SDKs of each language), sdk_vercel.go
// (the Vercel AI SDK), sdk_openai.go (the OpenAI SDKs), sdk_gemini.go (the
// Google Gen AI SDKs); sdk_stainless.go holds what the Stainless-generated
// Anthropic and OpenAI SDKs share.

// sdkSpec is one SDK midstream has answers for.
type sdkSpec struct {
	name string
	// current is the newest version the answers were checked against: the
	// version assumed when --sdk names none, and the one SDKTable reports.
	current string
	// speaks is the protocol the SDK talks: ProviderAnthropic,
	// ProviderOpenAIChat (every OpenAI-shaped stream) or ProviderGemini.
	speaks Provider
	// answer fills a for a stream in situation s; v is d's version.
	answer func(a *SDKAnswer, v version, s situation, d detected)
	// ua recognise the SDK in a User-Agent (or x-goog-api-client); the
	// last submatch is the version, a first one (if any) marks Python's
	// async client.
	ua []*regexp.Regexp
}

// sdkSpecs lists every SDK in report order, family by family.
var sdkSpecs = concatSpecs(anthropicSDKs, vercelAnthropicSDKs, openaiSDKs, geminiSDKs, vercelGoogleSDKs)

func concatSpecs(families ...[]sdkSpec) []sdkSpec {
	var out []sdkSpec
	for _, f := range families {
		out = append(out, f...)
	}
	return out
}

// specOf finds the SDK called name.
func specOf(name string) (sdkSpec, bool) {
	for _, s := range sdkSpecs {
		if s.name == name {
			return s, true
		}
	}
	return sdkSpec{}, false
}

// SDKNames lists every SDK name midstream knows, in report order.
var SDKNames = func() []string {
	var out []string
	for _, s := range sdkSpecs {
		out = append(out, s.name)
	}
	return out
}()

// CurrentSDKVersions is the newest version of each SDK that the tables
// were checked against (domain.md snapshot, sdk-matrix.md runs and the e2e
// module's SDK tests). It is the version assumed when --sdk names no
// version, and the one SDKTable reports. For vercel-ai it is the version
// of the `ai` package.
var CurrentSDKVersions = func() map[string]string {
	out := map[string]string{}
	for _, s := range sdkSpecs {
		out[s.name] = s.current
	}
	return out
}()

// SDKVersionNote says whose version --sdk NAME@VERSION means where that
// is not plain from the name; --help texts and the README repeat it.
const SDKVersionNote = "for vercel-ai, VERSION is the ai package's (3.0.23 up to 7.x; midstream answers for the @ai-sdk/anthropic release it pairs with)"

// isAnthropicSDK reports whether name is an SDK that talks to Anthropic's
// Messages API (the Vercel provider included).
func isAnthropicSDK(name string) bool {
	s, ok := specOf(name)
	return ok && s.speaks == ProviderAnthropic
}

// speaksProvider reports whether an SDK whose protocol is speaks reads a
// stream of provider p. The OpenAI SDKs read every OpenAI-shaped stream
// (Chat, Responses, OpenRouter and other hosts).
func speaksProvider(speaks, p Provider) bool {
	switch speaks {
	case ProviderAnthropic, ProviderGemini:
		return p == speaks
	}
	return p != ProviderAnthropic && p != ProviderGemini
}

// SDKNamesFor lists, in report order, the SDKs that read streams of
// provider p: the choices worth offering for a stream of p. A generic
// stream is offered every SDK but Gemini's; a ConverseStream none.
func SDKNamesFor(p Provider) []string {
	var out []string
	for _, spec := range sdkSpecs {
		switch {
		case p == ProviderBedrockConverse:
		case p == ProviderGeneric && spec.speaks != ProviderGemini,
			p != ProviderGeneric && speaksProvider(spec.speaks, p):
			out = append(out, spec.name)
		}
	}
	return out
}

// ParseSDKRef parses --sdk NAME[@VERSION]. The version may carry a leading
// "v" and may be partial ("0.80" means 0.80.0); without one the current
// version of that SDK is assumed. For vercel-ai the version is the `ai`
// package's, and one midstream cannot pair with an @ai-sdk/anthropic
// release is an error that says which versions it knows.
func ParseSDKRef(s string) (*SDKRef, error) {
	name, ver, hasVer := strings.Cut(strings.TrimSpace(s), "@")
	name = strings.ToLower(strings.TrimSpace(name))
	spec, ok := specOf(name)
	if !ok {
		return nil, fmt.Errorf("unknown SDK %q: want NAME[@VERSION] with NAME one of %s", name, strings.Join(SDKNames, ", "))
	}
	ver = strings.TrimSpace(ver)
	if !hasVer || ver == "" {
		return &SDKRef{Name: name, Version: spec.current}, nil
	}
	v, err := parseVersion(ver)
	if err != nil {
		return nil, fmt.Errorf("SDK %s: %v", name, err)
	}
	if name == SDKVercelAI {
		if _, err := vercelPairFor(v); err != nil {
			return nil, err
		}
	}
	return &SDKRef{Name: name, Version: strings.TrimPrefix(ver, "v")}, nil
}

// detected is an SDK recognised in request headers or named by --sdk.
type detected struct {
	name    string
	version string
	async   bool // Python's AsyncAnthropic / AsyncOpenAI client
	// helper is the X-Stainless-Helper-Method header ("stream" for the
	// TypeScript SDK's messages.stream()); "" when absent.
	helper string
	// providerPkg is true when version is the Vercel provider package's
	// (@ai-sdk/anthropic, from its User-Agent), not the `ai` package's.
	providerPkg bool
}

// DetectSDK names the SDK that sent a request, from its User-Agent (or
// x-goog-api-client) or the X-Stainless-Lang and
// X-Stainless-Package-Version headers; url and provider decide between
// the Anthropic and OpenAI SDK of a Stainless language. It returns nil
// when the headers name no known SDK.
func DetectSDK(h http.Header, url string, provider Provider) *SDKRef {
	if d := detectSDK(h, url, provider); d != nil {
		return &SDKRef{Name: d.name, Version: d.version}
	}
	return nil
}

func detectSDK(h http.Header, url string, provider Provider) *detected {
	if h == nil {
		return nil
	}
	d := detectByProduct(h)
	if d == nil {
		d = detectStainless(h, url, provider)
	}
	if d != nil {
		d.helper = strings.ToLower(strings.TrimSpace(h.Get("X-Stainless-Helper-Method")))
	}
	return d
}

// detectByProduct finds an SDK's product token in the User-Agent, then in
// x-goog-api-client (which the Google Gen AI SDKs also send).
func detectByProduct(h http.Header) *detected {
	for _, key := range []string{"User-Agent", "X-Goog-Api-Client"} {
		for _, ua := range h.Values(key) {
			for _, spec := range sdkSpecs {
				for _, re := range spec.ua {
					m := re.FindStringSubmatch(ua)
					if m == nil {
						continue
					}
					ver := m[len(m)-1]
					if _, err := parseVersion(ver); err != nil {
						continue
					}
					return &detected{name: spec.name, version: strings.TrimPrefix(ver, "v"),
						async: len(m) == 3 && m[1] != "", providerPkg: spec.name == SDKVercelAI}
				}
			}
		}
	}
	return nil
}

// SDKFor says what the user's SDK does with the exchange of v: the SDK
// named in opt.SDK (DetectedFrom "flag"), else the one detected from the
// request headers ("headers"); nil when neither is known. A flag keeps
// what the headers say about how the SDK was called (the TypeScript
// stream helper).
func SDKFor(v *Verdict, opt Options) *SDKAnswer {
	if v == nil || v.Provider == ProviderBedrockConverse {
		return nil // no SDK in the tables reads ConverseStream (converseSDKNote)
	}
	var d *detected
	if v.Exchange != nil && v.Exchange.Request != nil {
		d = detectSDK(v.Exchange.Request.Header, v.Exchange.Request.URL, v.Provider)
	}
	if opt.SDK != nil {
		ver := opt.SDK.Version
		if ver == "" {
			ver = CurrentSDKVersions[opt.SDK.Name]
		}
		flag := detected{name: opt.SDK.Name, version: ver}
		if d != nil && d.name == flag.name {
			flag.helper = d.helper
		}
		return answerFor(v, situationOf(v), flag, "flag")
	}
	if d == nil {
		return nil
	}
	return answerFor(v, situationOf(v), *d, "headers")
}

// SDKTable answers for the current version of every SDK that speaks the
// exchange's protocol; reports show it when the user's SDK is unknown. A
// generic stream gets the Anthropic and OpenAI rows, as before Gemini
// had SDK rows: its shape is unknown, and Gemini SDKs are listed only for
// a stream known to be Gemini's.
func SDKTable(v *Verdict) []SDKAnswer {
	var out []SDKAnswer
	if v.Provider == ProviderBedrockConverse {
		return nil // the AWS SDKs are not in the tables (converseSDKNote)
	}
	// One situation for every row: deriving it re-reads the whole body to
	// find the error event, which need not happen once per SDK.
	s := situationOf(v)
	for _, spec := range sdkSpecs {
		if v.Provider == ProviderGeneric && spec.speaks == ProviderGemini {
			continue
		}
		if v.Provider != ProviderGeneric && !speaksProvider(spec.speaks, v.Provider) {
			continue
		}
		if a := answerFor(v, s, detected{name: spec.name, version: spec.current}, "table"); a != nil {
			out = append(out, *a)
		}
	}
	return out
}
