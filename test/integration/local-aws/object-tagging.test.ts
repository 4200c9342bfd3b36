// Object tagging on fauxqs with the add-on, through the real S3 client: the
// calls the blob store makes to mark a payload committed must not touch its bytes.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, startFauxqs, type RunningServer } from '../../../src/infra/local-aws/index.js';

const Bucket = 'tags';
let server: RunningServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startFauxqs();
  s3 = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS }, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket }));
});

afterAll(async () => {
  s3.destroy();
  await server.stop();
});

const tagsOf = async (Key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet;
const body = async (Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

it('keeps the tags sent with PutObject', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/1', Body: 'payload', Tagging: 'workflow-commit=pending&other=a%20b' }));
  expect(await tagsOf('p/1')).toEqual([
    { Key: 'workflow-commit', Value: 'pending' },
    { Key: 'other', Value: 'a b' },
  ]);
  expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'p/1' }))).TagCount).toBe(2);
});

it('DeleteObjectTagging removes the tags and keeps the object', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/2', Body: 'payload-2', Tagging: 'workflow-commit=pending' }));
  await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'p/2' }));
  expect(await tagsOf('p/2')).toEqual([]);
  expect(await body('p/2')).toBe('payload-2');
});

it('PutObjectTagging replaces the tags and keeps the bytes', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/3', Body: 'payload-3', Tagging: 'workflow-commit=pending' }));
  await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'p/3', Tagging: { TagSet: [{ Key: 'kept', Value: '<&>' }] } }));
  expect(await tagsOf('p/3')).toEqual([{ Key: 'kept', Value: '<&>' }]);
  await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'p/3', Tagging: { TagSet: [] } }));
  expect(await tagsOf('p/3')).toEqual([]);
  expect(await body('p/3')).toBe('payload-3');
});

it('answers NoSuchKey for a missing object and InvalidTag for more than 10 tags', async () => {
  await expect(s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'p/missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  await expect(s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'p/missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/4', Body: 'x' }));
  const many = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await expect(s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'p/4', Tagging: { TagSet: many } }))).rejects.toMatchObject({ name: 'InvalidTag' });
});

it('forgets tags when the object is overwritten or deleted', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/5', Body: 'a', Tagging: 'x=1' }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/5', Body: 'b' }));
  expect(await tagsOf('p/5')).toEqual([]);

  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/6', Body: 'a', Tagging: 'x=1' }));
  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'p/6' }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/6', Body: 'again' }));
  expect(await tagsOf('p/6')).toEqual([]);

  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/7', Body: 'a', Tagging: 'x=1' }));
  await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'p/7' }] } }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'p/7', Body: 'again' }));
  expect(await tagsOf('p/7')).toEqual([]);
});

it('applies the tags of a multipart upload when it completes', async () => {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'p/big', Tagging: 'workflow-commit=pending' }));
  const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'p/big', UploadId, PartNumber: 1, Body: 'only-part' }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'p/big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  expect(await tagsOf('p/big')).toEqual([{ Key: 'workflow-commit', Value: 'pending' }]);
  expect(await body('p/big')).toBe('only-part');
});
