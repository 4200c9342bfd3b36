// Routes chosen DynamoDB operations to add-on handlers ahead of dynalite's own
// request listener, which answers every operation it does not know with
// UnknownOperationException before reading further. The X-Amz-Target header
// names the operation, so the choice is made before the body is read, and any
// other request reaches dynalite untouched.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { ApiError, serializationException } from './api-error.js';
import { isDynaliteError } from './internals.js';

export type OperationHandler = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

const API_VERSION = 'DynamoDB_20120810';
/** dynalite's own request size limit. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const JSON_TYPES = ['application/x-amz-json-1.0', 'application/json'];

export function interceptOperations(server: Server, handlers: Record<string, OperationHandler>): void {
  const dynaliteListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const [api, operation] = String(req.headers['x-amz-target'] ?? '').split('.');
    const handler = api === API_VERSION && operation ? handlers[operation] : undefined;
    if (handler && req.method === 'POST') {
      void handle(req, res, handler);
      return;
    }
    for (const listener of dynaliteListeners) listener.call(server, req, res);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, handler: OperationHandler): Promise<void> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch {
    res.statusCode = 413;
    res.end();
    return;
  }
  try {
    if (!JSON_TYPES.includes(contentType)) throw new ApiError('com.amazon.coral.service#UnknownOperationException', 'Unsupported content type', 404);
    if (!isSigned(req)) {
      throw new ApiError('com.amazon.coral.service#MissingAuthenticationTokenException', 'Request is missing Authentication Token');
    }
    const body = parseJson(raw);
    send(res, contentType, 200, await handler(body));
  } catch (err) {
    if (isDynaliteError(err)) send(res, contentType, err.statusCode, err.body);
    else send(res, contentType, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('request too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** dynalite checks that a request is signed (header or query), not the signature itself. */
function isSigned(req: IncomingMessage): boolean {
  const auth = req.headers.authorization;
  if (auth) return auth.trim().startsWith('AWS4-');
  return new URL(req.url ?? '/', 'http://localhost').searchParams.has('X-Amz-Algorithm');
}

function parseJson(raw: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw serializationException('Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw serializationException('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** The headers dynalite sends: a request id, the body's CRC32 (which AWS SDKs may verify) and its length. */
function send(res: ServerResponse, contentType: string, statusCode: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.statusCode = statusCode;
  res.setHeader('x-amzn-RequestId', randomBytes(39).toString('base64').toUpperCase().replace(/\+|\//g, '0'));
  res.setHeader('x-amz-crc32', crc32(body));
  res.setHeader('Content-Type', contentType === 'application/x-amz-json-1.0' ? contentType : 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  res.end(body);
}
