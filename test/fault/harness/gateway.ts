// A gateway in front of the replicas' delivery routes, on 127.0.0.1: requests
// go round-robin to the replicas, and one that has no answer after
// `timeoutMs` gets a 504 while the replica keeps running it (as API Gateway
// does at 29 s, an ALB at its idle timeout, a proxy at its read timeout).
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, startLoopbackServer } from './loopback-server.js';

export interface Gateway {
  readonly url: string;
  /** Where requests go; updated as replicas restart. */
  setBackends(origins: string[]): void;
  /** How many requests were answered 504 while the replica still ran them. */
  readonly timeouts: number;
  close(): Promise<void>;
}

export async function startGateway(timeoutMs: number): Promise<Gateway> {
  let backends: string[] = [];
  let next = 0;
  let timeouts = 0;

  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (backends.length === 0) {
      res.writeHead(503).end('no backend');
      return;
    }
    const origin = new URL(backends[next++ % backends.length]!);
    const timer = setTimeout(() => {
      timeouts++;
      if (!res.headersSent) res.writeHead(504).end('gateway timeout');
    }, timeoutMs);
    const upstream = httpRequest(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: { ...req.headers, host: origin.host } },
      (answer) => {
        clearTimeout(timer);
        if (res.headersSent) {
          answer.resume(); // the replica finished after the gateway gave up: its answer is dropped
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!res.headersSent) res.writeHead(502).end('bad gateway');
    });
    upstream.end(body);
  };

  const server = await startLoopbackServer(forward);
  return {
    url: server.url,
    setBackends(origins) {
      backends = [...origins];
    },
    get timeouts() {
      return timeouts;
    },
    close: () => server.close(),
  };
}
