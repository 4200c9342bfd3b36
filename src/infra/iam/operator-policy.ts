// The policy of the identity that runs the CLI (bootstrap, deploy, outputs,
// status, dlq, repair, verify, teardown), scoped to one installation. docs/iam.md
// shows it as generated here, and a test checks that it allows every AWS call
// the CLI's code makes, so it cannot lag behind a new call.
import type { InstallationArns } from './arns.js';
import type { PolicyDocument } from './policy.js';

/** `legacyBucketArn`: the ARN of `legacyBucketName(name)` (config/resource-names.ts). */
export function operatorPolicy(arns: InstallationArns, legacyBucketArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Tables',
        Effect: 'Allow',
        // Query/GetItem/BatchGetItem: status, repair and verify read runs through the world.
        // PutItem/UpdateItem/DeleteItem: verify --repair rewrites projections, and any reader
        // writes the projections of a commit whose writer died (docs/dynamodb-schema.md).
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DescribeTable',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:UpdateTimeToLive',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:UpdateContinuousBackups',
          'dynamodb:DeleteTable',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
        ],
        Resource: [...arns.tables, ...arns.indexes],
      },
      {
        Sid: 'Queues',
        Effect: 'Allow',
        // Receive/Delete/ChangeMessageVisibility/Purge/MessageMoveTask: the dlq commands; SendMessage: repair and redrive.
        Action: [
          'sqs:CreateQueue',
          'sqs:GetQueueUrl',
          'sqs:GetQueueAttributes',
          'sqs:SetQueueAttributes',
          'sqs:DeleteQueue',
          'sqs:SendMessage',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:PurgeQueue',
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
        ],
        Resource: [...arns.queues, ...arns.dlqs],
      },
      {
        Sid: 'Bucket',
        Effect: 'Allow',
        Action: [
          's3:CreateBucket',
          's3:ListBucket',
          's3:PutBucketPublicAccessBlock',
          's3:PutEncryptionConfiguration',
          's3:PutLifecycleConfiguration',
          's3:PutBucketPolicy',
          's3:ListBucketVersions',
          's3:ListBucketMultipartUploads',
          's3:DeleteBucket',
        ],
        Resource: [arns.bucket],
      },
      // Every command asks whether an installation made before the
      // account-and-region bucket names still has `NAME-payloads` (HeadBucket).
      { Sid: 'LegacyBucketCheck', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [legacyBucketArn] },
      {
        Sid: 'Objects',
        Effect: 'Allow',
        // Teardown empties the bucket; deploy stages zips over 50 MB under deployments/.
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload'],
        Resource: [`${arns.bucket}/*`],
      },
      {
        Sid: 'WorkerRole',
        Effect: 'Allow',
        Action: [
          'iam:GetRole',
          'iam:CreateRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:GetRolePolicy',
          'iam:PutRolePolicy',
          'iam:ListRolePolicies',
          'iam:DeleteRolePolicy',
          'iam:ListAttachedRolePolicies',
          'iam:DetachRolePolicy',
          'iam:DeleteRole',
        ],
        Resource: [arns.role],
      },
      {
        Sid: 'PassWorkerRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [arns.role],
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
      {
        Sid: 'Function',
        Effect: 'Allow',
        Action: [
          'lambda:GetFunctionConfiguration',
          'lambda:GetFunction',
          'lambda:CreateFunction',
          'lambda:TagResource',
          'lambda:UpdateFunctionConfiguration',
          'lambda:UpdateFunctionCode',
          'lambda:PublishVersion',
          'lambda:ListVersionsByFunction',
          'lambda:DeleteFunction',
        ],
        Resource: [arns.function],
      },
      {
        Sid: 'CreateAndListMappings',
        Effect: 'Allow',
        // These actions take no resource ARN; the condition names the function.
        Action: ['lambda:CreateEventSourceMapping', 'lambda:ListEventSourceMappings'],
        Resource: ['*'],
        Condition: { StringEquals: { 'lambda:FunctionArn': arns.function } },
      },
      {
        Sid: 'Mappings',
        Effect: 'Allow',
        // Mapping UUIDs are not known in advance.
        Action: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
        Resource: [arns.eventSourceMappings],
        Condition: { StringEquals: { 'lambda:FunctionArn': arns.function } },
      },
      {
        Sid: 'EncryptionKeyParameter',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        Resource: [arns.encryptionKeyParameter],
      },
    ],
  };
}
