// Usage: npm run build && node --expose-gc bench/forged-delivery.mjs <signed|unsigned> <none|wrong>
// Measures a forged 256 MiB POST against the real queue handler behind a node:http server
// that hands the handler a streaming Request (as Next.js and undici-based servers do).
import { createServer, request } from 'node:http';
import { Readable } from 'node:stream';
import { createWorld } from '../dist/index.js';
const world = createWorld({ adapters: 'memory', consumer: 'none', signingSecret: process.argv[2] === 'unsigned' ? undefined : 's3cret-of-at-least-32-bytes-0123456789' });
const handler = world.createQueueHandler('__wkf_workflow_', async () => undefined);
let read = 0;
const server = createServer(async (req, res) => {
  const counted = Readable.toWeb(req.on('data', (c) => (read += c.length)));
  const web = new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers: req.headers, body: counted, duplex: 'half' });
  const response = await handler(web);
  res.writeHead(response.status, { connection: 'close' }).end(await response.text());
  req.destroy();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();
global.gc?.();
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const total = 256 * 1024 * 1024;
const status = await new Promise((resolve) => {
  const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/.well-known/workflow/v1/flow', headers: {
    'content-length': String(total), 'x-workflow-aws-attempt': '1', 'x-workflow-aws-timestamp': String(Date.now()),
    ...(process.argv[3] === 'wrong' ? { 'x-workflow-aws-signature': `v2=${total}.${'a'.repeat(64)}.${'b'.repeat(64)}` } : {}),
  } }, (res) => { res.resume(); resolve(res.statusCode); });
  req.on('error', () => {});
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const pump = () => { while (sent < total) { sent += chunk.length; if (!req.write(chunk)) return req.once('drain', pump); } req.end(); };
  pump();
});
const ms = performance.now() - t0;
console.log(JSON.stringify({ mode: `${process.argv[2] ?? 'signed'}/${process.argv[3] ?? 'none'}`, status, ms: Math.round(ms), serverBytesRead: read, rssGrowthMiB: +((process.memoryUsage().rss - rss0) / 1048576).toFixed(1) }));
server.closeAllConnections(); server.close(); process.exit(0);
