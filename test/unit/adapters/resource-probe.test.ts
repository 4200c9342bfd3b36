// The exact calls the start-up probe makes (one per resource) and how it reads each answer.
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsResourceProbe } from '../../../src/adapters/aws/resource-probe.js';
import { resourceNames } from '../../../src/config/resource-names.js';

const dynamodb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const s3 = mockClient(S3Client);
const names = resourceNames('probe');
const WORKFLOW_URL = 'http://sqs.local/000000000000/probe-workflow';

function probe() {
  return new AwsResourceProbe({
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    tables: names.tables,
    queues: { workflow: { url: WORKFLOW_URL }, step: { name: names.stepQueue } },
    bucket: names.bucket,
  });
}

const ddbError = (name: string) => new DynamoDBServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `${name} happened` });

beforeEach(() => {
  dynamodb.reset();
  sqs.reset();
  s3.reset();
  dynamodb.on(GetItemCommand).resolves({});
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:probe-workflow' } });
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://sqs.local/000000000000/probe-step' });
  s3.on(ListObjectsV2Command).resolves({});
});

it('makes one call per resource: GetItem of a key no item has, GetQueueAttributes on a URL or GetQueueUrl by name, a one-key listing under the payload prefix', async () => {
  const results = await probe().probe();
  expect(results.map((r) => [r.kind, r.role, r.status])).toEqual([
    ['table', 'runs', 'ok'],
    ['table', 'steps', 'ok'],
    ['table', 'events', 'ok'],
    ['table', 'hooks', 'ok'],
    ['table', 'streams', 'ok'],
    ['queue', 'workflow', 'ok'],
    ['queue', 'step', 'ok'],
    ['bucket', 'payloads', 'ok'],
  ]);
  const gets = dynamodb.commandCalls(GetItemCommand).map((c) => c.args[0].input);
  expect(gets).toHaveLength(5);
  expect(gets).toContainEqual({ TableName: 'probe-runs', Key: { pk: { S: '#world-aws-probe' } } });
  expect(gets).toContainEqual({ TableName: 'probe-events', Key: { pk: { S: '#world-aws-probe' }, sk: { S: '#world-aws-probe' } } });
  expect(gets).toContainEqual({ TableName: 'probe-streams', Key: { pk: { S: '#world-aws-probe' }, sk: { N: '-1' } } });
  expect(sqs.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input).toEqual({ QueueUrl: WORKFLOW_URL, AttributeNames: ['QueueArn'] });
  expect(sqs.commandCalls(GetQueueUrlCommand)[0]!.args[0].input).toEqual({ QueueName: 'probe-step' });
  expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({ Bucket: 'probe-payloads', Prefix: 'payloads/', MaxKeys: 1 });
});

it('reads "does not exist" from each service', async () => {
  dynamodb.on(GetItemCommand, { TableName: 'probe-runs' }).rejects(ddbError('ResourceNotFoundException'));
  sqs.on(GetQueueUrlCommand).rejects(new SQSServiceException({ name: 'QueueDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'nope' }));
  s3.on(ListObjectsV2Command).rejects(new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'nope' }));
  const failing = (await probe().probe()).filter((r) => r.status !== 'ok');
  expect(failing.map((r) => [r.name, r.status])).toEqual([
    ['probe-runs', 'missing'],
    ['probe-step', 'missing'],
    ['probe-payloads', 'missing'],
  ]);
});

it('tells a table with another key schema from a missing one', async () => {
  dynamodb.on(GetItemCommand, { TableName: 'probe-hooks' }).rejects(ddbError('ValidationException'));
  const hooks = (await probe().probe()).find((r) => r.role === 'hooks')!;
  expect(hooks).toMatchObject({ status: 'mismatch', detail: expect.stringContaining('ValidationException') });
});

it('reports credentials, permissions and an unreachable endpoint as access problems with their fix', async () => {
  const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  dynamodb.on(GetItemCommand).rejects(noCredentials);
  sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }));
  s3.on(ListObjectsV2Command).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
  const results = await probe().probe();
  expect(results.find((r) => r.role === 'runs')!.access).toMatchObject({ kind: 'credentials', fix: expect.stringContaining('AWS_PROFILE') });
  expect(results.find((r) => r.role === 'step')!.access).toMatchObject({
    kind: 'unreachable',
    cause: expect.stringContaining('127.0.0.1:4566'),
    fix: expect.stringContaining('AWS_ENDPOINT_URL_SQS'),
  });
  expect(results.find((r) => r.kind === 'bucket')!.access).toMatchObject({ kind: 'denied', fix: expect.stringContaining('docs/iam.md') });
});

it('reports the region of a queue given by URL, from its ARN; a queue found by name has none (GetQueueUrl looks in the client\'s region)', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:probe-workflow' } });
  const results = await probe().probe();
  const queues = results.filter((r) => r.kind === 'queue').map((r) => ({ role: r.role, status: r.status, region: r.region }));
  expect(queues).toEqual([
    { role: 'workflow', status: 'ok', region: 'eu-west-1' },
    { role: 'step', status: 'ok', region: undefined },
  ]);
  expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: WORKFLOW_URL, AttributeNames: ['QueueArn'] }]);
});

it('a missing ARN or an unreadable one reports no region', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
  expect((await probe().probe()).find((r) => r.role === 'workflow')?.region).toBeUndefined();
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: 'not-an-arn' } });
  expect((await probe().probe()).find((r) => r.role === 'workflow')?.region).toBeUndefined();
});
