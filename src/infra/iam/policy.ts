// The Lambda role's trust and permission policies. Every statement names exact
// actions and exact ARNs; the only wildcards are the object suffix of the one
// bucket and the stream suffix of the function's own log group, which AWS
// requires to address objects and log streams at all.
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
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WorldTables',
        Effect: 'Allow',
        // TransactWriteItems is authorised per item, as PutItem/UpdateItem/DeleteItem.
        Action: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        Resource: arns.tables,
      },
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
        Resource: [arns.objects],
      },
      // Without ListBucket a missing key answers 403 instead of 404, and the
      // queue reads a 404 as "payload already discarded". S3's existence check
      // for GetObject carries no s3:prefix, so the prefix condition is
      // ...IfExists: it keeps that 404, and limits real listings to the
      // world's own prefixes.
      {
        Sid: 'WorldPayloadListing',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [arns.bucket],
        Condition: { StringLikeIfExists: { 's3:prefix': WORLD_KEY_PREFIXES.map((p) => `${p}*`) } },
      },
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
