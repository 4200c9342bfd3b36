// The Lambda role's trust and permission policies. Every statement names exact
// actions and exact ARNs; the only wildcards are the object suffixes under the
// world's own key prefixes and the stream suffix of the function's own log
// group, which AWS requires to address objects and log streams at all.
import { BATCH_TABLE_ROLES } from '../../adapters/aws/resources.js';
import { TABLE_ROLES } from '../../config/resource-names.js';
import { CLAIM_CHECK_PREFIX } from '../../domain/claim-check.js';
import type { InstallationArns } from './arns.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Every key prefix the world writes under (payload, stream-chunk and queue claim checks). */
export const WORLD_KEY_PREFIXES = [CLAIM_CHECK_PREFIX.payloads, CLAIM_CHECK_PREFIX.queue] as const;

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const LAMBDA_POLICY_NAME = 'workflow-world';

/**
 * Only the Lambda service, and only on behalf of this account (aws:SourceAccount,
 * AWS's confused-deputy guard): another account's function cannot be given this role.
 */
export function lambdaTrustPolicy(accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

export function lambdaPermissionPolicy(arns: InstallationArns): PolicyDocument {
  const batchTables = BATCH_TABLE_ROLES.map((role) => arns.tables[TABLE_ROLES.indexOf(role)]!);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WorldTables',
        Effect: 'Allow',
        // TransactWriteItems is authorised per item, as PutItem/UpdateItem/DeleteItem.
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: arns.tables,
      },
      { Sid: 'WorldBatchTables', Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], Resource: batchTables },
      { Sid: 'WorldIndexes', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: arns.indexes },
      {
        Sid: 'WorldQueues',
        Effect: 'Allow',
        // Receive/Delete/GetQueueAttributes are what the event-source mapping polls with.
        Action: [
          'sqs:SendMessage',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ],
        Resource: arns.queues,
      },
      {
        Sid: 'WorldPayloads',
        Effect: 'Allow',
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:PutObjectTagging',
          's3:DeleteObjectTagging',
        ],
        // Only the world's own prefixes: not deployment zips or anything else in the bucket.
        Resource: WORLD_KEY_PREFIXES.map((p) => `${arns.bucket}/${p}*`),
      },
      // Listing only with a prefix of the world's own. S3's existence check
      // behind a GetObject carries no prefix, so a missing key answers 403;
      // the blob store then lists that one key (ListObjectsV2, Prefix = key)
      // to tell "missing" from "denied" (s3-blob-store.ts).
      {
        Sid: 'WorldPayloadListing',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [arns.bucket],
        Condition: { StringLike: { 's3:prefix': WORLD_KEY_PREFIXES.map((p) => `${p}*`) } },
      },
      // The payload master key, read once per cold start (never in the function's
      // configuration). SecureString under the AWS managed key aws/ssm, whose
      // key policy lets the account's principals decrypt through SSM: no KMS grant.
      { Sid: 'EncryptionKeyParameter', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [arns.encryptionKeyParameter] },
      {
        Sid: 'FunctionLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [arns.logGroup],
      },
    ],
  };
}

/** IAM returns policy documents URL-encoded; compare parsed JSON, not text. */
export function samePolicy(returned: string | undefined, expected: object): boolean {
  if (!returned) return false;
  try {
    return canonical(JSON.parse(decodeURIComponent(returned))) === canonical(expected);
  } catch {
    return false;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
