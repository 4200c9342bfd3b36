// A bucket in another region: what the SDK really throws (its own deserializer,
// fed the response S3 sends), how otherBucketRegion reads it, and what the
// blob store makes of it.
import { GetObjectCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { otherBucketRegion } from '../../../../src/adapters/aws/aws-errors.js';
import { S3BlobStore } from '../../../../src/adapters/aws/s3/s3-blob-store.js';
import { bucketRegionRedirect } from '../../../support/s3-region-redirect.js';

/** An S3 client whose HTTP layer answers every request with `status` and these headers, and no body. */
function answering(status: number, headers: Record<string, string>): S3Client {
  return new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { handle: async () => ({ response: { statusCode: status, reason: '', headers, body: Readable.from([]) } }) } as never,
  });
}

async function thrownBy(client: S3Client): Promise<unknown> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: 'workflow-payloads', ExpectedBucketOwner: '123456789012' }));
  } catch (error) {
    return error;
  }
  throw new Error('HeadBucket did not fail');
}

describe('otherBucketRegion, on what the SDK throws', () => {
  it.each([301, 400])('reads x-amz-bucket-region from a %i HeadBucket (the SDK says Unknown: UnknownError)', async (status) => {
    const error = await thrownBy(answering(status, { 'x-amz-bucket-region': 'eu-west-1', 'x-amz-request-id': 'r' }));
    expect(error).toMatchObject({ name: 'Unknown', message: 'UnknownError', $metadata: { httpStatusCode: status } });
    expect(otherBucketRegion(error)).toBe('eu-west-1');
    // The test double used elsewhere has the same shape.
    const double = bucketRegionRedirect(status as 301 | 400, 'eu-west-1');
    expect({ name: double.name, message: double.message, status: double.$metadata.httpStatusCode }).toEqual({ name: 'Unknown', message: 'UnknownError', status });
    expect(otherBucketRegion(double)).toBe('eu-west-1');
  });

  it('is undefined for a 400 without the header, a 403 or a 404', async () => {
    expect(otherBucketRegion(await thrownBy(answering(400, {})))).toBeUndefined();
    expect(otherBucketRegion(await thrownBy(answering(403, { 'x-amz-bucket-region': 'eu-west-1' })))).toBeUndefined();
    expect(otherBucketRegion(await thrownBy(answering(404, {})))).toBeUndefined();
    expect(otherBucketRegion(new Error('x'))).toBeUndefined();
  });
});

describe('the blob store on a bucket in another region', () => {
  // This client only: the class-wide mock would also replace the real deserializer used above.
  const client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(client);
  beforeEach(() => s3.reset());

  it.each([301, 400] as const)('names the bucket, its region and the settings to change (%i)', async (status) => {
    s3.on(GetObjectCommand).rejects(bucketRegionRedirect(status, 'eu-west-1'));
    const store = new S3BlobStore(client, 'wf-payloads');
    await expect(store.get('payloads/wrun_1/x')).rejects.toMatchObject({
      name: 'WorkflowWorldError',
      code: 'BUCKET_IN_OTHER_REGION',
      message: 'S3.GetObject failed: bucket "wf-payloads" is in eu-west-1, not in this world\'s region: set AWS_REGION=eu-west-1, or WORKFLOW_AWS_BUCKET to this region\'s bucket',
    });
  });
});
