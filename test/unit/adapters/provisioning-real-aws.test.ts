// What real AWS does that the emulators do not, simulated with the errors AWS
// documents: a new bucket not visible yet, continuous backups not ready on a
// new table, a queue name still quarantined after a delete, names S3 refuses.
import {
  ContinuousBackupsUnavailableException,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  NoSuchBucket,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { bucketRegionRedirect } from '../../support/s3-region-redirect.js';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, QueueDeletedRecently, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { bucketPolicy } from '../../../src/infra/provisioning/bucket-config.js';
import { provisionBucket } from '../../../src/infra/provisioning/bucket.js';
import { bucketNameProblem, installationNameProblem } from '../../../src/infra/provisioning/names.js';
import { deleteQueues, provisionQueues } from '../../../src/infra/provisioning/queues.js';
import { createTableInput } from '../../../src/infra/provisioning/table-schema.js';
import { provisionTables } from '../../../src/infra/provisioning/tables.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { TABLES } from '../../../src/adapters/aws/resources.js';
import { accountBucketName, defaultBucketName } from '../../../src/cli/aws/bucket-name.js';

const names = resourceNames('unit');
const meta = { $metadata: { httpStatusCode: 400 } };

function recorder() {
  const notes: string[] = [];
  const sleeps: number[] = [];
  return { notes, sleeps, onNote: (line: string) => notes.push(line), sleep: async (ms: number) => void sleeps.push(ms) };
}

describe('a bucket right after CreateBucket', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it('waits until it exists (waitUntilBucketExists), retries a NoSuchBucket from its settings, then puts all four', async () => {
    // Exists-check, then the waiter's first HeadBucket still misses it (eventual consistency).
    s3.on(HeadBucketCommand)
      .rejectsOnce(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }))
      .rejectsOnce(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }))
      .resolves({});
    s3.on(CreateBucketCommand).resolves({});
    s3.on(PutPublicAccessBlockCommand).rejectsOnce(new NoSuchBucket({ message: 'The specified bucket does not exist', ...meta })).resolves({});
    s3.on(PutBucketEncryptionCommand).resolves({});
    s3.on(PutBucketLifecycleConfigurationCommand).resolves({});
    s3.on(PutBucketPolicyCommand).resolves({});
    const r = recorder();
    const report = await provisionBucket(new S3Client({ region: 'eu-west-1' }), names, { ...r, bucketWaitMinDelaySeconds: 1 });
    expect(report).toEqual({ kind: 'bucket', name: 'unit-payloads', status: 'created' });
    expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(3);
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(2);
    expect(r.sleeps).toEqual([2000]);
    expect(r.notes).toEqual([expect.stringContaining('bucket unit-payloads: not visible to PutPublicAccessBlock yet')]);
    expect(JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!)).toEqual(JSON.parse(bucketPolicy('unit-payloads', 'eu-west-1')));
  }, 15_000);

  it('denies every non-TLS request to the bucket and its objects, in the region\'s partition', () => {
    expect(JSON.parse(bucketPolicy('shop-b', 'cn-north-1'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws-cn:s3:::shop-b', 'arn:aws-cn:s3:::shop-b/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });
});

describe('point-in-time recovery on a brand-new table', () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => {
    ddb.reset();
    ddb.on(DescribeTableCommand).callsFake(({ TableName }: { TableName: string }) => {
      const input = createTableInput(TABLES[TableName.replace('unit-', '') as keyof typeof TABLES], TableName);
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
    ddb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } },
    });
  });

  const unavailable = () => new ContinuousBackupsUnavailableException({ message: 'Backups are being enabled for the table', ...meta });

  it('retries while ContinuousBackupsUnavailableException, saying so, and only on the events table by default', async () => {
    ddb.on(UpdateContinuousBackupsCommand).rejectsOnce(unavailable()).rejectsOnce(unavailable()).resolves({});
    const r = recorder();
    const reports = await provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names, { pointInTimeRecovery: 'events', ...r });
    expect(reports.filter((x) => x.status === 'updated').map((x) => x.name)).toEqual(['unit-events']);
    expect(ddb.commandCalls(UpdateContinuousBackupsCommand).map((c) => c.args[0].input.TableName)).toEqual(['unit-events', 'unit-events', 'unit-events']);
    expect(r.sleeps).toEqual([5000, 5000]);
    expect(r.notes).toHaveLength(2);
    expect(r.notes[1]).toMatch(/table unit-events: continuous backups not available yet .*\(waited 5 s\)/);
  });

  it('gives up after five minutes with the AWS error, and fails at once on any other error', async () => {
    ddb.on(UpdateContinuousBackupsCommand).rejects(unavailable());
    const r = recorder();
    await expect(provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names, { pointInTimeRecovery: 'events', ...r })).rejects.toThrow(
      /Backups are being enabled/,
    );
    expect(r.sleeps.reduce((a, b) => a + b, 0)).toBe(300_000);
    ddb.on(UpdateContinuousBackupsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const other = recorder();
    await expect(provisionTables(new DynamoDBClient({ region: 'us-east-1' }), names, { pointInTimeRecovery: 'events', ...other })).rejects.toThrow('denied');
    expect(other.sleeps).toEqual([]);
  });
});

