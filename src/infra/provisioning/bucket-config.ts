// The payload bucket's settings as S3 requests: no public access, SSE-S3 by
// default, and a lifecycle that removes what a lost transaction left behind.
import type {
  BucketLifecycleConfiguration,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionConfiguration,
} from '@aws-sdk/client-s3';
import type { BucketDefinition } from '../../adapters/aws/resources.js';

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

/** aws, aws-cn or aws-us-gov, from the region name (bucket ARNs carry the partition). */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * One statement: every request not made over TLS is denied, whoever makes it
 * (AWS's recommended aws:SecureTransport guard). A Deny-only policy grants
 * nothing, so BlockPublicPolicy accepts it.
 */
export function bucketPolicy(bucket: string, region: string): string {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}
