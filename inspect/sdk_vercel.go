package inspect

import (
	"fmt"
	"regexp"
)

// The Vercel AI SDK (the `ai` package with its @ai-sdk/anthropic
// provider). Its behaviour changes with the provider package, but users
// know the `ai` version, so --sdk vercel-ai@V takes the `ai` version and
// vercelPairs maps it to the @ai-sdk/anthropic release it pairs with. The
// User-Agent names only the provider ("ai-sdk/anthropic/2.0.112"), so a
// version detected from headers is the provider's.

// The Vercel AI SDK's --sdk names: with its Anthropic provider, and with
// its Google (Gemini API) provider.
const (
	SDKVercelAI       = "vercel-ai"
	SDKVercelAIGoogle = "vercel-ai-google"
)

var vercelAnthropicSDKs = []sdkSpec{
	// ai 7.0.173 paired with @ai-sdk/anthropic 4.0.105: sdk-matrix vercel-ai7.
	{name: SDKVercelAI, current: "7.0.173", speaks: ProviderAnthropic, answer: vercelAI,
		ua: []*regexp.Regexp{regexp.MustCompile(`(?i)\bai-sdk[/\-]anthropic/` + uaVersion)}},
}

// vercelGoogleSDKs are listed after the Google Gen AI SDKs, with the other
// Gemini rows.
var vercelGoogleSDKs = []sdkSpec{
	// ai 7.0.173 with @ai-sdk/google 4.0.121: e2e/genaijs_test.go.
	{name: SDKVercelAIGoogle, current: "7.0.173", speaks: ProviderGemini, answer: vercelGoogle,
		ua: []*regexp.Regexp{regexp.MustCompile(`(?i)\bai-sdk[/\-]google/` + uaVersion)}},
}

// vercelPair is one step of the `ai` → @ai-sdk/anthropic pairing: every ai
// version from ai up to the next row's pairs with provider (a
// representative release of the range named in span).
type vercelPair struct {
	ai, provider, span string
	// ambiguous: the range's releases straddle a behaviour boundary of
	// the provider; the older behaviour is assumed and the answer says so.
	ambiguous bool
}

// vercelPairs is derived from npm's published dependency metadata (npm
// view ai@'>=3 <8' version dependencies; npm view @ai-sdk/anthropic@'<5'
// version dependencies, and the 6.0.0 / 3.0.0 pre-releases): an ai release
// and an @ai-sdk/anthropic release pair when they pin the same exact
// @ai-sdk/provider-utils version (they were published from one monorepo
// commit); across a major, ai@N+2 depends on @ai-sdk/provider N-1.x.x as
// @ai-sdk/anthropic N-1.x does (ai@5 ↔ provider 2.0.x ↔ anthropic 2.x).
// Rows change only where the paired provider's behaviour changes.
var vercelPairs = []vercelPair{
	{"3.0.23", "0.0.14", "0.0.5–0.0.14", false},
	{"3.2.36", "0.0.33", "0.0.33–0.0.35", true}, // 0.0.34 fixed the error chunk's schema
	{"3.3.2", "0.0.43", "0.0.37–0.0.43", false},
	{"4.0.0", "1.1.5", "1.x", false},
	{"5.0.0", "2.0.49", "2.0.0–2.0.49", false},
	{"5.0.104", "2.0.112", "2.0.50 and later", false}, // ai 5.0.104 pins provider-utils 3.0.18, as anthropic 2.0.50 does
	{"6.0.0-beta.0", "3.0.0-beta.62", "3.0.0-beta.22–3.0.0-beta.62", false},
	{"6.0.0-beta.120", "3.0.0-beta.62", "3.0.0-beta.62–3.0.0-beta.66", true}, // 3.0.0-beta.64 changed the first chunk
	{"6.0.0-beta.124", "3.0.0-beta.66", "3.0.0-beta.66 and later", false},
	{"6.0.0", "3.0.58", "3.x", false},
	{"7.0.0", "4.0.105", "4.x", false},
}

// vercelKnownAI is the `ai` range midstream can pair, for error messages.
const vercelKnownAI = "ai 3.0.23 up to 7.x"

// vercelPairFor finds the pairing of `ai` version v, or says why there is
// none (v is most likely an @ai-sdk/anthropic version given by mistake).
func vercelPairFor(v version) (vercelPair, error) {
	if v.cmp(mustVersion("8.0.0-0")) >= 0 || v.cmp(mustVersion(vercelPairs[0].ai)) < 0 {
		return vercelPair{}, fmt.Errorf("SDK vercel-ai: version %s is not a version of the ai package that midstream can pair with @ai-sdk/anthropic (it knows %s; ai@5 pairs with @ai-sdk/anthropic 2.x, ai@7 with 4.x); --sdk vercel-ai@V takes the version of the ai package, not of @ai-sdk/anthropic",
			v, vercelKnownAI)
	}
	p := vercelPairs[0]
	for _, r := range vercelPairs {
		if v.cmp(mustVersion(r.ai)) >= 0 {
			p = r
		}
	}
	return p, nil
}

