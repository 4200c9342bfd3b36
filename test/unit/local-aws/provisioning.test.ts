// The provisioning requests sent to AWS, including the paths the emulators
// cannot exercise (point-in-time recovery, regions, other accounts' buckets).
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { provisionBucket } from '../../../src/infra/provisioning/bucket.js';
import { sourceQueueAttributes, dlqAttributes } from '../../../src/infra/provisioning/queues.js';
import { createTableInput, schemaMismatch } from '../../../src/infra/provisioning/table-schema.js';
import { provisionTables } from '../../../src/infra/provisioning/tables.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { TABLES } from '../../../src/adapters/aws/resources.js';

const names = resourceNames('unit');

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

describe('createTableInput', () => {
  it('declares each key attribute once, indexes with their projection, on-demand billing and KMS encryption', () => {
    const input = createTableInput(TABLES.runs, 'unit-runs');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS' });
    expect(input.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(input.AttributeDefinitions?.map((a) => a.AttributeName).sort()).toEqual(['pk', 'runId', 'shard', 'statusShard', 'workflowName']);
    expect(input.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byStatus')).toEqual({
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'statusShard', KeyType: 'HASH' },
        { AttributeName: 'runId', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(createTableInput(TABLES.steps, 'unit-steps').GlobalSecondaryIndexes?.[0]?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });
});

describe('schemaMismatch', () => {
  const described = (input: ReturnType<typeof createTableInput>): TableDescription => ({
    KeySchema: input.KeySchema,
    GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema })),
  });

  it('accepts the table the definition creates', () => {
    expect(schemaMismatch(TABLES.events, described(createTableInput(TABLES.events, 'e')))).toBeUndefined();
  });

  it('names a missing index', () => {
    const table = described(createTableInput(TABLES.hooks, 'h'));
    table.GlobalSecondaryIndexes = table.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== 'byShard');
    expect(schemaMismatch(TABLES.hooks, table)).toBe('lacks global secondary index byShard');
  });
});

describe('queue attributes', () => {
  it('encrypts both queues, redrives to the DLQ after maxReceiveCount deliveries, and sizes both from WORKFLOW_AWS_MAX_MESSAGE_BYTES', () => {
    expect(sourceQueueAttributes('arn:dlq')).toEqual({
      VisibilityTimeout: '960',
      MessageRetentionPeriod: String(14 * 24 * 3600),
      MaximumMessageSize: String(256 * 1024),
      SqsManagedSseEnabled: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 50 }),
    });
    expect(dlqAttributes()).toEqual({ MessageRetentionPeriod: String(14 * 24 * 3600), MaximumMessageSize: String(256 * 1024), SqsManagedSseEnabled: 'true' });
    expect(sourceQueueAttributes('arn:dlq', 5, 1024 * 1024).MaximumMessageSize).toBe('1048576');
    expect(dlqAttributes(1024 * 1024).MaximumMessageSize).toBe('1048576');
  });
});

describe('provisionBucket', () => {
  const s3 = mockClient(S3Client);

  beforeEach(() => {
    s3.reset();
    s3.on(PutPublicAccessBlockCommand).resolves({});
    s3.on(PutBucketEncryptionCommand).resolves({});
    s3.on(PutBucketLifecycleConfigurationCommand).resolves({});
  });

  it('creates a missing bucket with its region and puts all three settings', async () => {
    s3.on(HeadBucketCommand).rejectsOnce(s3Error('NotFound', 404)).resolves({});
    s3.on(CreateBucketCommand).resolves({});
    const report = await provisionBucket(new S3Client({ region: 'eu-west-1' }), names);
    expect(report).toEqual({ kind: 'bucket', name: 'unit-payloads', status: 'created' });
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
      Bucket: 'unit-payloads',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(s3.commandCalls(PutBucketEncryptionCommand)[0]!.args[0].input.ServerSideEncryptionConfiguration).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input.LifecycleConfiguration?.Rules).toEqual([
      {
        ID: 'expire-uncommitted-payloads',
        Status: 'Enabled',
        Filter: { Tag: { Key: 'workflow-commit', Value: 'pending' } },
        Expiration: { Days: 1 },
      },
      {
        ID: 'abort-incomplete-multipart-uploads',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
  });

  it('sends no LocationConstraint in us-east-1', async () => {
    s3.on(HeadBucketCommand).rejectsOnce(s3Error('NotFound', 404)).resolves({});
    s3.on(CreateBucketCommand).resolves({});
    await provisionBucket(new S3Client({ region: 'us-east-1' }), names);
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'unit-payloads' });
  });

  it('reports an existing bucket present and still puts its settings', async () => {
    s3.on(HeadBucketCommand).resolves({});
    expect((await provisionBucket(new S3Client({ region: 'us-east-1' }), names)).status).toBe('present');
    expect(s3.commandCalls(CreateBucketCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)).toHaveLength(1);
  });

  it('refuses a bucket name another account holds', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403));
    await expect(provisionBucket(new S3Client({ region: 'us-east-1' }), names)).rejects.toThrow(/unit-payloads exists but this account cannot use it/);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(0);
  });

  it('treats losing the creation race to itself as present', async () => {
    s3.on(HeadBucketCommand).rejects(s3Error('NotFound', 404));
    s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409));
    expect((await provisionBucket(new S3Client({ region: 'eu-west-1' }), names)).status).toBe('present');
  });
});

describe('provisionTables with point-in-time recovery', () => {
  const ddb = mockClient(DynamoDBClient);

  beforeEach(() => {
    ddb.reset();
    ddb.on(DescribeTableCommand).callsFake(({ TableName }: { TableName: string }) => {
      const role = TableName.replace('unit-', '') as keyof typeof TABLES;
      const input = createTableInput(TABLES[role], TableName);
      return {
        Table: {
          TableName,
          TableStatus: 'ACTIVE',
          KeySchema: input.KeySchema,
          GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, IndexStatus: 'ACTIVE' })),
        },
      };
    });
    ddb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });
    ddb.on(UpdateContinuousBackupsCommand).resolves({});
  });

  it('turns it on where it is off and reports those tables updated', async () => {
    ddb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' } },
    });
    ddb.on(DescribeContinuousBackupsCommand, { TableName: 'unit-runs' }).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } },
    });
    const reports = await provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names, { pointInTimeRecovery: true });
    expect(reports.filter((r) => r.status === 'updated').map((r) => r.name)).toEqual(['unit-runs']);
    expect(ddb.commandCalls(UpdateContinuousBackupsCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'unit-runs', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
    ]);
    expect(ddb.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
  });

  it('does not touch backups unless asked', async () => {
    const reports = await provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names);
    expect(new Set(reports.map((r) => r.status))).toEqual(new Set(['present']));
    expect(ddb.commandCalls(DescribeContinuousBackupsCommand)).toHaveLength(0);
  });

  it('refuses TTL on another attribute instead of moving it', async () => {
    ddb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' } });
    await expect(provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names)).rejects.toThrow(/has TTL on attribute ttl, expected expiresAt/);
  });
});
