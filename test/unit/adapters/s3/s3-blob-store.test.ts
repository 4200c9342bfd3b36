// The exact S3 requests of the claim-check blob store and its error mapping.
import {
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3BlobStore } from '../../../../src/adapters/aws/s3/s3-blob-store.js';

const s3 = mockClient(S3Client);
const store = new S3BlobStore(new S3Client({ region: 'us-east-1' }), 'wf-payloads');
const KEY = 'payloads/wrun_1/evnt_1/input.bin';

beforeEach(() => s3.reset());

describe('S3BlobStore', () => {
  it('puts with SSE-S3 and the uncommitted tag', async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await store.put(KEY, bytes);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'wf-payloads',
      Key: KEY,
      Body: bytes,
      ContentType: 'application/octet-stream',
      ServerSideEncryption: 'AES256',
      Tagging: 'workflow-commit=pending',
    });
  });

  it('markCommitted removes the tag so the orphan rule no longer applies', async () => {
    s3.on(DeleteObjectTaggingCommand).resolves({});
    await store.markCommitted(KEY);
    expect(s3.commandCalls(DeleteObjectTaggingCommand)[0]!.args[0].input).toEqual({ Bucket: 'wf-payloads', Key: KEY });
  });

  it('gets the exact bytes', async () => {
    // The SDK's stream mixin, reduced to the method the store uses.
    const body = { transformToByteArray: async () => new Uint8Array([0, 1, 2, 255]) };
    s3.on(GetObjectCommand).resolves({ Body: body as never });
    const bytes = await store.get(KEY);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual([0, 1, 2, 255]);
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'wf-payloads', Key: KEY });
  });

  it('a missing object is a WorkflowWorldError 404', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    await expect(store.get(KEY)).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 404 });
  });

  describe('a 403 (the role may list only with a prefix, so S3 cannot answer 404 for a missing key)', () => {
    const denied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

    it('lists exactly that key (within the allowed prefix); not listed → 404', async () => {
      s3.on(GetObjectCommand).rejects(denied());
      s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `${KEY}.other` }] });
      await expect(store.get(KEY)).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 404, code: 'NOT_FOUND' });
      expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([{ Bucket: 'wf-payloads', Prefix: KEY, MaxKeys: 1 }]);
    });

    it('listed → a real denial, reported as such', async () => {
      s3.on(GetObjectCommand).rejects(denied());
      s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: KEY }] });
      await expect(store.get(KEY)).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
    });

    it('listing denied too → the original denial', async () => {
      s3.on(GetObjectCommand).rejects(denied());
      s3.on(ListObjectsV2Command).rejects(denied());
      await expect(store.get(KEY)).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
    });

    it('applies to removing the tag of a missing key too', async () => {
      s3.on(DeleteObjectTaggingCommand).rejects(denied());
      s3.on(ListObjectsV2Command).resolves({});
      await expect(store.markCommitted(KEY)).rejects.toMatchObject({ status: 404 });
    });
  });

  it('a missing bucket is not a missing blob', async () => {
    const noBucket = new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'no bucket' });
    s3.on(GetObjectCommand).rejects(noBucket);
    await expect(store.get(KEY)).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 404, code: 'NoSuchBucket' });
  });

  it('throttling and 5xx map to ThrottleError and 503', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'slow' }));
    await expect(store.put(KEY, new Uint8Array(1))).rejects.toMatchObject({ name: 'ThrottleError', status: 429 });
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'x' }));
    await expect(store.put(KEY, new Uint8Array(1))).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 503 });
  });

  it('deletes', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store.delete(KEY);
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'wf-payloads', Key: KEY });
  });
});
