package inspect

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// The SDK names --sdk accepts, in the order reports list them.
const (
	SDKAnthropicPython     = "anthropic-python"
	SDKAnthropicTypeScript = "anthropic-typescript"
	SDKAnthropicGo         = "anthropic-go"
	SDKAnthropicJava       = "anthropic-java"
	SDKVercelAI            = "vercel-ai"
	SDKOpenAIPython        = "openai-python"
	SDKOpenAINode          = "openai-node"
	SDKOpenAIGo            = "openai-go"
)

// SDKNames lists every SDK name midstream knows, in report order.
var SDKNames = []string{
	SDKAnthropicPython, SDKAnthropicTypeScript, SDKAnthropicGo, SDKAnthropicJava,
	SDKVercelAI, SDKOpenAIPython, SDKOpenAINode, SDKOpenAIGo,
}

// CurrentSDKVersions is the newest version of each SDK that the tables
// were checked against (domain.md snapshot and sdk-matrix.md runs). It is
// the version assumed when --sdk names no version, and the one SDKTable
// reports.
var CurrentSDKVersions = map[string]string{
	SDKAnthropicPython:     "0.121.0",
	SDKAnthropicTypeScript: "1.14.0",
	SDKAnthropicGo:         "2.15.0",
	SDKAnthropicJava:       "2.57.0",
	SDKVercelAI:            "4.0.105",
	SDKOpenAIPython:        "3.3.1",
	SDKOpenAINode:          "7.57.0",
	SDKOpenAIGo:            "3.98.0",
}

// isAnthropicSDK reports whether name is an SDK that talks to Anthropic's
// Messages API (the Vercel provider included).
func isAnthropicSDK(name string) bool { return !strings.HasPrefix(name, "openai-") }

// ParseSDKRef parses --sdk NAME[@VERSION]. The version may carry a leading
// "v" and may be partial ("0.80" means 0.80.0); without one the current
// version of that SDK is assumed.
func ParseSDKRef(s string) (*SDKRef, error) {
	name, ver, hasVer := strings.Cut(strings.TrimSpace(s), "@")
	name = strings.ToLower(strings.TrimSpace(name))
	if _, ok := CurrentSDKVersions[name]; !ok {
		return nil, fmt.Errorf("unknown SDK %q: want NAME[@VERSION] with NAME one of %s", name, strings.Join(SDKNames, ", "))
	}
	ver = strings.TrimSpace(ver)
	if !hasVer || ver == "" {
		return &SDKRef{Name: name, Version: CurrentSDKVersions[name]}, nil
	}
	if _, err := parseVersion(ver); err != nil {
		return nil, fmt.Errorf("SDK %s: %v", name, err)
	}
	return &SDKRef{Name: name, Version: strings.TrimPrefix(ver, "v")}, nil
}

// version is a parsed semantic version; pre holds the dot-separated
// pre-release identifiers ("beta.64" → ["beta","64"]).
type version struct {
	major, minor, patch int
	pre                 []string
}

var versionRE = regexp.MustCompile(`^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.\-]+))?(?:\+[0-9A-Za-z.\-]+)?$`)

// parseVersion reads "1.2.3", "v1.2.3", "1.2", "3.0.0-beta.64".
func parseVersion(s string) (version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{}, fmt.Errorf("version %q is not of the form 1.2.3", s)
	}
	var v version
	v.major, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		v.minor, _ = strconv.Atoi(m[2])
	}
	if m[3] != "" {
		v.patch, _ = strconv.Atoi(m[3])
	}
	if m[4] != "" {
		v.pre = strings.Split(m[4], ".")
	}
	return v, nil
}

