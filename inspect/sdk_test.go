package inspect

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseSDKRef(t *testing.T) {
	tests := []struct {
		name, in          string
		wantName, wantVer string
		wantErr           string
	}{
		{"name and version", "anthropic-python@0.121.0", "anthropic-python", "0.121.0", ""},
		{"leading v is dropped", "anthropic-go@v1.38.0", "anthropic-go", "1.38.0", ""},
		{"version optional means current", "openai-go", "openai-go", CurrentSDKVersions["openai-go"], ""},
		{"empty version means current", "vercel-ai@", "vercel-ai", CurrentSDKVersions["vercel-ai"], ""},
		{"name is case-insensitive", "Anthropic-TypeScript@0.80.1", "anthropic-typescript", "0.80.1", ""},
		{"partial version", "anthropic-typescript@0.80", "anthropic-typescript", "0.80", ""},
		{"pre-release", "vercel-ai@6.0.0-beta.124", "vercel-ai", "6.0.0-beta.124", ""},
		{"unknown name lists the valid ones", "anthropic-ruby@1.0.0", "", "", "anthropic-python, anthropic-typescript, anthropic-go, anthropic-java, vercel-ai, openai-python, openai-node, openai-go, google-genai-go, google-genai-js, google-genai-python, vercel-ai-google"},
		{"bad version", "anthropic-python@latest", "", "", `version "latest" is not of the form 1.2.3`},
		{"empty", "", "", "", "unknown SDK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := ParseSDKRef(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSDKRef(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSDKRef(%q): %v", tt.in, err)
			}
			if ref.Name != tt.wantName || ref.Version != tt.wantVer {
				t.Errorf("ParseSDKRef(%q) = %s@%s, want %s@%s", tt.in, ref.Name, ref.Version, tt.wantName, tt.wantVer)
			}
		})
	}
}

