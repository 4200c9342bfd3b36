// The payload bucket's settings as S3 requests: no public access, SSE-S3 by
// default, and a lifecycle that removes what a lost transaction left behind.
import type {
  BucketLifecycleConfiguration,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import type { BucketDefinition } from '../resources.js';

export const PUBLIC_ACCESS_BLOCK: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export const DEFAULT_ENCRYPTION: ServerSideEncryptionConfiguration = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
};

/**
 * Two rules, because S3 refuses AbortIncompleteMultipartUpload in a rule
 * filtered by tag: one expires objects still tagged uncommitted, the other
 * aborts multipart uploads a crashed writer never completed.
 */
export function lifecycleConfiguration(bucket: BucketDefinition): BucketLifecycleConfiguration {
  return {
    Rules: [
      {
        ID: 'expire-uncommitted-payloads',
        Status: 'Enabled',
        Filter: { Tag: { Key: bucket.uncommittedTag.key, Value: bucket.uncommittedTag.value } },
        Expiration: { Days: bucket.orphanExpirationDays },
      },
      {
        ID: 'abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: bucket.orphanExpirationDays },
      },
    ],
  };
}
