// The CLI on a workflow@5 installation (embedded local AWS): runs made by the
// 5 runtime through the 5 facade, then `status`, `verify`, `dlq list` and
// `repair` as an operator runs them. repair sends through the 5 facade (the
// line the installation records); its re-enqueued runs are then consumed by
// the 5 app and a waiting hook still resumes.
import { localClients } from '../../src/infra/local-aws/index.js';
import type { AwsClients } from '../../src/cli/aws/clients.js';
import List from '../../src/cli/commands/dlq/list.js';
import Repair from '../../src/cli/commands/repair.js';
import Status from '../../src/cli/commands/status.js';
import Verify from '../../src/cli/commands/verify.js';
import type { RepairResult } from '../../src/cli/operations/repair.js';
import type { StatusResult } from '../../src/cli/operations/status.js';
import type { VerifyResult } from '../../src/world/verify.js';
import { startHarnessServer, type HarnessServer } from '../e2e/harness/server-process.js';
import type { TargetRuntime } from '../e2e/harness/targets.js';
import { fakeCloud } from '../unit/cli/helpers/fake-cloud.js';
import { noSleep } from '../unit/cli/helpers/mock-clients.js';
import { runCommand } from '../unit/cli/helpers/run-command.js';
import { prepareV5App } from './harness/prepare.mjs';
import { V5_SERVER, V5_TARGETS } from './harness/targets.js';

let appDir: string;
let runtime: TargetRuntime | undefined;
let server: HarnessServer | undefined;
const saved = { ...process.env };

beforeAll(async () => {
  appDir = await prepareV5App();
  runtime = await V5_TARGETS.find((t) => t.name === 'aws')!.start();
  // The CLI's world reads credentials and endpoints the way an app does.
  Object.assign(process.env, runtime.env);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await runtime?.stop();
  process.env = saved;
}, 30_000);

test('status, verify, dlq list and repair on a workflow@5 installation', async () => {
  const local = runtime!.localAws!;
  server = await startHarnessServer({ appDir, server: V5_SERVER, env: runtime!.env });
  const client = server.client;
  const done = await client.start('sequentialSteps', [5]);
  const failed = await client.start('fatalFailure', ['cli-v5']);
  const token = `cli-v5-${Date.now()}`;
  const waiting = await client.start('hookCollector', [token, 1]);
  expect(await client.outcome(done, 30_000)).toEqual({ outcome: 'completed', value: 5 });
  expect((await client.outcome(failed, 30_000)).outcome).toBe('failed');
  await client.waitFor('the hook run to suspend', async () => ((await client.status(waiting)) === 'running' ? true : undefined));
  // Let the hook's suspension settle before the app goes away.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await server.stop();
  server = undefined;

  const data = localClients(local.endpoints, local.region);
  const cloud = fakeCloud(local.region);
  const clients: AwsClients = { ...data, lambda: cloud.aws.clients.lambda, iam: cloud.aws.clients.iam, ssm: cloud.aws.clients.ssm, sts: cloud.aws.clients.sts };
  const cli = (command: Parameters<typeof runCommand>[0], ...args: string[]) =>
    runCommand(command, ['--name', runtime!.env.WORKFLOW_AWS_NAME ?? 'workflow', '--region', local.region, '--json', ...args], { factory: () => clients, sleep: noSleep });

  const status = await cli(Status, '--no-lambda', '--no-exit-status');
  expect(status.exitCode).toBe(0);
  const report = JSON.parse(status.stdout) as StatusResult;
  expect(report.line).toBe('5');
  expect(report.runs?.byStatus.completed.count).toBe(1);
  expect(report.runs?.byStatus.failed.count).toBe(1);
  expect(report.runs?.active.count).toBe(1);

  const verify = await cli(Verify, '--since', '1h');
  expect(JSON.parse(verify.stdout) as VerifyResult).toMatchObject({ runsChecked: 3, drift: [] });
  expect(verify.exitCode).toBe(0);

  const dlq = await cli(List);
  expect(dlq.exitCode).toBe(0);
  expect(JSON.parse(dlq.stdout)).toEqual({ messages: [] });

  const repair = await cli(Repair);
  expect(repair.exitCode).toBe(0);
  expect(JSON.parse(repair.stdout) as RepairResult).toMatchObject({ active: 1, reenqueued: 1, failed: [] });

  // The 5 app consumes the re-enqueued message (one more replay) and the hook still resumes.
  server = await startHarnessServer({ appDir, server: V5_SERVER, env: runtime!.env });
  expect(await server.client.resumeHookWhenReady(token, { seq: 1, text: 'after repair' })).toBe(waiting);
  expect(await server.client.outcome(waiting, 30_000)).toEqual({ outcome: 'completed', value: [{ seq: 1, text: 'after repair' }] });
}, 240_000);
