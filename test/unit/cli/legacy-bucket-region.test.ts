// Without --bucket every command first asks whether the legacy bucket
// `<name>-payloads` is this account's (HeadBucket with ExpectedBucketOwner).
// When a bucket of that name lives in another region, S3 answers 301 (or 400
// in newer regions) with x-amz-bucket-region, which the SDK reports as
// `Unknown: UnknownError`. That bucket is not this installation's: every
// command goes on exactly as if it did not exist.
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import Status from '../../../src/cli/commands/status.js';
import Teardown from '../../../src/cli/commands/teardown.js';
import type { AwsCommand } from '../../../src/cli/base-command.js';
import { fakeCloud, type FakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand, type CommandRun } from './helpers/run-command.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-legacy-bucket-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type CommandClass = new (...args: never[]) => AwsCommand;

/** bootstrap, then each read command, then teardown, on one cloud; what each printed and its exit code. */
async function session(cloud: FakeCloud): Promise<Array<Pick<CommandRun, 'stdout' | 'exitCode'> & { command: string }>> {
  const common = ['--name', 'shop', '--region', cloud.region];
  const inject = { factory: cloud.aws.factory, sleep: noSleep };
  const steps: Array<[string, CommandClass, string[]]> = [
    ['bootstrap', Bootstrap, ['--json', '--write-env', join(dir, '.env.aws')]],
    ['outputs', Outputs, ['--json']],
    ['status', Status, ['--json', '--no-runs']],
    ['teardown', Teardown, ['--json', '--yes']],
  ];
  const runs = [];
  for (const [command, Class, argv] of steps) {
    const run = await runCommand(Class as never, [...common, ...argv], inject);
    expect(run.stderr).not.toContain('UnknownError');
    runs.push({ command, stdout: run.stdout, exitCode: run.exitCode });
  }
  return runs;
}

it.each([301, 400] as const)('a legacy bucket in another region (%i with x-amz-bucket-region): every command goes on as without it', async (status) => {
  const baseline = await session(fakeCloud('eu-west-1'));
  expect(baseline.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);

  const cloud = fakeCloud('eu-west-1');
  cloud.foreignBuckets.set('shop-payloads', { status, region: 'us-west-2' });
  const withForeign = await session(cloud);
  expect(withForeign).toEqual(baseline);
  // It was asked about, and the account's own bucket was used.
  const probed = cloud.aws.s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input.Bucket);
  expect(probed.filter((b) => b === 'shop-payloads').length).toBeGreaterThanOrEqual(4);
  expect(JSON.parse(withForeign[0]!.stdout).env.WORKFLOW_AWS_BUCKET).toBe('shop-123456789012-eu-west-1');
});

it('every command that talks to AWS resolves the bucket through the same context (so the cases above cover them all)', async () => {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  await walk('src/cli/commands');
  const aws = [];
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    if (!source.includes('extends AwsCommand')) continue;
    aws.push(file);
    // dev runs the embedded local AWS and names its bucket itself.
    if (file.endsWith('dev.ts')) continue;
    expect({ file, context: source.includes('this.createContext(') }).toEqual({ file, context: true });
  }
  expect(aws.length).toBeGreaterThanOrEqual(9);
});
