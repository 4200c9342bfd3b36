// bootstrap against a stateful fake of the AWS APIs: the exact resources it
// makes, idempotency, recovery after a partial failure, and the .env.aws file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, CreateEventSourceMappingCommand, ServiceException } from '@aws-sdk/client-lambda';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import type { BootstrapResult } from '../../../src/cli/operations/bootstrap.js';
import { ACCOUNT, fakeCloud, type FakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

let dir: string;
let envFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-bootstrap-'));
  envFile = join(dir, '.env.aws');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (cloud: FakeCloud, extra: string[] = []) =>
  runCommand(Bootstrap, ['--name', 'shop', '--region', cloud.region, '--write-env', envFile, ...extra], { factory: cloud.aws.factory, sleep: noSleep });

/** `run` with `variable` set in the environment for that run only. */
async function runWith(variable: string, value: string, cloud: FakeCloud, extra: string[] = []) {
  const saved = process.env[variable];
  process.env[variable] = value;
  try {
    return await run(cloud, extra);
  } finally {
    if (saved === undefined) delete process.env[variable];
    else process.env[variable] = saved;
  }
}

function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.startsWith('"') ? JSON.parse(match[2]!) : match[2]!;
  }
  return env;
}

const sorted = (xs: string[]) => [...xs].sort();

