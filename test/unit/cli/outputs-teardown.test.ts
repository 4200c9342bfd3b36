// outputs prints what exists; teardown removes it, partial installs included.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import Teardown from '../../../src/cli/commands/teardown.js';
import { EXIT } from '../../../src/cli/errors.js';
import type { OutputsResult } from '../../../src/cli/operations/outputs.js';
import type { TeardownResult } from '../../../src/cli/operations/teardown.js';
import { fakeCloud, isEmpty, type FakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-outputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const common = (cloud: FakeCloud) => ['--name', 'shop', '--region', cloud.region];
const inject = (cloud: FakeCloud) => ({ factory: cloud.aws.factory, sleep: noSleep });
const bootstrapInto = (cloud: FakeCloud) => runCommand(Bootstrap, [...common(cloud), '--write-env', join(dir, '.env.aws')], inject(cloud));

/** Runs teardown with a scripted answer to its confirmation. */
async function teardownWith(cloud: FakeCloud, argv: string[], answer?: boolean) {
  class Answered extends Teardown {
    override confirm = async () => {
      if (answer === undefined) throw new Error('asked for confirmation unexpectedly');
      return answer;
    };
  }
  return runCommand(Answered, [...common(cloud), ...argv], inject(cloud));
}

describe('outputs', () => {
  it('prints dotenv with the resources as comments', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    const run = await runCommand(Outputs, common(cloud), inject(cloud));
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('# aws-workflow installation "shop" in us-east-1');
    expect(lines).toContain('# table                 shop-runs');
    expect(lines).toContain('# function              shop-worker');
    expect(lines).toContain(`WORKFLOW_AWS_WORKFLOW_QUEUE_URL=${cloud.queues.get('shop-workflow')!.url}`);
    expect(lines).toContain('WORKFLOW_AWS_CONSUMER=lambda');
    expect(lines.filter((l) => !l.startsWith('#')).every((l) => /^[A-Z0-9_]+=/.test(l))).toBe(true);
  });

  it('prints resources and env as JSON', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    const run = await runCommand(Outputs, [...common(cloud), '--json'], inject(cloud));
    const result = JSON.parse(run.stdout) as OutputsResult;
    expect(result.resources.filter((r) => r.kind === 'event-source-mapping')).toHaveLength(2);
    expect(result.resources.every((r) => r.exists)).toBe(true);
    expect(result.env.WORKFLOW_AWS_BUCKET).toBe('shop-123456789012-us-east-1');
    expect(result.env.WORKFLOW_AWS_STREAM_BUCKET).toBe('shop-123456789012-us-east-1'); // the spec's name, same bucket
  });

  it('says the installation is not bootstrapped when its resources are missing', async () => {
    const cloud = fakeCloud('eu-central-1');
    const run = await runCommand(Outputs, common(cloud), inject(cloud));
    expect(run.exitCode).toBe(EXIT.notBootstrapped);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('Installation "shop" is not bootstrapped in eu-central-1 (table shop-runs, table shop-steps, table shop-events and 7 more not found)');
  });
});

describe('teardown', () => {
  it('removes everything bootstrap made, emptying the bucket first', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    cloud.buckets.get('shop-123456789012-us-east-1')!.push('payloads/run-1/a', 'deployments/shop-worker/x.zip');
    const before = cloud.writes().length;
    const run = await teardownWith(cloud, ['--yes', '--json']);
    expect(run.exitCode).toBe(0);
    expect(isEmpty(cloud)).toBe(true);
    const result = JSON.parse(run.stdout) as TeardownResult;
    expect(result.removed).toBe(15);
    expect(result.resources.filter((r) => r.kind !== 'parameter').every((r) => r.status === 'deleted')).toBe(true);
    // No encryption key was set, so there is no key parameter.
    expect(result.resources.find((r) => r.kind === 'parameter')).toEqual({ kind: 'parameter', name: '/workflow-aws/shop-worker/encryption-key', status: 'absent' });
    // Lambda parts go first, so nothing polls a queue that is being deleted.
    const writes = cloud.writes().slice(before);
    expect(writes.slice(0, 7)).toEqual([
      'lambda:DeleteEventSourceMapping',
      'lambda:DeleteEventSourceMapping',
      'lambda:DeleteFunction',
      'iam:DeleteRolePolicy',
      'iam:DeleteRole',
      'ssm:DeleteParameter',
      expect.stringMatching(/^(dynamodb:DeleteTable|sqs:DeleteQueue|s3:DeleteObjects)$/),
    ]);
    expect(writes.indexOf('s3:DeleteObjects')).toBeLessThan(writes.indexOf('s3:DeleteBucket'));
  });

  it('deletes the encryption-key parameter bootstrap wrote', async () => {
    const cloud = fakeCloud();
    cloud.parameters.set('/workflow-aws/shop-worker/encryption-key', { value: Buffer.alloc(32, 1).toString('base64'), type: 'SecureString', versions: 1 });
    await bootstrapInto(cloud);
    const run = await teardownWith(cloud, ['--yes', '--json']);
    expect(run.exitCode).toBe(0);
    expect(isEmpty(cloud)).toBe(true);
    expect((JSON.parse(run.stdout) as TeardownResult).resources).toContainEqual({ kind: 'parameter', name: '/workflow-aws/shop-worker/encryption-key', status: 'deleted' });
  });

  it('is safe on a partial install and reports what was absent', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    // As if bootstrap had stopped after the data resources and one queue pair.
    for (const name of ['shop-step', 'shop-step-dlq']) cloud.queues.delete(name);
    cloud.mappings.clear();
    cloud.functions.clear();
    cloud.roles.clear();
    cloud.tables.delete('shop-streams');

    const run = await teardownWith(cloud, ['--yes', '--json']);
    expect(run.exitCode).toBe(0);
    expect(isEmpty(cloud)).toBe(true);
    const status = Object.fromEntries((JSON.parse(run.stdout) as TeardownResult).resources.map((r) => [`${r.kind} ${r.name}`, r.status]));
    expect(status).toMatchObject({
      'function shop-worker': 'absent',
      'role shop-worker-role': 'absent',
      'table shop-streams': 'absent',
      'table shop-runs': 'deleted',
      'queue shop-step': 'absent',
      'queue shop-workflow': 'deleted',
      'bucket shop-123456789012-us-east-1': 'deleted',
    });
  });

  it('on nothing at all reports it and succeeds', async () => {
    const cloud = fakeCloud();
    const run = await teardownWith(cloud, ['--yes']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('nothing of "shop" was left to remove in us-east-1');
    expect(run.stderr).toMatch(/absent\s+function\s+shop-worker/);
    expect(run.stderr).toMatch(/absent\s+bucket\s+shop-123456789012-us-east-1/);
    expect(run.stderr).not.toMatch(/deleted/);
  });

  it('asks first, and deletes nothing when the answer is no', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    const before = cloud.writes().length;
    const run = await teardownWith(cloud, [], false);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('Error: Teardown cancelled; nothing was deleted.\n');
    expect(cloud.writes().length).toBe(before);
  });

  it('deletes after a yes at the prompt', async () => {
    const cloud = fakeCloud();
    await bootstrapInto(cloud);
    const run = await teardownWith(cloud, [], true);
    expect(run.exitCode).toBe(0);
    expect(isEmpty(cloud)).toBe(true);
    expect(run.stderr).toMatch(/deleted\s+bucket\s+shop-123456789012-us-east-1/);
  });
});
