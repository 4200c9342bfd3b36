// S3 object tagging for fauxqs 1.9, which has none: it routes
// PUT /bucket/key?tagging to PutObject (the Tagging XML replaces the object's
// bytes) and DELETE /bucket/key?tagging to DeleteObject (the object is gone).
// The blob store tags uploads uncommitted and clears the tag on commit, so
// without this a local commit would destroy its own payload.
//
// Tags live in memory next to fauxqs's objects. Fastify hooks answer the
// ?tagging requests before fauxqs's routes see them, and follow the writes
// that set or drop tags (PutObject, multipart completion, deletes) as their
// responses go out, so a tag change is visible before the client hears back.
import type { buildApp } from 'fauxqs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deletedKeys, errorXml, invalidTags, parseTaggingHeader, parseTaggingXml, taggingXml, type Tag } from './tag-xml.js';

type FauxqsApp = ReturnType<typeof buildApp>;

interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  rawPath: string;
}

export function addObjectTagging(app: FauxqsApp): void {
  const tags = new Map<string, Tag[]>();
  /** Tags given to CreateMultipartUpload, applied when the upload completes. */
  const pendingUploads = new Map<string, { id: string; tags: Tag[] }>();
  const id = (bucket: string, key: string) => `${bucket}/${key}`;

  app.addHook('preHandler', async (request, reply) => {
    const s3 = s3Request(request);
    if (!s3 || !s3.key || !('tagging' in s3.query)) return;
    if (!(await objectExists(app, s3.rawPath))) return reply.code(404).header('content-type', 'application/xml').send(errorXml('NoSuchKey', 'The specified key does not exist.'));
    const objectId = id(s3.bucket, s3.key);
    if (s3.method === 'GET') return reply.code(200).header('content-type', 'application/xml').send(taggingXml(tags.get(objectId) ?? []));
    if (s3.method === 'DELETE') {
      tags.delete(objectId);
      return reply.code(204).send();
    }
    if (s3.method === 'PUT') {
      const next = parseTaggingXml(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : String(request.body ?? ''));
      const invalid = invalidTags(next);
      if (invalid) return reply.code(400).header('content-type', 'application/xml').send(errorXml('InvalidTag', invalid));
      setTags(tags, objectId, next);
      return reply.code(200).send();
    }
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const s3 = s3Request(request);
    // Answers to ?tagging requests come from the preHandler above.
    if (!s3 || reply.statusCode >= 300 || 'tagging' in s3.query) return payload;
    const objectId = id(s3.bucket, s3.key);
    if (s3.method === 'PUT' && s3.key && !('partNumber' in s3.query)) {
      // A new object version starts with the tags sent with it, or none.
      setTags(tags, objectId, parseTaggingHeader(header(s3, 'x-amz-tagging')));
    } else if (s3.method === 'POST' && s3.key && 'uploads' in s3.query) {
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(String(payload))?.[1];
      if (uploadId) pendingUploads.set(uploadId, { id: objectId, tags: parseTaggingHeader(header(s3, 'x-amz-tagging')) });
    } else if (s3.method === 'POST' && s3.key && typeof s3.query.uploadId === 'string') {
      const pending = pendingUploads.get(s3.query.uploadId);
      pendingUploads.delete(s3.query.uploadId);
      setTags(tags, objectId, pending?.tags ?? []);
    } else if (s3.method === 'DELETE' && s3.key && typeof s3.query.uploadId === 'string') {
      pendingUploads.delete(s3.query.uploadId);
    } else if (s3.method === 'DELETE' && s3.key) {
      tags.delete(objectId);
    } else if (s3.method === 'POST' && !s3.key) {
      for (const key of deletedKeys(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '')) tags.delete(id(s3.bucket, key));
    } else if (s3.method === 'DELETE' && !s3.key) {
      for (const objectKey of tags.keys()) if (objectKey.startsWith(`${s3.bucket}/`)) tags.delete(objectKey);
    } else if ((s3.method === 'GET' || s3.method === 'HEAD') && s3.key) {
      const count = tags.get(objectId)?.length ?? 0;
      if (count > 0) reply.header('x-amz-tagging-count', String(count));
    }
    return payload;
  });
}

/**
 * Asks fauxqs itself (a HEAD over loopback) so the answer matches its store.
 * Fastify's inject() would avoid the socket, but fails under Jest's module loader.
 */
function objectExists(app: FauxqsApp, rawPath: string): Promise<boolean> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'HEAD', path: rawPath, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode !== 404);
    });
    req.on('error', reject);
    req.end();
  });
}

function setTags(tags: Map<string, Tag[]>, objectId: string, next: Tag[]): void {
  if (next.length > 0) tags.set(objectId, next);
  else tags.delete(objectId);
}

/** Path-style S3 requests only; SQS and SNS requests are POSTs to `/` and have no bucket. */
function s3Request(request: { method: string; params: unknown; query: unknown; headers: S3Request['headers']; raw: { url?: string } }): S3Request | undefined {
  const params = (request.params ?? {}) as { bucket?: string; '*'?: string };
  if (!params.bucket) return undefined;
  return {
    method: request.method,
    bucket: params.bucket,
    key: params['*'] ?? '',
    query: (request.query ?? {}) as Record<string, unknown>,
    headers: request.headers,
    rawPath: (request.raw.url ?? '/').split('?')[0]!,
  };
}

function header(s3: S3Request, name: string): string | undefined {
  const value = s3.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