func TestVersionOrder(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{"patch", "0.27.2", "0.27.3", -1},
		{"minor beats patch", "0.80.9", "0.81.0", -1},
		{"numeric not lexical", "0.9.0", "0.10.0", -1},
		{"equal with v", "v1.38.0", "1.38.0", 0},
		{"partial equals .0", "0.80", "0.80.0", 0},
		{"pre-release before release", "3.0.0-beta.64", "3.0.0", -1},
		{"pre-release numeric ids", "3.0.0-beta.63", "3.0.0-beta.64", -1},
		{"numeric id before alpha id", "1.0.0-1", "1.0.0-alpha", -1},
		{"alpha before beta", "0.1.0-alpha.2", "0.1.0-beta.1", -1},
		{"longer pre-release after prefix", "1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"build metadata ignored", "2.15.0+abc", "2.15.0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustVersion(tt.a).cmp(mustVersion(tt.b)); got != tt.want {
				t.Errorf("cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := mustVersion(tt.b).cmp(mustVersion(tt.a)); got != -tt.want {
				t.Errorf("cmp(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestDetectSDK(t *testing.T) {
	const msgs = "https://api.anthropic.com/v1/messages"
	const chat = "https://api.openai.com/v1/chat/completions"
	tests := []struct {
		name     string
		h        http.Header
		url      string
		provider Provider
		want     string // name@version, "" for nil
	}{
		{"python UA", hdr("User-Agent", "Anthropic/Python 0.121.0"), msgs, ProviderAnthropic, "anthropic-python@0.121.0"},
		{"python async UA", hdr("User-Agent", "AsyncAnthropic/Python 0.84.0"), msgs, ProviderAnthropic, "anthropic-python@0.84.0"},
		{"typescript UA", hdr("User-Agent", "Anthropic/JS 1.14.0"), msgs, ProviderAnthropic, "anthropic-typescript@1.14.0"},
		{"go UA (v2 module)", hdr("User-Agent", "Anthropic/Go 2.15.0"), msgs, ProviderAnthropic, "anthropic-go@2.15.0"},
		{"go UA (v1)", hdr("User-Agent", "Anthropic/Go 1.37.2"), msgs, ProviderAnthropic, "anthropic-go@1.37.2"},
		{"java UA", hdr("User-Agent", "Anthropic/Java 2.19.0"), msgs, ProviderAnthropic, "anthropic-java@2.19.0"},
		{"vercel UA slash form", hdr("User-Agent", "ai-sdk/anthropic/4.0.105 ai-sdk/provider-utils/4.0.0 runtime/node.js/22"), msgs, ProviderAnthropic, "vercel-ai@4.0.105"},
		{"vercel UA dash form", hdr("User-Agent", "ai-sdk-anthropic/2.0.112 runtime/node.js/22"), msgs, ProviderAnthropic, "vercel-ai@2.0.112"},
		{"openai python UA", hdr("User-Agent", "OpenAI/Python 1.99.0"), chat, ProviderOpenAIChat, "openai-python@1.99.0"},
		{"openai python async UA", hdr("User-Agent", "AsyncOpenAI/Python 3.3.1"), chat, ProviderOpenAIChat, "openai-python@3.3.1"},
		{"openai node UA", hdr("User-Agent", "OpenAI/JS 4.104.0"), chat, ProviderOpenAIChat, "openai-node@4.104.0"},
		{"openai go UA", hdr("User-Agent", "OpenAI/Go 3.98.0"), chat, ProviderOpenAIChat, "openai-go@3.98.0"},
		{"stainless python + anthropic-version", hdr("X-Stainless-Lang", "python", "X-Stainless-Package-Version", "0.86.0", "Anthropic-Version", "2023-06-01"), "http://127.0.0.1:8787/x", ProviderGeneric, "anthropic-python@0.86.0"},
		{"stainless js by anthropic URL", hdr("X-Stainless-Lang", "js", "X-Stainless-Package-Version", "0.50.0"), msgs, ProviderGeneric, "anthropic-typescript@0.50.0"},
		{"stainless go by provider", hdr("X-Stainless-Lang", "go", "X-Stainless-Package-Version", "v1.38.0"), "http://127.0.0.1/stream", ProviderAnthropic, "anthropic-go@1.38.0"},
		{"stainless java", hdr("X-Stainless-Lang", "java", "X-Stainless-Package-Version", "0.9.0", "Anthropic-Version", "2023-06-01"), msgs, ProviderAnthropic, "anthropic-java@0.9.0"},
		{"stainless kotlin is the java SDK", hdr("X-Stainless-Lang", "kotlin", "X-Stainless-Package-Version", "2.18.0"), msgs, ProviderAnthropic, "anthropic-java@2.18.0"},
		{"stainless js by openai URL", hdr("X-Stainless-Lang", "js", "X-Stainless-Package-Version", "4.12.2"), chat, ProviderGeneric, "openai-node@4.12.2"},
		{"stainless python by openai provider", hdr("X-Stainless-Lang", "python", "X-Stainless-Package-Version", "1.13.4"), "http://127.0.0.1/x", ProviderOpenRouter, "openai-python@1.13.4"},
		{"stainless go to the Responses API", hdr("X-Stainless-Lang", "go", "X-Stainless-Package-Version", "3.17.0"), "https://api.openai.com/v1/responses", ProviderGeneric, "openai-go@3.17.0"},
		{"stainless without a way to tell the vendor", hdr("X-Stainless-Lang", "python", "X-Stainless-Package-Version", "1.0.0"), "http://127.0.0.1/x", ProviderGeneric, ""},
		{"stainless java to openai is unknown", hdr("X-Stainless-Lang", "java", "X-Stainless-Package-Version", "1.0.0"), chat, ProviderOpenAIChat, ""},
		{"stainless unknown language", hdr("X-Stainless-Lang", "ruby", "X-Stainless-Package-Version", "1.0.0"), msgs, ProviderAnthropic, ""},
		{"stainless garbage version", hdr("X-Stainless-Lang", "python", "X-Stainless-Package-Version", "unknown"), msgs, ProviderAnthropic, ""},
		{"UA wins over stainless headers", hdr("User-Agent", "Anthropic/Python 0.87.0", "X-Stainless-Lang", "js", "X-Stainless-Package-Version", "1.0.0"), msgs, ProviderAnthropic, "anthropic-python@0.87.0"},
		{"curl is no SDK", hdr("User-Agent", "curl/8.5.0"), msgs, ProviderAnthropic, ""},
		{"no headers", nil, msgs, ProviderAnthropic, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if r := DetectSDK(tt.h, tt.url, tt.provider); r != nil {
				got = r.Name + "@" + r.Version
			}
			if got != tt.want {
				t.Errorf("DetectSDK = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseSDKRef(f *testing.F) {
	for _, s := range []string{"anthropic-python@0.121.0", "vercel-ai@3.0.0-beta.64", "openai-go@v3.17", "x@", "@", "anthropic-go@1.2.3+meta"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseSDKRef(s)
		if err != nil {
			return
		}
		if _, ok := CurrentSDKVersions[ref.Name]; !ok {
			t.Fatalf("accepted unknown SDK name %q", ref.Name)
		}
		if _, err := parseVersion(ref.Version); err != nil {
			t.Fatalf("accepted unparseable version %q: %v", ref.Version, err)
		}
	})
}

func FuzzDetectSDK(f *testing.F) {
	f.Add("Anthropic/Python 0.121.0", "python", "0.1.0")
	f.Add("ai-sdk/anthropic/4.0.105 runtime/node.js/22", "", "")
	f.Add("AsyncOpenAI/Python 3.0.0-rc.1", "js", "v1")
	f.Add("google-genai-sdk/1.79.1+vertex-genai-modules/0.1 gl-go/go1.26.0", "", "")
	f.Add("ai-sdk/google/4.0.121", "js", "1.14.0")
	f.Fuzz(func(t *testing.T, ua, lang, ver string) {
		h := hdr("User-Agent", ua, "X-Goog-Api-Client", ua, "X-Stainless-Lang", lang, "X-Stainless-Package-Version", ver, "X-Stainless-Helper-Method", lang)
		for _, p := range []Provider{ProviderAnthropic, ProviderOpenAIChat, ProviderGemini, ProviderGeneric} {
			r := DetectSDK(h, "https://api.anthropic.com/v1/messages", p)
			if r == nil {
				continue
			}
			if _, err := parseVersion(r.Version); err != nil {
				t.Fatalf("detected unparseable version %q from %q", r.Version, ua)
			}
			v := &Verdict{Provider: p, Outcome: OutcomeErrorEvent, HTTPStatus: 200, Error: &StreamError{Type: "overloaded_error"}}
			v.SDK = SDKFor(v, Options{SDK: r}) // must not panic for any detected version
			checkReportsSafe(t, &Diagnosis{Exchanges: []*Verdict{v}})
		}
	})
}

// The inspector's p key offers only the SDKs that read the stream's dialect.
func TestSDKNamesFor(t *testing.T) {
	has := func(names []string, prefix string) bool {
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				return true
			}
		}
		return false
	}
	cases := []struct {
		name     string
		p        Provider
		want     []string // prefixes that must be offered
		wantNot  []string // prefixes that must not be
		wantNone bool
	}{
		{"anthropic", ProviderAnthropic, []string{"anthropic-", "vercel-ai"}, []string{"openai-", "google-genai"}, false},
		{"openai chat", ProviderOpenAIChat, []string{"openai-"}, []string{"anthropic-", "google-genai"}, false},
		{"gemini", ProviderGemini, []string{"google-genai"}, []string{"anthropic-", "openai-"}, false},
		{"generic gets all but gemini", ProviderGeneric, []string{"anthropic-", "openai-"}, []string{"google-genai"}, false},
		{"converse gets none", ProviderBedrockConverse, nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SDKNamesFor(c.p)
			if c.wantNone != (len(got) == 0) {
				t.Fatalf("SDKNamesFor(%s) = %v", c.p, got)
			}
			for _, w := range c.want {
				if !has(got, w) {
					t.Errorf("SDKNamesFor(%s) = %v, lacks %s*", c.p, got, w)
				}
			}
			for _, w := range c.wantNot {
				if has(got, w) {
					t.Errorf("SDKNamesFor(%s) = %v, offers %s*", c.p, got, w)
				}
			}
		})
	}
}
