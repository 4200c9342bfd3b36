// WORKFLOW_AWS_MAX_RECEIVE_COUNT (or --max-receive-count) reaches the queues'
// redrive policy through bootstrap, on new and existing queues, the env file,
// and status's drift check.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import type { BootstrapResult } from '../../../src/cli/operations/bootstrap.js';
import { queueDrift } from '../../../src/cli/status/queues.js';
import { fakeCloud, type FakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

let dir: string;
const saved = process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-mrc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT;
  else process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT = saved;
});

const bootstrap = (cloud: FakeCloud, extra: string[] = []) =>
  runCommand(Bootstrap, ['--name', 'shop', '--region', cloud.region, '--no-lambda', '--write-env', join(dir, '.env.aws'), '--json', ...extra], {
    factory: cloud.aws.factory,
    sleep: noSleep,
  });
const redrive = (cloud: FakeCloud, queue: string) => JSON.parse(cloud.queues.get(queue)!.attributes!.RedrivePolicy!) as { maxReceiveCount: number };

it('the variable sets the redrive policy of new queues, and the env file carries it for the world', async () => {
  process.env.WORKFLOW_AWS_MAX_RECEIVE_COUNT = '3';
  const cloud = fakeCloud();
  expect((await bootstrap(cloud)).exitCode).toBe(0);
  expect(redrive(cloud, 'shop-workflow').maxReceiveCount).toBe(3);
  expect(redrive(cloud, 'shop-step').maxReceiveCount).toBe(3);
  expect(await readFile(join(dir, '.env.aws'), 'utf8')).toMatch(/^WORKFLOW_AWS_MAX_RECEIVE_COUNT=3$/m);
});

it('a changed value updates existing queues (reported `updated`); the same value changes nothing', async () => {
  const cloud = fakeCloud();
  await bootstrap(cloud);
  expect(redrive(cloud, 'shop-workflow').maxReceiveCount).toBe(50);
  const changed = await bootstrap(cloud, ['--max-receive-count', '7']);
  expect(redrive(cloud, 'shop-workflow').maxReceiveCount).toBe(7);
  const reports = (JSON.parse(changed.stdout) as BootstrapResult).resources;
  expect(reports.filter((r) => r.status === 'updated').map((r) => r.name).sort()).toEqual(['shop-step', 'shop-workflow']);
  const writes = cloud.writes().length;
  await bootstrap(cloud, ['--max-receive-count', '7']);
  expect(cloud.writes().slice(writes).filter((w) => w.startsWith('sqs:'))).toEqual([]);
});

it('out of range is refused, naming the flag', async () => {
  const result = await runCommand(Bootstrap, ['--name', 'shop', '--no-lambda', '--max-receive-count', '0'], { factory: fakeCloud().aws.factory, sleep: noSleep });
  expect(result.exitCode).not.toBe(0); // 2 from bin/run.js (oclif's flag-parsing exit)
  expect(result.stdout + result.stderr).toMatch(/--max-receive-count must be an integer from 1 to 1000/);
});

it('status reports a queue whose redrive policy differs from the configured count', () => {
  const settings = { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:shop-workflow-dlq', maxReceiveCount: 50 };
  expect(queueDrift('workflow', settings, 'shop-workflow-dlq', 50)).toEqual([]);
  expect(queueDrift('workflow', settings, 'shop-workflow-dlq', 3)).toEqual([
    'maxReceiveCount 50 (WORKFLOW_AWS_MAX_RECEIVE_COUNT / --max-receive-count: 3; bootstrap sets it)',
  ]);
});
