// One-off generator of testdata/node-fetch-har.har: a HAR written by a real
// third-party recorder (node-fetch-har) of an SSE stream and a 529 answer from
// a local server on loopback. Run from this folder:
//
//   npm install --no-save node-fetch@2 node-fetch-har@1.0.1
//   node mk.js ../curl-body.sse ../node-fetch-har.har
//
// Tests never run it.
const http = require('http');
const fetch = require('node-fetch');
const { withHar, createHarLog } = require('node-fetch-har');
const fs = require('fs');
const body = fs.readFileSync(process.argv[2]);
const srv = http.createServer(async (req, res) => {
  req.resume();
  if (req.url.startsWith('/overloaded')) {
    const b = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    res.writeHead(529, {'content-type': 'application/json', 'request-id': 'req_011NODEHAR529', 'content-length': b.length});
    res.end(b);
    return;
  }
  res.writeHead(200, {'content-type': 'text/event-stream', 'request-id': 'req_011NODEHAR', 'cache-control': 'no-cache'});
  const parts = body.toString('utf8').split(/(?<=\n\n)/);
  for (const p of parts) { res.write(p); await new Promise(r => setTimeout(r, 15)); }
  res.end();
}).listen(0, '127.0.0.1', async () => {
  const port = srv.address().port;
  const har = createHarLog();
  const hf = withHar(fetch, { har });
  const key = 'sk-ant-api03-CANARY0123456789abcdefghijklmnopqrstuvwxyz';
  const opts = { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'cookie': 'session=' + key },
    body: '{"model":"claude-sonnet-4-5","stream":true,"max_tokens":64}' };
  let r = await hf(`http://127.0.0.1:${port}/v1/messages?key=${key}`, opts); await r.text();
  r = await hf(`http://127.0.0.1:${port}/overloaded`, opts); await r.text();
  fs.writeFileSync(process.argv[3], JSON.stringify(har, null, 2));
  srv.close();
});
