// A loopback proxy in front of one local AWS endpoint (DynamoDB, SQS or S3):
// forwards every request, optionally adds a delay, optionally rewrites JSON
// bodies, and reports every exchange with its operation, resource and start
// and end times. The added delay is split: half before the request is
// forwarded, half before the response is returned, as a network's two legs
// are (a long poll parked at the service pays only the second half).
import { createServer, request as httpRequest } from 'node:http';
import { now, sleep } from './stats.mjs';

async function readAll(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

const parseJson = (buffer) => {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** The item kind a DynamoDB request touches: the `S#`/`W#`/`K#` sort-key prefix, the `Q#k`/`Q#w`/`Q#n` queue-record prefix, or the index. */
function dynamoKind(body) {
  const key = body?.Key ?? body?.Item ?? body?.TransactItems?.[0]?.Put?.Item ?? body?.TransactItems?.[0]?.Update?.Key;
  const pk = key?.pk?.S ?? '';
  const sk = key?.sk?.S ?? '';
  if (pk.startsWith('Q#')) return pk.slice(0, 3);
  if (/^[SWK]#/.test(sk)) return sk.slice(0, 2);
  if (body?.Item?.eventType?.S) return body.Item.eventType.S; // an event's commit
  return body?.IndexName ? `index ${body.IndexName}` : '';
}

function dynamoTable(body) {
  if (body?.TableName) return body.TableName;
  const tables = new Set();
  for (const item of body?.TransactItems ?? []) tables.add(Object.values(item)[0]?.TableName);
  for (const name of Object.keys(body?.RequestItems ?? {})) tables.add(name);
  return [...tables].filter(Boolean).sort().join('+');
}

/** { op, resource, kind } of one request. `installation` is stripped from resource names (`bench-events` → `events`). */
export function describeRequest(service, req, body, installation = 'bench') {
  const strip = (name) => String(name ?? '').replace(new RegExp(`^${installation}-`), '');
  const target = req.headers['x-amz-target'];
  if (service === 'dynamodb') return { op: String(target ?? '').split('.').pop(), resource: strip(dynamoTable(body)), kind: dynamoKind(body) };
  if (service === 'sqs') {
    const op = target ? String(target).split('.').pop() : (/(?:^|&)Action=([A-Za-z]+)/.exec(String(body ?? ''))?.[1] ?? 'Unknown');
    return { op, resource: strip(String(body?.QueueUrl ?? '').split('/').pop()), kind: '' };
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname.split('/').filter(Boolean);
  return { op: req.method ?? 'GET', resource: strip(path[0]), kind: path.length > 1 ? 'object' : 'bucket' };
}

/**
 * service: 'dynamodb' | 'sqs' | 's3'. observe(record) gets
 * { service, op, resource, kind, start, end, status, body, response }
 * (times in ms, performance.now()); rewrite(body, op) may change a JSON body.
 * Returns { endpoint, setDelay(ms), stop() }.
 */
export async function startAwsProxy({ target, service, delayMs = 0, observe = () => {}, rewrite }) {
  const upstream = new URL(target);
  let delay = delayMs;
  const server = createServer(async (req, res) => {
    const start = now();
    try {
      let raw = await readAll(req);
      let body = parseJson(raw);
      const described = describeRequest(service, req, body ?? raw.toString('utf8'));
      if (body && rewrite) {
        body = rewrite(body, described.op);
        raw = Buffer.from(JSON.stringify(body));
      }
      if (delay) await sleep(delay / 2);
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(raw.length) };
      const reply = await new Promise((resolve, reject) => {
        const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, resolve);
        out.on('error', reject);
        out.end(raw);
      });
      const responseBody = await readAll(reply);
      if (delay) await sleep(delay / 2);
      res.writeHead(reply.statusCode ?? 500, reply.headers).end(responseBody);
      observe({ service, ...described, start, end: now(), status: reply.statusCode, body, response: service === 's3' ? undefined : parseJson(responseBody) });
    } catch (error) {
      if (!res.headersSent) res.writeHead(502).end(String(error?.message ?? error));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    setDelay: (ms) => {
      delay = ms;
    },
    stop: () => new Promise((resolve) => (server.closeAllConnections?.(), server.close(resolve))),
  };
}

/** Proxies in front of the local AWS's DynamoDB, SQS and S3; `env` points a world at them. */
export async function startAwsProxies(localEnv, { delayMs = 0, observe, rewrite = {} } = {}) {
  const endpoints = { dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB', sqs: 'AWS_ENDPOINT_URL_SQS', s3: 'AWS_ENDPOINT_URL_S3' };
  const proxies = {};
  for (const [service, variable] of Object.entries(endpoints)) {
    proxies[service] = await startAwsProxy({ target: localEnv[variable], service, delayMs, observe, rewrite: rewrite[service] });
  }
  return {
    env: { ...localEnv, ...Object.fromEntries(Object.entries(endpoints).map(([service, variable]) => [variable, proxies[service].endpoint])) },
    setDelay: (ms) => Object.values(proxies).forEach((p) => p.setDelay(ms)),
    stop: () => Promise.all(Object.values(proxies).map((p) => p.stop())),
  };
}
