// A counting proxy for the SQS and S3 emulators (cost model only): forwards
// every request unchanged and records its operation, so a whole run's SQS and
// S3 requests can be priced. Bodies are never logged.
import { createServer, request as httpRequest } from 'node:http';

async function readBody(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** SQS (JSON protocol: `X-Amz-Target: AmazonSQS.<Op>`; query protocol: `Action=<Op>`). */
function sqsOperation(req, body) {
  const target = req.headers['x-amz-target'];
  if (target) return String(target).split('.').pop();
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'));
  return action?.[1] ?? 'Unknown';
}

/** S3, priced by request class: PUT/COPY/POST/LIST are tier 1, GET/HEAD tier 2, DELETE free. */
function s3Operation(req) {
  const url = new URL(req.url ?? '/', 'http://x');
  const method = req.method ?? 'GET';
  if (url.searchParams.has('tagging')) return `${method}Tagging`;
  if (method === 'GET' && url.pathname.split('/').filter(Boolean).length <= 1) return 'LIST';
  return method;
}

/** Whether a ReceiveMessage response (JSON or query protocol) carries at least one message. */
export function receivedAny(body) {
  return /"Messages"\s*:\s*\[\s*\{/.test(body) || body.includes('<Message>');
}

export const S3_TIER1 = new Set(['PUT', 'POST', 'LIST', 'PUTTagging', 'COPY']);
export const S3_TIER2 = new Set(['GET', 'HEAD', 'GETTagging']);

/** kind: 'sqs' | 's3'. Returns { endpoint, take(): { op: count }, stop() }. */
export async function startRequestCounter({ target, kind }) {
  const targetUrl = new URL(target);
  let counts = {};
  const inflight = new Set();
  const server = createServer((req, res) => {
    const handled = (async () => {
      const raw = await readBody(req);
      let op = kind === 'sqs' ? sqsOperation(req, raw) : s3Operation(req);
      const headers = { ...req.headers, host: targetUrl.host, 'content-length': String(raw.length) };
      await new Promise((resolve) => {
        const out = httpRequest({ hostname: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers }, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          if (kind === 'sqs' && op === 'ReceiveMessage') {
            // Empty receives are counted apart: idle polling, not a message's cost (see workflow-cost.mjs).
            const seen = [];
            upstream.on('data', (chunk) => seen.push(chunk));
            upstream.on('end', () => {
              if (!receivedAny(Buffer.concat(seen).toString('utf8'))) op = 'ReceiveMessageEmpty';
            });
          }
          upstream.pipe(res);
          upstream.on('end', resolve);
          upstream.on('error', resolve);
        });
        out.on('error', (error) => {
          if (!res.headersSent) res.writeHead(502).end(String(error?.message ?? error));
          resolve();
        });
        out.end(raw);
      });
      counts[op] = (counts[op] ?? 0) + 1;
    })()
      .catch(() => {})
      .finally(() => inflight.delete(handled));
    inflight.add(handled);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    /** Requests by operation since the last take(); long polls still open are counted when they return. */
    take() {
      const out = counts;
      counts = {};
      return out;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