describe('bootstrap', () => {
  it('creates the five tables, both queues with DLQs, the bucket, the role with its policy, the function and two mappings', async () => {
    const cloud = fakeCloud('eu-west-1');
    const result = await run(cloud);
    expect(result.exitCode).toBe(0);

    const writes = cloud.writes();
    expect(sorted(writes.filter((w) => w.startsWith('dynamodb:')))).toEqual(
      // Point-in-time recovery on the event log by default (--no-events-point-in-time-recovery turns it off).
      sorted([...[...Array(5)].flatMap(() => ['dynamodb:CreateTable', 'dynamodb:UpdateTimeToLive']), 'dynamodb:UpdateContinuousBackups']),
    );
    expect([...cloud.tables].filter(([, t]) => t.pitr).map(([name]) => name)).toEqual(['shop-events']);
    expect(writes.filter((w) => w.startsWith('sqs:'))).toEqual(['sqs:CreateQueue', 'sqs:CreateQueue', 'sqs:CreateQueue', 'sqs:CreateQueue']);
    expect(writes.filter((w) => w.startsWith('s3:'))).toEqual([
      's3:CreateBucket',
      's3:PutPublicAccessBlock',
      's3:PutBucketEncryption',
      's3:PutBucketLifecycleConfiguration',
      's3:PutBucketPolicy',
    ]);
    // IAM and Lambda run after the data resources, in this order.
    expect(writes.filter((w) => w.startsWith('iam:') || w.startsWith('lambda:'))).toEqual([
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'lambda:CreateFunction',
      'lambda:CreateEventSourceMapping',
      'lambda:CreateEventSourceMapping',
    ]);

    const names = resourceNames('shop');
    expect([...cloud.tables.keys()].sort()).toEqual(Object.values(names.tables).sort());
    expect([...cloud.queues.keys()].sort()).toEqual([names.stepQueue, names.stepDlq, names.workflowQueue, names.workflowDlq].sort());
    // Bucket names are global: the default carries the account and region.
    expect([...cloud.buckets.keys()]).toEqual(['shop-123456789012-eu-west-1']);
    expect([...cloud.mappings.values()].map((m) => m.sourceArn).sort()).toEqual([
      `arn:aws:sqs:eu-west-1:${ACCOUNT}:shop-step`,
      `arn:aws:sqs:eu-west-1:${ACCOUNT}:shop-workflow`,
    ]);
    for (const m of cloud.mappings.values()) expect(m.responseTypes).toEqual(['ReportBatchItemFailures']);

    // The policy is scoped with the account read from the role's ARN.
    const policy = JSON.parse(cloud.aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!);
    expect(JSON.stringify(policy)).toContain(`arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/shop-runs`);

    // Progress: one line per resource on stderr; the summary on stdout.
    expect(result.stderr).toMatch(/created\s+table\s+shop-runs/);
    expect(result.stderr).toMatch(/created\s+event-source-mapping\s+shop-step → shop-worker/);
    expect(result.stdout).toContain('"shop" is ready: 15 of 15 resources created or updated.');
  });

  it('changes nothing on a second run and reports every resource present', async () => {
    const cloud = fakeCloud();
    await run(cloud);
    const before = cloud.writes().length;
    const second = await run(cloud, ['--json']);
    expect(second.exitCode).toBe(0);
    const newWrites = cloud.writes().slice(before);
    // The bucket's settings are re-put as-is by design (that completes a half-made bucket); nothing is created or changed.
    expect(newWrites).toEqual(['s3:PutPublicAccessBlock', 's3:PutBucketEncryption', 's3:PutBucketLifecycleConfiguration', 's3:PutBucketPolicy']);
    const result = JSON.parse(second.stdout) as BootstrapResult;
    expect(result.resources).toHaveLength(15);
    expect(result.resources.every((r) => r.status === 'present')).toBe(true);
  });

  it('finishes the job after a failure part-way through', async () => {
    const cloud = fakeCloud();
    cloud.failNext(CreateFunctionCommand, new ServiceException({ message: 'Lambda is having a bad day', $metadata: {} }));
    const first = await run(cloud);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toContain('Error: ServiceException: Lambda is having a bad day');
    expect(cloud.functions.size).toBe(0);

    const before = cloud.writes().length;
    const second = await run(cloud, ['--json']);
    expect(second.exitCode).toBe(0);
    expect(cloud.writes().slice(before).filter((w) => !w.startsWith('s3:Put'))).toEqual([
      'lambda:CreateFunction',
      'lambda:CreateEventSourceMapping',
      'lambda:CreateEventSourceMapping',
    ]);
    const statuses = Object.fromEntries((JSON.parse(second.stdout) as BootstrapResult).resources.map((r) => [r.name, r.status]));
    expect(statuses['shop-worker']).toBe('created');
    expect(statuses['shop-worker-role']).toBe('present');
    expect(statuses['shop-runs']).toBe('present');
  });

  it('recovers when a mapping was missing (e.g. deleted by hand)', async () => {
    const cloud = fakeCloud();
    await run(cloud);
    const [uuid] = cloud.mappings.keys();
    cloud.mappings.delete(uuid!);
    const before = cloud.aws.lambda.commandCalls(CreateEventSourceMappingCommand).length;
    await run(cloud);
    expect(cloud.aws.lambda.commandCalls(CreateEventSourceMappingCommand).length - before).toBe(1);
    expect(cloud.mappings.size).toBe(2);
  });

  it('enables point-in-time recovery on the events table by default, on none with the flag off, on all when asked', async () => {
    const off = fakeCloud();
    await run(off, ['--no-events-point-in-time-recovery']);
    expect([...off.tables.values()].some((t) => t.pitr)).toBe(false);
    const cloud = fakeCloud();
    await run(cloud);
    expect([...cloud.tables].filter(([, t]) => t.pitr).map(([name]) => name)).toEqual(['shop-events']);
    const again = await run(cloud, ['--point-in-time-recovery', '--json']);
    expect([...cloud.tables.values()].every((t) => t.pitr)).toBe(true);
    const tables = (JSON.parse(again.stdout) as BootstrapResult).resources.filter((r) => r.kind === 'table');
    expect(Object.fromEntries(tables.map((t) => [t.name, t.status]))).toEqual({
      'shop-runs': 'updated',
      'shop-steps': 'updated',
      'shop-events': 'present',
      'shop-hooks': 'updated',
      'shop-streams': 'updated',
    });
  });

  it('writes a .env.aws from which the world resolves exactly this installation, with no secrets', async () => {
    const cloud = fakeCloud('eu-west-1');
    await run(cloud, ['--bucket', 'shop-payloads-9f3a']);
    const text = await readFile(envFile, 'utf8');
    expect(text).not.toMatch(/SECRET|ACCESS_KEY|SESSION_TOKEN|PASSWORD/);
    const env = parseDotenv(text);
    const config = resolveWorldConfig({}, env);
    const expected = resourceNames('shop');
    expect(config.name).toBe('shop');
    expect(config.region).toBe('eu-west-1');
    expect(config.resources).toEqual({ ...expected, bucket: 'shop-payloads-9f3a' });
    expect(config.workflowQueueUrl).toBe(cloud.queues.get('shop-workflow')!.url);
    expect(config.stepQueueUrl).toBe(cloud.queues.get('shop-step')!.url);
    expect(config.consumer).toBe('lambda');
    expect(env.WORKFLOW_TARGET_WORLD).toBe('@workflow/world-aws');
    // Every other documented setting is listed, commented out, with its default.
    expect(text).toContain('# WORKFLOW_AWS_CONCURRENCY=10');
    expect(text).toContain('# WORKFLOW_AWS_MAX_RECEIVE_COUNT=50');
    expect(text).toContain('# WORKFLOW_AWS_MAX_HANDLER_SECONDS=900');
    expect(env.WORKFLOW_AWS_CONCURRENCY).toBeUndefined();
  });

  it('gives the function the same world environment, minus the region Lambda reserves', async () => {
    const cloud = fakeCloud();
    await run(cloud);
    const env = cloud.functions.get('shop-worker')!.env;
    expect(env.AWS_REGION).toBeUndefined();
    expect(env).toMatchObject({ WORKFLOW_AWS_NAME: 'shop', WORKFLOW_AWS_CONSUMER: 'lambda', WORKFLOW_AWS_DELIVERY: 'in-process' });
    expect(resolveWorldConfig({}, { ...env, AWS_REGION: 'us-east-1' }).resources).toEqual({ ...resourceNames('shop'), bucket: 'shop-123456789012-us-east-1' });
  });

  it('puts the payload encryption key in an SSM SecureString parameter: the function\'s configuration names it and holds no key material', async () => {
    const cloud = fakeCloud();
    const key = Buffer.alloc(32, 7).toString('base64');
    const first = await runWith('WORKFLOW_AWS_ENCRYPTION_KEY', key, cloud, ['--json']);
    expect(cloud.parameters.get('/workflow-aws/shop-worker/encryption-key')).toEqual({ value: key, type: 'SecureString', versions: 1 });
    const env = cloud.functions.get('shop-worker')!.env;
    expect(env.WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER).toBe('/workflow-aws/shop-worker/encryption-key');
    expect(env.WORKFLOW_AWS_ENCRYPTION_KEY).toBeUndefined();
    // No key material anywhere in what Lambda was sent (raw, base64 or hex).
    const sentToLambda = JSON.stringify(cloud.aws.lambda.calls().map((call) => (call.args[0] as { input: unknown }).input));
    for (const form of [key, Buffer.from(key, 'base64').toString('hex')]) expect(sentToLambda).not.toContain(form);
    expect(first.stdout + first.stderr).not.toContain(key);
    expect(await readFile(envFile, 'utf8')).not.toContain('ENCRYPTION_KEY');
    // The world the function builds from that environment reads the key from the parameter.
    expect(resolveWorldConfig({}, { ...env, AWS_REGION: 'us-east-1' })).toMatchObject({
      encryptionKeyParameter: '/workflow-aws/shop-worker/encryption-key',
      encryptionKey: undefined,
    });

    // A later run from a shell without the key keeps the parameter and the function's reference to it.
    const second = await run(cloud, ['--json']);
    const reports = (JSON.parse(second.stdout) as BootstrapResult).resources;
    expect(reports.find((r) => r.kind === 'function')!.status).toBe('present');
    expect(cloud.functions.get('shop-worker')!.env.WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER).toBe('/workflow-aws/shop-worker/encryption-key');
    expect(cloud.parameters.get('/workflow-aws/shop-worker/encryption-key')!.versions).toBe(1);
  });

  it('moves a key an earlier version left in the function\'s environment into the parameter', async () => {
    const cloud = fakeCloud();
    await run(cloud);
    const key = Buffer.alloc(32, 9).toString('base64');
    cloud.functions.get('shop-worker')!.env.WORKFLOW_AWS_ENCRYPTION_KEY = key;
    await run(cloud);
    expect(cloud.parameters.get('/workflow-aws/shop-worker/encryption-key')).toMatchObject({ value: key, type: 'SecureString' });
    const env = cloud.functions.get('shop-worker')!.env;
    expect(env.WORKFLOW_AWS_ENCRYPTION_KEY).toBeUndefined();
    expect(env.WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER).toBe('/workflow-aws/shop-worker/encryption-key');
  });

  it('sizes the queues from WORKFLOW_AWS_MAX_MESSAGE_BYTES, and raises a smaller MaximumMessageSize of an existing queue', async () => {
    const cloud = fakeCloud();
    await run(cloud);
    for (const name of ['shop-workflow', 'shop-step', 'shop-workflow-dlq', 'shop-step-dlq']) {
      expect(cloud.queues.get(name)!.attributes!.MaximumMessageSize).toBe(String(256 * 1024));
    }
    const second = await runWith('WORKFLOW_AWS_MAX_MESSAGE_BYTES', String(1024 * 1024), cloud, ['--json']);
    const queues = (JSON.parse(second.stdout) as BootstrapResult).resources.filter((r) => r.kind === 'queue' || r.kind === 'dlq');
    expect(queues.map((r) => r.status)).toEqual(['updated', 'updated', 'updated', 'updated']);
    for (const name of ['shop-workflow', 'shop-step', 'shop-workflow-dlq', 'shop-step-dlq']) {
      expect(cloud.queues.get(name)!.attributes!.MaximumMessageSize).toBe('1048576');
    }
    // Already large enough: left alone.
    const third = await run(cloud, ['--json']);
    expect((JSON.parse(third.stdout) as BootstrapResult).resources.filter((r) => r.kind === 'queue').map((r) => r.status)).toEqual(['present', 'present']);
  });

  it('refuses a malformed encryption key before touching AWS, without echoing it', async () => {
    const cloud = fakeCloud();
    const saved = process.env.WORKFLOW_AWS_ENCRYPTION_KEY;
    process.env.WORKFLOW_AWS_ENCRYPTION_KEY = 'not-a-32-byte-key';
    try {
      const result = await run(cloud);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe('Error: WORKFLOW_AWS_ENCRYPTION_KEY must be a base64 32-byte key (its value is not shown).\n');
      expect(cloud.aws.calls()).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.WORKFLOW_AWS_ENCRYPTION_KEY;
      else process.env.WORKFLOW_AWS_ENCRYPTION_KEY = saved;
    }
  });

  it('with --no-lambda makes only tables, queues and bucket, and lets the app consume', async () => {
    const cloud = fakeCloud();
    await run(cloud, ['--no-lambda']);
    expect(cloud.aws.iam.calls()).toHaveLength(0);
    expect(cloud.aws.lambda.calls()).toHaveLength(0);
    expect(parseDotenv(await readFile(envFile, 'utf8')).WORKFLOW_AWS_CONSUMER).toBe('process');
  });
});