// vercelProviderVersion is the @ai-sdk/anthropic version whose behaviour
// applies to d: its own version when the headers named the provider, else
// the one its `ai` version pairs with (v itself when there is none, so
// that an unpaired version is still judged).
func vercelProviderVersion(v version, d detected) version {
	if d.providerPkg {
		return v
	}
	if p, err := vercelPairFor(v); err == nil {
		return mustVersion(p.provider)
	}
	return v
}

// vercelAI resolves the versions of d and answers: what the paired
// @ai-sdk/anthropic does, and whether streamRetries exists in this `ai`.
func vercelAI(a *SDKAnswer, v version, s situation, d detected) {
	var note string
	var ai *version
	if d.providerPkg {
		note = fmt.Sprintf(" (%s is the @ai-sdk/anthropic version named in the User-Agent.)", d.version)
	} else {
		p, err := vercelPairFor(v)
		if err != nil {
			a.Advice = err.Error() + "."
			return
		}
		note = fmt.Sprintf(" (ai %s pairs with @ai-sdk/anthropic %s, by npm's published dependencies.)", d.version, p.span)
		if p.ambiguous {
			note = fmt.Sprintf(" (ai %s shipped alongside @ai-sdk/anthropic %s, whose behaviour changed in that range; this answer assumes %s — name your @ai-sdk/anthropic version in an issue if it differs.)", d.version, p.span, p.provider)
		}
		ai = &v
	}
	vercelAnthropic(a, vercelProviderVersion(v, d), ai, s)
	if a.Advice != "" {
		a.Advice += note
	}
}

// vercelFirstChunkThrows reports whether this @ai-sdk/anthropic version
// turns an error in the first chunk into an APICallError (2.0.50+ on the
// v5 line, PR #10655; 3.0.0-beta.64+ and 3.x+, PR #10653).
func vercelFirstChunkThrows(v version) bool {
	if v.major == 2 {
		return v.atLeast("2.0.50")
	}
	return v.atLeast("3.0.0-beta.64")
}

// vercelAnthropic: domain.md §3.5; sdk-matrix vercel-ai5 (ai 5.0.277 +
// @ai-sdk/anthropic 2.0.112), vercel-ai7 and vercel-ai7-streamRetries
// (ai 7.0.173 + 4.0.105). v is @ai-sdk/anthropic's version; ai is the
// `ai` version when known (nil when only the provider's was detected).
func vercelAnthropic(a *SDKAnswer, v version, ai *version, s situation) {
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		switch {
		case !v.atLeast("0.0.34"):
			a.Raises, a.ErrorTypeAt = "TypeValidationError", "e.value?.error?.type"
			a.Advice = "The provider's schema rejects the error chunk, so it surfaces as a TypeValidationError. Upgrade @ai-sdk/anthropic to 0.0.34 or later (2.0.50+ retries an overload in the first chunk). " + retryAdvice(s)
		case s.first && vercelFirstChunkThrows(v):
			a.Raises = "APICallError"
			if s.errType == "overloaded_error" {
				a.StatusReported, a.BuiltinRetry = intp(529), true
				a.Advice = "An error in the first chunk becomes an APICallError with statusCode 529 and isRetryable true, so maxRetries (default 2) re-sends the request, ending in RetryError when every attempt fails."
			} else {
				a.StatusReported = intp(500)
				a.Advice = "An error in the first chunk becomes an APICallError with statusCode 500 and isRetryable false (only overloaded_error is retryable), so maxRetries does not re-send it. " + retryAdvice(s)
			}
			a.ErrorTypeAt = "JSON.parse(e.responseBody).type"
		case v.major >= 4:
			a.Raises, a.StatusReported, a.ErrorTypeAt = "StreamProviderError (error stream part)", intp(vercelMappedStatus(s.errType)), "e.type"
			a.Advice = "Delivered as an error part in fullStream (and to onError), not thrown; statusCode is mapped from the type. " + vercelStreamRetries(ai) + " " + retryAdvice(s)
		default:
			a.Raises, a.ErrorTypeAt = "error stream part (plain {type, message} object)", "part.error.type"
			a.Advice = "Delivered as an error part in fullStream (and to onError) holding a plain object with no status; the stream then finishes with finishReason \"error\" and result.text resolves with the partial text. Not retried. " + retryAdvice(s)
		}
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "APICallError", intp(s.status), "e.data?.error?.type"
		a.BuiltinRetry = s.status == 408 || s.status == 409 || s.status == 429 || s.status >= 500
		a.Advice = httpRetryAdvice(a.BuiltinRetry, "maxRetries")
		if a.BuiltinRetry {
			a.Advice += " When every attempt fails the call ends in RetryError."
		}
	case sitTruncated:
		a.Advice = "Nothing is raised: the stream finishes normally with finishReason \"unknown\" (ai@5) or \"interrupted\" (ai@7) and no error part." + truncatedAdvice
	case sitDropped:
		a.Raises, a.StatusReported = "APICallError (Failed to process successful response)", intp(200)
		a.Advice = "Thrown from the fullStream iteration (no error part) with statusCode 200 and isRetryable true, yet not re-sent; with ai@5 result.text never settles. Retry only if nothing was delivered."
	}
}

