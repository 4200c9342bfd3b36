// The payload bucket. Its settings are put on every run, created or not: each
// put replaces the whole setting with the same content, so a run that stopped
// between CreateBucket and the settings is completed by the next one.
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  waitUntilBucketExists,
  type BucketLocationConstraint,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type ResourceNames } from '../../config/resource-names.js';
import { BUCKET } from '../../adapters/aws/resources.js';
import { hasErrorName, httpStatusOf, isMissingBucket, otherBucketRegion } from '../../adapters/aws/aws-errors.js';
import { bucketPolicy, DEFAULT_ENCRYPTION, lifecycleConfiguration, PUBLIC_ACCESS_BLOCK } from './bucket-config.js';
import { retryWhile } from '../retry.js';
import type { ProgressListener, ProvisionOptions, ResourceReport, ResourceState } from './types.js';

/** S3 documents bucket configuration as eventually consistent: right after CreateBucket it may still answer NoSuchBucket. */
export const BUCKET_SETTLE = { waitSeconds: 120, minDelaySeconds: 2, retryDelayMs: 2_000, retryMaxWaitMs: 60_000 };

export async function provisionBucket(
  client: S3Client,
  names: ResourceNames,
  options: Pick<ProvisionOptions, 'onProgress' | 'onNote' | 'sleep'> & { bucketWaitMinDelaySeconds?: number } = {},
): Promise<ResourceReport> {
  const bucket = names.bucket;
  const status = (await bucketExists(client, bucket)) ? 'present' : await createBucket(client, bucket);
  if (status === 'created') {
    await waitUntilBucketExists(
      { client, maxWaitTime: BUCKET_SETTLE.waitSeconds, minDelay: options.bucketWaitMinDelaySeconds ?? BUCKET_SETTLE.minDelaySeconds },
      { Bucket: bucket },
    );
  }
  const region = await client.config.region();
  // Even after HeadBucket sees it, a configuration call may still meet NoSuchBucket for a moment.
  const settled = <T>(call: () => Promise<T>, what: string) =>
    retryWhile(call, (err) => hasErrorName(err, 'NoSuchBucket'), {
      delayMs: BUCKET_SETTLE.retryDelayMs,
      maxWaitMs: BUCKET_SETTLE.retryMaxWaitMs,
      sleep: options.sleep,
      onWait: () => options.onNote?.(`bucket ${bucket}: not visible to ${what} yet (new bucket); retrying in ${BUCKET_SETTLE.retryDelayMs / 1000} s`),
    });
  await settled(() => client.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCK })), 'PutPublicAccessBlock');
  await settled(() => client.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: DEFAULT_ENCRYPTION })), 'PutBucketEncryption');
  await settled(
    () => client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: lifecycleConfiguration(BUCKET) })),
    'PutBucketLifecycleConfiguration',
  );
  await settled(() => client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy(bucket, region) })), 'PutBucketPolicy');
  const report: ResourceReport = { kind: 'bucket', name: bucket, status };
  options.onProgress?.(report);
  return report;
}

/** Empties the bucket first (objects, old versions, unfinished uploads): S3 deletes only empty buckets. */
export async function deleteBucket(client: S3Client, names: ResourceNames, options: { onProgress?: ProgressListener } = {}): Promise<ResourceReport> {
  const bucket = names.bucket;
  let status: 'deleted' | 'absent' = 'absent';
  if (await bucketExists(client, bucket)) {
    await emptyBucket(client, bucket);
    try {
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      status = 'deleted';
    } catch (err) {
      if (!isMissingBucket(err)) throw err;
    }
  }
  const report: ResourceReport = { kind: 'bucket', name: bucket, status };
  options.onProgress?.(report);
  return report;
}

export async function inspectBucket(client: S3Client, names: ResourceNames): Promise<ResourceState> {
  return { kind: 'bucket', name: names.bucket, exists: await bucketExists(client, names.bucket) };
}

/** 403 means the name belongs to another account (bucket names are global) or access is denied: not ours to use. */
async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    if (isMissingBucket(err)) return false;
    if (httpStatusOf(err) === 403) throw new Error(`Bucket ${bucket} exists but this account cannot use it (403); choose another installation name or bucket`);
    const elsewhere = otherBucketRegion(err);
    if (elsewhere !== undefined) {
      const region = await client.config.region();
      throw new Error(`Bucket ${bucket} is in ${elsewhere}, not ${region}: pass --region ${elsewhere}, or choose another bucket (--bucket, WORKFLOW_AWS_BUCKET)`);
    }
    throw err;
  }
}

async function createBucket(client: S3Client, bucket: string): Promise<'created' | 'present'> {
  // us-east-1 is the one region that takes no LocationConstraint.
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
      }),
    );
    return 'created';
  } catch (err) {
    if (hasErrorName(err, 'BucketAlreadyOwnedByYou')) return 'present';
    throw err;
  }
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    await deleteObjects(client, bucket, (page.Contents ?? []).map((o) => ({ Key: o.Key! })));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  // Only a bucket that ever had versioning on holds versions and delete markers.
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    await deleteObjects(client, bucket, versions);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);

  let uploadKeyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: uploadKeyMarker, UploadIdMarker: uploadIdMarker }));
    for (const upload of page.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key!, UploadId: upload.UploadId! }));
    }
    uploadKeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (uploadKeyMarker);
}

async function deleteObjects(client: S3Client, bucket: string, objects: ObjectIdentifier[]): Promise<void> {
  // DeleteObjects takes at most 1000 keys.
  for (let i = 0; i < objects.length; i += 1000) {
    const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.slice(i, i + 1000), Quiet: true } }));
    const failed = out.Errors ?? [];
    if (failed.length > 0) throw new Error(`Could not delete ${failed.length} object(s) from ${bucket}: ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`.trim());
  }
}
