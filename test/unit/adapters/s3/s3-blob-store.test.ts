// The exact S3 requests of the claim-check blob store and its error mapping.
import {
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
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