describe('a queue name deleted less than 60 s ago', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  const missing = () => new QueueDoesNotExist({ message: 'The specified queue does not exist.', ...meta });
  const recently = () => new QueueDeletedRecently({ message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.', ...meta });

  it('bootstrap waits QueueDeletedRecently out, with progress, then creates the queue', async () => {
    sqs.on(GetQueueUrlCommand).rejects(missing());
    sqs.on(CreateQueueCommand).rejectsOnce(recently()).rejectsOnce(recently()).callsFake(({ QueueName }: { QueueName: string }) => ({ QueueUrl: `https://sqs/q/${QueueName}` }));
    sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({ Attributes: { QueueArn: `arn:${QueueUrl.split('/').pop()}` } }));
    const r = recorder();
    const { queues } = await provisionQueues(new SQSClient({ region: 'us-east-1' }), names, r);
    expect(queues.workflow.url).toBe('https://sqs/q/unit-workflow');
    expect(r.sleeps).toEqual([5000, 5000]);
    expect(r.notes[0]).toMatch(/queue unit-(workflow|step)(-dlq)? was deleted less than 60 s ago .* retrying in 5 s/);
  });

  it('teardown waits until a deleted queue no longer resolves, so the next bootstrap cannot wire up a dying queue', async () => {
    const alive = new Set(['unit-workflow', 'unit-step', 'unit-workflow-dlq', 'unit-step-dlq']);
    const lookups = new Map<string, number>();
    sqs.on(GetQueueUrlCommand).callsFake(({ QueueName }: { QueueName: string }) => {
      lookups.set(QueueName, (lookups.get(QueueName) ?? 0) + 1);
      // SQS keeps answering for a deleted queue for a while: here, for one more lookup.
      if (alive.has(QueueName) || lookups.get(QueueName) === 2) return { QueueUrl: `https://sqs/q/${QueueName}` };
      throw missing();
    });
    sqs.on(DeleteQueueCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => void alive.delete(QueueUrl.split('/').pop()!));
    const reports = await deleteQueues(new SQSClient({ region: 'us-east-1' }), names);
    expect(reports.map((x) => x.status)).toEqual(['deleted', 'deleted', 'deleted', 'deleted']);
    expect([...lookups.values()].every((n) => n >= 3)).toBe(true);
  });
});

