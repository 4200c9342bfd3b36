// bootstrap → outputs → teardown against the embedded local AWS (DynamoDB,
// SQS, S3 for real; IAM and Lambda faked, the emulators have neither) leaves
// nothing of the installation behind.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { localClients, startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import type { AwsClients } from '../../../src/cli/aws/clients.js';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import Teardown from '../../../src/cli/commands/teardown.js';
import type { OutputsResult } from '../../../src/cli/operations/outputs.js';
import type { TeardownResult } from '../../../src/cli/operations/teardown.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { fakeCloud } from '../../unit/cli/helpers/fake-cloud.js';
import { noSleep } from '../../unit/cli/helpers/mock-clients.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(60_000);

let local: LocalAws;
let data: ReturnType<typeof localClients>;
let dir: string;

beforeAll(async () => {
  // The stack provisions its own (differently named) installation; the CLI's goes next to it.
  local = await startLocalAws({ name: 'clibase' });
  data = localClients(local.endpoints, local.region);
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-lifecycle-'));
});

afterAll(async () => {
  for (const client of Object.values(data)) client.destroy();
  await local.stop();
  await rm(dir, { recursive: true, force: true });
});

async function leftovers(prefix: string): Promise<string[]> {
  const tables = (await data.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
  const queues = (await data.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];
  const buckets = ((await data.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');
  return [...tables, ...queues.map((u) => u.split('/').pop() ?? u), ...buckets].filter((n) => n.startsWith(prefix));
}

it('bootstrap, outputs and teardown leave nothing behind', async () => {
  const cloud = fakeCloud(local.region);
  const clients: AwsClients = { ...data, lambda: cloud.aws.clients.lambda, iam: cloud.aws.clients.iam, ssm: cloud.aws.clients.ssm, sts: cloud.aws.clients.sts };
  const inject = { factory: () => clients, sleep: noSleep };
  const common = ['--name', 'itest', '--region', local.region];
  // dynalite has no point-in-time recovery (on by default for the events table).
  const boots = ['--no-events-point-in-time-recovery'];
  const envFile = join(dir, '.env.aws');

  const boot = await runCommand(Bootstrap, [...common, ...boots, '--write-env', envFile], inject);
  if (boot.exitCode !== 0) throw new Error(boot.stderr);
  expect((await leftovers('itest-')).sort()).toEqual(
    ['itest-events', 'itest-hooks', 'itest-runs', 'itest-steps', 'itest-streams', 'itest-workflow', 'itest-workflow-dlq', 'itest-step', 'itest-step-dlq', `itest-123456789012-${local.region}`].sort(),
  );
  // The mappings point at the queues the emulator really made.
  const queueArns = [...cloud.mappings.values()].map((m) => m.sourceArn);
  expect(queueArns).toHaveLength(2);
  expect(queueArns.every((arn) => /:itest-(workflow|step)$/.test(arn))).toBe(true);

  const again = await runCommand(Bootstrap, [...common, ...boots, '--write-env', envFile, '--json'], inject);
  expect(JSON.parse(again.stdout).resources.every((r: { status: string }) => r.status === 'present')).toBe(true);

  const out = await runCommand(Outputs, [...common, '--json'], inject);
  expect(out.exitCode).toBe(0);
  const outputs = JSON.parse(out.stdout) as OutputsResult;
  const written = Object.fromEntries(
    (await readFile(envFile, 'utf8'))
      .split('\n')
      .filter((l) => /^[A-Z]/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(outputs.env).toEqual(written);
  expect(resolveWorldConfig({}, outputs.env).workflowQueueUrl).toContain('itest-workflow');

  const down = await runCommand(Teardown, [...common, '--yes', '--json'], inject);
  expect(down.exitCode).toBe(0);
  expect((JSON.parse(down.stdout) as TeardownResult).removed).toBe(15);
  expect(await leftovers('itest-')).toEqual([]);
  expect(cloud.functions.size + cloud.roles.size + cloud.mappings.size).toBe(0);
  // The stack's own installation is untouched.
  expect((await leftovers('clibase-')).length).toBe(10);

  const afterwards = await runCommand(Outputs, common, inject);
  expect(afterwards.exitCode).toBe(6);
});
