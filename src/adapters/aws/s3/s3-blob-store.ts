// Claim-check payloads on S3 (docs/payloads.md). Objects are uploaded tagged
// as uncommitted; the caller removes the tag once the DynamoDB transaction
// that references the object has committed. The bucket's lifecycle rule
// expires objects still tagged, i.e. payloads of transactions that lost.
import {
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BlobStore } from '../../../ports/blob-store.js';
import { WorkflowWorldError } from '@workflow/errors';
import { awsErrorName, httpStatusOf, isAccessDenied, notFound, otherBucketRegion, toWorldError } from '../aws-errors.js';
import { BUCKET } from '../resources.js';

const UNCOMMITTED_TAGGING = new URLSearchParams({ [BUCKET.uncommittedTag.key]: BUCKET.uncommittedTag.value }).toString();
const MISSING = new Set(['NoSuchKey', 'NotFound']);

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.send('PutObject', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/octet-stream',
          ServerSideEncryption: 'AES256',
          Tagging: UNCOMMITTED_TAGGING,
        }),
      ),
    );
  }

  /** Removes the uncommitted tag, so the orphan lifecycle rule no longer applies. */
  async markCommitted(key: string): Promise<void> {
    await this.send('DeleteObjectTagging', key, () => this.client.send(new DeleteObjectTaggingCommand({ Bucket: this.bucket, Key: key })));
  }

  async get(key: string): Promise<Uint8Array> {
    const output = await this.send('GetObject', key, () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
    if (output.Body === undefined) return new Uint8Array(0);
    try {
      return await output.Body.transformToByteArray();
    } catch (error) {
      // The stream broke mid-body: transient.
      throw toWorldError(error, 'S3.GetObject');
    }
  }

  async delete(key: string): Promise<void> {
    await this.send('DeleteObject', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  private async send<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const name = awsErrorName(error) ?? '';
      // Keys are run/owner/field ids, never payload content.
      if (MISSING.has(name) || (httpStatusOf(error) === 404 && name !== 'NoSuchBucket')) throw notFound(`blob "${key}" not found (S3.${operation})`);
      const elsewhere = otherBucketRegion(error);
      if (elsewhere !== undefined) {
        throw new WorkflowWorldError(
          `S3.${operation} failed: bucket "${this.bucket}" is in ${elsewhere}, not in this world's region: set AWS_REGION=${elsewhere}, or WORKFLOW_AWS_BUCKET to this region's bucket`,
          { status: 500, code: 'BUCKET_IN_OTHER_REGION', cause: error },
        );
      }
      if (isAccessDenied(error) && (await this.isMissing(key))) throw notFound(`blob "${key}" not found (S3.${operation}: 403, and no such key is listed)`);
      throw toWorldError(error, `S3.${operation}`);
    }
  }

  /**
   * Whether a key that answered 403 is simply missing: the worker role may
   * list only with one of the world's prefixes (docs/iam.md), so S3 cannot
   * say 404 for a missing key. Listing the key itself can. Undecided (the
   * listing failed too): not missing, so the original error stands.
   */
  private async isMissing(key: string): Promise<boolean> {
    try {
      const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }));
      return !(listed.Contents ?? []).some((object) => object.Key === key);
    } catch {
      return false;
    }
  }
}