describe('names', () => {
  it.each([
    ['xn--shop', /must not start with "xn--"/],
    ['sthree-shop', /must not start with "sthree-"/],
    ['amzn-s3-demo-shop', /must not start with "amzn-s3-demo-"/],
    ['Shop', /only lowercase letters/],
    ['shop_1', /only lowercase letters/],
    ['1shop', /must start with a letter/],
    ['shop-', /must not end with "-"/],
    ['s', /2-40 characters/],
    ['s'.repeat(41), /2-40 characters/],
  ])('refuses the installation name %p with the reason', (name, reason) => {
    expect(installationNameProblem(name)).toMatch(reason);
  });

  it.each(['workflow', 'prod', 'shop-eu-2', 'a1'])('accepts %p', (name) => {
    expect(installationNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['192.168.1.10', /IP address/],
    ['a..b', /adjacent periods/],
    ['shop-s3alias', /"-s3alias"/],
    ['shop--ol-s3', /"--ol-s3"/],
    ['ab', /3-63 characters/],
    ['Shop-bucket', /lowercase/],
    ['-shop', /begin and end/],
    ['xn--bucket', /"xn--"/],
  ])('refuses the bucket name %p with the reason', (name, reason) => {
    expect(bucketNameProblem(name)).toMatch(reason);
  });
});

describe('a configured bucket in another region', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it.each([301, 400] as const)('bootstrap names the bucket, its region and the fix (%i), and creates nothing', async (status) => {
    s3.on(HeadBucketCommand).rejects(bucketRegionRedirect(status, 'ap-south-2'));
    const client = new S3Client({ region: 'eu-west-1' });
    await expect(provisionBucket(client, { ...names, bucket: 'shared-payloads' }, { ...recorder() })).rejects.toThrow(
      'Bucket shared-payloads is in ap-south-2, not eu-west-1: pass --region ap-south-2, or choose another bucket (--bucket, WORKFLOW_AWS_BUCKET)',
    );
    expect(s3.commandCalls(CreateBucketCommand)).toHaveLength(0);
  });
});

describe('the default bucket name', () => {
  const sts = mockClient(STSClient);
  const s3 = mockClient(S3Client);
  const clients = () => ({ sts: new STSClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }) });
  beforeEach(() => {
    sts.reset();
    s3.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '210987654321' });
  });

  it('is <name>-<account>-<region>, unique per account and region, and a valid bucket name', async () => {
    s3.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    expect(await defaultBucketName(clients(), 'shop', 'eu-west-1', {})).toBe('shop-210987654321-eu-west-1');
    // The old default is probed as this account's only (ExpectedBucketOwner).
    expect(s3.commandCalls(HeadBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'shop-payloads', ExpectedBucketOwner: '210987654321' });
    const long = accountBucketName('a'.repeat(40), '210987654321', 'ap-southeast-4');
    expect(long).toHaveLength(63);
    expect(bucketNameProblem(long)).toBeUndefined();
    expect(accountBucketName('a'.repeat(40), '210987654321', 'ap-southeast-3')).not.toBe(long);
  });

  it.each([301, 400] as const)('treats a legacy <name>-payloads in another region (%i with x-amz-bucket-region) as not ours', async (status) => {
    s3.on(HeadBucketCommand).rejects(bucketRegionRedirect(status, 'ap-south-2'));
    expect(await defaultBucketName(clients(), 'shop', 'eu-west-1', {})).toBe('shop-210987654321-eu-west-1');
  });

  it('still fails on a 400 without x-amz-bucket-region (not a region redirect)', async () => {
    const badRequest = new S3ServiceException({ name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'UnknownError' });
    s3.on(HeadBucketCommand).rejects(badRequest);
    await expect(defaultBucketName(clients(), 'shop', 'eu-west-1', {})).rejects.toBe(badRequest);
  });

  it('keeps the old <name>-payloads of an installation bootstrapped before, and skips STS on an emulator', async () => {
    s3.on(HeadBucketCommand).resolves({});
    expect(await defaultBucketName(clients(), 'shop', 'eu-west-1', {})).toBe('shop-payloads');
    sts.reset();
    expect(await defaultBucketName(clients(), 'shop', 'eu-west-1', { endpoints: { s3: 'http://127.0.0.1:4566' } })).toBe('shop-payloads');
    expect(sts.calls()).toHaveLength(0);
  });
});