// mustVersion parses a version written in the tables.
func mustVersion(s string) version {
	v, err := parseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// cmp orders versions as semver does: a pre-release sorts before its
// release; numeric identifiers compare as numbers.
func (a version) cmp(b version) int {
	for _, d := range [3]int{a.major - b.major, a.minor - b.minor, a.patch - b.patch} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		x, errx := strconv.Atoi(a.pre[i])
		y, erry := strconv.Atoi(b.pre[i])
		switch {
		case errx == nil && erry == nil:
			if x != y {
				return sign(x - y)
			}
		case errx == nil:
			return -1
		case erry == nil:
			return 1
		default:
			if c := strings.Compare(a.pre[i], b.pre[i]); c != 0 {
				return c
			}
		}
	}
	return sign(len(a.pre) - len(b.pre))
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// atLeast reports whether v >= s.
func (a version) atLeast(s string) bool { return a.cmp(mustVersion(s)) >= 0 }

// detected is an SDK recognised in request headers.
type detected struct {
	name    string
	version string
	async   bool // Python's AsyncAnthropic / AsyncOpenAI client
}

// uaRules map User-Agent tokens to SDK names. The Python clients put their
// class name first ("AsyncAnthropic/Python 0.121.0").
var uaRules = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`(?i)\b(Async)?Anthropic/Python\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKAnthropicPython},
	{regexp.MustCompile(`(?i)\bAnthropic/(?:JS|TypeScript|Node)\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKAnthropicTypeScript},
	{regexp.MustCompile(`(?i)\bAnthropic/Go\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKAnthropicGo},
	{regexp.MustCompile(`(?i)\bAnthropic/(?:Java|Kotlin)\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKAnthropicJava},
	{regexp.MustCompile(`(?i)\bai-sdk[/\-]anthropic/v?([0-9][0-9A-Za-z.\-+]*)`), SDKVercelAI},
	{regexp.MustCompile(`(?i)\b(Async)?(?:Azure)?OpenAI/Python\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKOpenAIPython},
	{regexp.MustCompile(`(?i)\bOpenAI/(?:JS|TypeScript|Node)\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKOpenAINode},
	{regexp.MustCompile(`(?i)\bOpenAI/Go\s+v?([0-9][0-9A-Za-z.\-+]*)`), SDKOpenAIGo},
}

// DetectSDK names the SDK that sent a request, from its User-Agent or the
// X-Stainless-Lang and X-Stainless-Package-Version headers; url and
// provider decide between the Anthropic and OpenAI SDK of a Stainless
// language. It returns nil when the headers name no known SDK.
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
	for _, ua := range h.Values("User-Agent") {
		for _, r := range uaRules {
			m := r.re.FindStringSubmatch(ua)
			if m == nil {
				continue
			}
			ver := m[len(m)-1]
			if _, err := parseVersion(ver); err != nil {
				continue
			}
			return &detected{name: r.name, version: strings.TrimPrefix(ver, "v"), async: len(m) == 3 && m[1] != ""}
		}
	}
	lang := strings.ToLower(strings.TrimSpace(h.Get("X-Stainless-Lang")))
	ver := strings.TrimPrefix(strings.TrimSpace(h.Get("X-Stainless-Package-Version")), "v")
	if lang == "" {
		return nil
	}
	if _, err := parseVersion(ver); err != nil {
		return nil
	}
	anthropic := h.Get("Anthropic-Version") != "" || h.Get("X-Api-Key") != "" && h.Get("Authorization") == ""
	openai := false
	lu := strings.ToLower(url)
	switch {
	case anthropic:
	case strings.Contains(lu, "anthropic") || strings.Contains(lu, "/v1/messages"):
		anthropic = true
	case strings.Contains(lu, "openai") || strings.Contains(lu, "/chat/completions") || strings.Contains(lu, "/responses"):
		openai = true
	case provider == ProviderAnthropic:
		anthropic = true
	case provider == ProviderOpenAIChat || provider == ProviderOpenAIResponses || provider == ProviderOpenRouter:
		openai = true
	}
	if !anthropic && !openai {
		return nil
	}
	byLang := map[string][2]string{
		"python": {SDKAnthropicPython, SDKOpenAIPython},
		"js":     {SDKAnthropicTypeScript, SDKOpenAINode},
		"go":     {SDKAnthropicGo, SDKOpenAIGo},
		"java":   {SDKAnthropicJava, ""},
		"kotlin": {SDKAnthropicJava, ""},
	}
	names, ok := byLang[lang]
	if !ok {
		return nil
	}
	name := names[0]
	if openai {
		name = names[1]
	}
	if name == "" {
		return nil
	}
	return &detected{name: name, version: ver}
}

// SDKFor says what the user's SDK does with the exchange of v: the SDK
// named in opt.SDK (DetectedFrom "flag"), else the one detected from the
// request headers ("headers"); nil when neither is known.
func SDKFor(v *Verdict, opt Options) *SDKAnswer {
	if v == nil {
		return nil
	}
	if opt.SDK != nil {
		ver := opt.SDK.Version
		if ver == "" {
			ver = CurrentSDKVersions[opt.SDK.Name]
		}
		return answerFor(v, situationOf(v), detected{name: opt.SDK.Name, version: ver}, "flag")
	}
	if v.Exchange == nil || v.Exchange.Request == nil {
		return nil
	}
	d := detectSDK(v.Exchange.Request.Header, v.Exchange.Request.URL, v.Provider)
	if d == nil {
		return nil
	}
	return answerFor(v, situationOf(v), *d, "headers")
}

// SDKTable answers for the current version of every SDK that speaks the
// exchange's protocol; reports show it when the user's SDK is unknown.
func SDKTable(v *Verdict) []SDKAnswer {
	if v.Provider == ProviderGemini {
		// No Gemini SDK's behaviour is in the table yet: answering with
		// the OpenAI or Anthropic SDKs' would be a guess.
		return nil
	}
	var out []SDKAnswer
	// One situation for every row: deriving it re-reads the whole body to
	// find the error event, which need not happen once per SDK.
	s := situationOf(v)
	for _, name := range SDKNames {
		if isAnthropicSDK(name) != (v.Provider == ProviderAnthropic) && v.Provider != ProviderGeneric {
			continue
		}
		if a := answerFor(v, s, detected{name: name, version: CurrentSDKVersions[name]}, "table"); a != nil {
			out = append(out, *a)
		}
	}
	return out
}