// vercelMappedStatus is the statusCode ai@7's StreamProviderError carries
// (sdk-matrix: overloaded 529, rate_limit 429, api_error 500): the
// appendix A1 status, with 500 for a type the docs do not list.
func vercelMappedStatus(t string) int {
	if st := AnthropicStatus(t); st != 0 {
		return st
	}
	return 500
}

// vercelStreamRetries says when streamText re-sends after an error part.
// streamRetries arrived in ai 7.0.91 (CHANGELOG, 802af1e) and is off when
// omitted (stream-text.ts, ai 7.0.173: "Omit this option to disable all
// stream retry behavior"); with it each error part re-runs the step, and
// sdk-matrix vercel-ai7-streamRetries (streamRetries=2) counted 3 requests
// for each mid-stream error, keeping the failed attempts' text in
// fullStream.
func vercelStreamRetries(ai *version) string {
	const how = "each error part re-runs the step up to N more times (measured: streamRetries: 2 sent 3 requests per mid-stream error), and text already streamed by a failed attempt stays in fullStream."
	switch {
	case ai == nil:
		return "The SDK retries only if you enabled streamRetries (ai 7.0.91 and later, off by default): " + how
	case ai.atLeast("7.0.91"):
		return "The SDK retries only if you enabled streamRetries (off by default): " + how
	}
	return "Not retried: this ai version has no streamRetries (it arrived in ai 7.0.91)."
}

// vercelGoogleMeasured is the citation of the measured Google answers.
const vercelGoogleMeasured = " (measured: e2e/genaijs_test.go against midstream serve, ai 7.0.173 with @ai-sdk/google 4.0.121.)"

// vercelGoogle answers for streamText with @ai-sdk/google on a Gemini
// stream. Only ai 7 (@ai-sdk/google 4.x, the same provider-major pairing
// as @ai-sdk/anthropic's) was run; other versions are "not measured".
func vercelGoogle(a *SDKAnswer, v version, s situation, d detected) {
	s = geminiSituation(s)
	if d.providerPkg && v.major != 4 || !d.providerPkg && v.major != 7 {
		a.Raises = "not measured"
		a.Advice = "Only ai 7.0.173 with @ai-sdk/google 4.0.121 was run against Gemini streams; what this version surfaces was not measured."
		return
	}
	switch s.kind {
	case sitNone:
		a.Advice = completeAdvice
	case sitStreamErr:
		if s.rawTail {
			a.Advice = "Nothing is raised and no error part is delivered: the raw JSON error tail after the last event is dropped silently and the stream finishes with finishReason \"interrupted\", as reported in vercel/ai issue #5217." + vercelGoogleMeasured +
				" Treat finishReason \"interrupted\" as a failure; " + retryAdvice(s)
			return
		}
		a.Raises, a.ErrorTypeAt = "StreamProviderError (error stream part)", "not exposed (e.statusCode and e.message only)"
		if s.mapped != 0 {
			a.StatusReported = intp(s.mapped)
		}
		a.Advice = "Delivered as an error part in fullStream (and to onError), not thrown, with statusCode from the chunk's code; the stream then finishes with finishReason \"error\". " + vercelStreamRetries(&v) + vercelGoogleMeasured + " " + retryAdvice(s)
	case sitHTTPErr:
		a.Raises, a.StatusReported, a.ErrorTypeAt = "APICallError (error stream part)", intp(s.status), "e.data?.error?.status"
		a.BuiltinRetry = s.status == 408 || s.status == 409 || s.status == 429 || s.status >= 500
		a.Advice = "Delivered as an error part, not thrown. " + httpRetryAdvice(a.BuiltinRetry, "maxRetries") + vercelGoogleMeasured
		if a.BuiltinRetry {
			a.Advice += " When every attempt fails the part holds a RetryError."
		}
	case sitTruncated:
		a.Advice = "Nothing is raised: the stream finishes with finishReason \"interrupted\" and no error part." + vercelGoogleMeasured + genaiTruncatedAdvice
	case sitDropped:
		a.Raises = "not measured"
		a.Advice = "A connection that breaks mid-body was not measured with @ai-sdk/google. Retry only if nothing was delivered."
	}
}
