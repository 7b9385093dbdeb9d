// probe.mjs SDK BASE_URL MAX_RETRIES: stream one Gemini request through a
// JS SDK pointed at BASE_URL (a loopback `midstream serve`) and print, as
// one JSON line, what the SDK surfaced: the text received, the error it
// threw (class name, status, message) or the error parts it delivered,
// and the last finish reason. SDK is "genai" (@google/genai) or "vercel"
// (ai + @ai-sdk/google). MAX_RETRIES is "default" or a number. Run by
// e2e/genaijs_test.go; the key is a canary that never leaves loopback.
const [sdk, baseURL, retries] = process.argv.slice(2);
const apiKey = 'AIzaSyE2E-CANARY-0123456789abcdefghijk';
const out = { text: '', chunks: 0, finish: null, thrown: null, errorParts: [] };
const describe = (e) => ({
  name: e?.constructor?.name ?? typeof e,
  status: e?.status ?? e?.statusCode ?? null,
  message: String(e?.message ?? e).slice(0, 300),
});

try {
  if (sdk === 'genai') {
    const { GoogleGenAI } = await import('@google/genai');
    const opts = { baseUrl: baseURL };
    if (retries !== 'default') opts.retryOptions = { attempts: Number(retries) + 1 };
    const ai = new GoogleGenAI({ apiKey, httpOptions: opts });
    const s = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello' });
    for await (const c of s) {
      out.chunks++;
      out.text += c.text ?? '';
      out.finish = c.candidates?.[0]?.finishReason ?? out.finish;
    }
  } else if (sdk === 'vercel') {
    const { streamText } = await import('ai');
    const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
    const google = createGoogleGenerativeAI({ apiKey, baseURL: baseURL + '/v1beta' });
    const params = { model: google('gemini-2.5-flash'), prompt: 'Say hello', onError: () => {} };
    if (retries !== 'default') params.maxRetries = Number(retries);
    const r = streamText(params);
    for await (const p of r.fullStream) {
      if (p.type === 'text-delta') { out.chunks++; out.text += p.text ?? p.delta ?? ''; }
      if (p.type === 'error') out.errorParts.push(describe(p.error));
      if (p.type === 'finish') out.finish = p.finishReason;
    }
  } else {
    throw new Error(`unknown SDK ${sdk}`);
  }
} catch (e) {
  out.thrown = describe(e);
}
console.log(JSON.stringify(out));
