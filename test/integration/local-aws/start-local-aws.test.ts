// startLocalAws: both emulators up on loopback, every resource provisioned,
// usable through the returned endpoints and env, and gone after stop().
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  TransactWriteItemsCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { createServer } from 'node:net';
import type { ResourceReport } from '../../../src/infra/provisioning/index.js';
import { TABLE_ROLES } from '../../../src/config/resource-names.js';
import { QUEUES } from '../../../src/adapters/aws/resources.js';
import { localClients, startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('startLocalAws', () => {
  let aws: LocalAws;
  let clients: ReturnType<typeof localClients>;
  const reports: ResourceReport[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'itest', onProgress: (r) => reports.push(r) });
    clients = localClients(aws.endpoints, aws.region);
  });

  afterAll(async () => {
    for (const client of Object.values(clients)) client.destroy();
    await aws.stop();
  });

  it('listens on 127.0.0.1 only', () => {
    for (const endpoint of Object.values(aws.endpoints)) expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('reports every resource as created', () => {
    expect(reports.map((r) => `${r.kind} ${r.name} ${r.status}`).sort()).toEqual(
      [
        ...TABLE_ROLES.map((role) => `table itest-${role} created`),
        'queue itest-workflow created',
        'queue itest-step created',
        'dlq itest-workflow-dlq created',
        'dlq itest-step-dlq created',
        'bucket itest-payloads created',
      ].sort(),
    );
  });

  it('creates the tables ACTIVE, with their indexes and TTL', async () => {
    const { TableNames } = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining(Object.values(aws.names.tables)));
    const runs = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: aws.names.tables.runs }))).Table!;
    expect(runs.TableStatus).toBe('ACTIVE');
    expect(runs.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(runs.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['byShard', 'byStatus', 'byWorkflow']);
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: aws.names.tables.events }));
    expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('creates both queues with a redrive policy to their DLQs', async () => {
    const { QueueUrls } = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'itest-' }));
    expect(QueueUrls?.sort()).toEqual(Object.values(aws.queueUrls).sort());
    const attrs = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.queueUrls.step, AttributeNames: ['All'] }))).Attributes!;
    const dlqArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: aws.queueUrls.stepDlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    expect(attrs.VisibilityTimeout).toBe('960');
    expect(JSON.parse(attrs.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: QUEUES.maxReceiveCount });
  });

  it('gives queue URLs that carry messages through the SQS endpoint', async () => {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrls.workflow, MessageBody: 'ping' }));
    const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrls.workflow, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['ping']);
    await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: aws.queueUrls.workflow, ReceiptHandle: Messages![0]!.ReceiptHandle! }));
  });

  it('creates the bucket, reachable path-style', async () => {
    await clients.s3.send(new HeadBucketCommand({ Bucket: aws.names.bucket }));
    await clients.s3.send(new PutObjectCommand({ Bucket: aws.names.bucket, Key: 'payloads/r1/p', Body: 'data' }));
    const got = await clients.s3.send(new GetObjectCommand({ Bucket: aws.names.bucket, Key: 'payloads/r1/p' }));
    expect(await got.Body!.transformToString()).toBe('data');
  });

  it('serves transactions on the provisioned tables', async () => {
    const table = aws.names.tables.events;
    await clients.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: { S: 'run-1' }, sk: { S: '#head' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: table, Item: { pk: { S: 'run-1' }, sk: { S: 'evt-1' } } } },
        ],
      }),
    );
    const head = await clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'run-1' }, sk: { S: '#head' } } }));
    expect(head.Item).toBeDefined();
  });

  it('hands a world config everything it needs through env', () => {
    const config = resolveWorldConfig({}, aws.env);
    expect(config.name).toBe('itest');
    expect(config.region).toBe(aws.region);
    expect(config.resources).toEqual(aws.names);
    expect(config.endpoints).toEqual(aws.endpoints);
    expect(config.workflowQueueUrl).toBe(aws.queueUrls.workflow);
    expect(config.stepQueueUrl).toBe(aws.queueUrls.step);
    expect(config.s3ForcePathStyle).toBe(true);
    expect(aws.env.AWS_ACCESS_KEY_ID).toBe(aws.credentials.accessKeyId);
    expect(aws.env.AWS_SECRET_ACCESS_KEY).toBe(aws.credentials.secretAccessKey);
  });
});

describe('startLocalAws ports', () => {
  it('listens on fixed ports when asked, and frees them on stop()', async () => {
    const dynamodbPort = await freePort();
    const sqsS3Port = await freePort();
    const aws = await startLocalAws({ name: 'ports', dynamodbPort, sqsS3Port });
    try {
      expect(aws.endpoints).toEqual({
        dynamodb: `http://127.0.0.1:${dynamodbPort}`,
        sqs: `http://127.0.0.1:${sqsS3Port}`,
        s3: `http://127.0.0.1:${sqsS3Port}`,
      });
      expect(await canListen(dynamodbPort)).toBe(false);
      expect(await canListen(sqsS3Port)).toBe(false);
    } finally {
      await aws.stop();
    }
    expect(await canListen(dynamodbPort)).toBe(true);
    expect(await canListen(sqsS3Port)).toBe(true);
    await expect(aws.stop()).resolves.toBeUndefined();
  });

  it('stops what it started when a port is taken', async () => {
    const dynamodbPort = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as { port: number }).port;
    try {
      await expect(startLocalAws({ dynamodbPort, sqsS3Port: takenPort })).rejects.toThrow(/EADDRINUSE/);
      expect(await canListen(dynamodbPort)).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
