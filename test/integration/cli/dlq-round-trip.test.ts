// The DLQ round trip on the embedded local AWS, through the CLI's `--local`
// target: a poison workflow message reaches the DLQ, `dlq list` shows it with
// its run id, `dlq redrive --run` moves it back once the fault is fixed, and
// the run completes. `status` sees the depths; `dlq purge --yes` empties it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import DlqDrop from '../../../src/cli/commands/dlq/drop.js';
import DlqList from '../../../src/cli/commands/dlq/list.js';
import DlqPurge from '../../../src/cli/commands/dlq/purge.js';
import DlqRedrive from '../../../src/cli/commands/dlq/redrive.js';
import DlqShow from '../../../src/cli/commands/dlq/show.js';
import Status from '../../../src/cli/commands/status.js';
import type { DeadLetter } from '../../../src/cli/dlq/dead-letters.js';
import { writeDevState } from '../../../src/cli/local/dev-state.js';
import type { StatusResult } from '../../../src/cli/operations/status.js';
import { createWorld } from '../../../src/index.js';
import type { AwsWorld } from '../../../src/world/assemble-world.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(90_000);

const NAME = 'dlqrt';
let local: LocalAws;
let world: AwsWorld;
let stateDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: NAME, maxReceiveCount: 2 });
  // What `aws-workflow dev` writes when it is ready, so `--local` finds this stack.
  stateDir = await mkdtemp(join(tmpdir(), 'aws-workflow-state-'));
  process.env.AWS_WORKFLOW_STATE_DIR = stateDir;
  await writeDevState({
    pid: process.pid,
    name: NAME,
    region: local.region,
    endpoints: local.endpoints,
    queueUrls: { workflow: local.queueUrls.workflow, step: local.queueUrls.step },
    credentials: local.credentials,
    startedAt: new Date().toISOString(),
  });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: local.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey });
  world = createWorld({
    name: NAME,
    region: local.region,
    endpoints: local.endpoints,
    s3ForcePathStyle: true,
    workflowQueueUrl: local.queueUrls.workflow,
    stepQueueUrl: local.queueUrls.step,
    consumer: 'process',
    delivery: 'in-process',
    maxReceiveCount: 2,
    retryBaseSeconds: 0,
    retryMaxSeconds: 0,
  });
});

afterAll(async () => {
  await world?.close();
  await local?.stop();
  await rm(stateDir, { recursive: true, force: true });
  process.env = saved;
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const local_ = ['--local', '--name', NAME, '--json'];

it('a poison message reaches the DLQ, is listed with its run, is redriven after the fix, and its run completes', async () => {
  const fault = { on: true };
  const { run } = await world.events.create(null as never, {
    eventType: 'run_created',
    eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([1]) },
  } as never);
  const runId = run!.runId;
  world.createQueueHandler('__wkf_workflow_', async (payload) => {
    if (fault.on) throw new Error('poison: the deployed code cannot handle this run');
    const id = (payload as { runId: string }).runId;
    await world.events.create(id, { eventType: 'run_started' } as never);
    await world.events.create(id, { eventType: 'run_completed', eventData: { output: new Uint8Array([2]) } } as never);
  });
  await world.queue('__wkf_workflow_wf' as ValidQueueName, { runId });

  // Two failed deliveries, then SQS moves it to the DLQ.
  const letters = await until(async () => {
    const listed = await runCommand(DlqList, [...local_, '--queue', 'workflow']);
    expect(listed.exitCode).toBe(0);
    const messages = (listed.result as { messages: DeadLetter[] }).messages;
    return messages.length > 0 ? messages : undefined;
  }, 40_000);
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({ runId, channel: 'workflow', dlq: `${NAME}-workflow-dlq`, queueName: '__wkf_workflow_wf', payload: 'inline' });
  expect(letters[0]!.receiveCount).toBeGreaterThanOrEqual(2);

  const shown = await runCommand(DlqShow, [runId, ...local_]);
  expect(shown.exitCode).toBe(0);
  expect((shown.result as { messages: DeadLetter[] }).messages.map((m) => m.messageId)).toEqual([letters[0]!.messageId]);

  // A dead letter is a problem: the report, then exit 7 (for scripts and alerts); --no-exit-status reports only.
  const status = await runCommand(Status, local_);
  expect(status.exitCode).toBe(7);
  const s = status.result as StatusResult;
  expect(s.problems).toEqual([`1 dead letter(s) in ${NAME}-workflow-dlq (\`aws-workflow dlq list\`)`]);
  expect((await runCommand(Status, [...local_, '--no-exit-status'])).exitCode).toBe(0);
  expect(s.queues.find((q) => q.role === 'workflowDlq')).toMatchObject({ exists: true, visible: 1 });
  expect(s.runs?.byStatus.pending).toEqual({ count: 1, capped: false });
  expect(s.runs?.oldestActive?.runId).toBe(runId);
  expect(s.function).toBeUndefined();

  fault.on = false;
  const redriven = await runCommand(DlqRedrive, [...local_, '--run', runId]);
  expect(redriven.exitCode).toBe(0);
  expect((redriven.result as { outcomes: { channel: string; moved: DeadLetter[] }[] }).outcomes).toEqual([
    expect.objectContaining({ channel: 'workflow', method: 'loop', left: 0, moved: [expect.objectContaining({ runId })] }),
    expect.objectContaining({ channel: 'step', method: 'loop', left: 0, moved: [] }),
  ]);

  await until(async () => ((await world.runs.get(runId)).status === 'completed' ? true : undefined), 30_000);
  const after = await runCommand(DlqList, local_);
  expect((after.result as { messages: DeadLetter[] }).messages).toEqual([]);
  const doneRun = await runCommand(Status, local_);
  expect(doneRun.exitCode).toBe(0);
  const done = doneRun.result as StatusResult;
  expect(done.problems).toEqual([]);
  expect(done.runs?.byStatus.completed.count).toBe(1);
  expect(done.runs?.active.count).toBe(0);
});

it('redrive without --run falls back to moving one by one where SQS move tasks are missing, and purge needs --yes', async () => {
  const { run } = await world.events.create(null as never, {
    eventType: 'run_created',
    eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([1]) },
  } as never);
  // Straight into the DLQ: what SQS does after maxReceiveCount.
  const { SendMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({ region: local.region, endpoint: local.endpoints.sqs, credentials: local.credentials });
  const body = JSON.stringify({ v: 1, id: 'msg_01J0000000000000000000000X', queueName: '__wkf_step_step//./a//b', deploymentId: 'dpl', payload: { workflowName: 'wf', workflowRunId: run!.runId, workflowStartedAt: 1, stepId: 'step_x' } });
  await sqs.send(new SendMessageCommand({ QueueUrl: local.queueUrls.stepDlq, MessageBody: body }));
  await sqs.send(new SendMessageCommand({ QueueUrl: local.queueUrls.stepDlq, MessageBody: 'not an envelope' }));

  const listed = (await runCommand(DlqList, [...local_, '--queue', 'step'])).result as { messages: DeadLetter[] };
  expect(listed.messages.map((m) => m.runId ?? m.undecodable).sort()).toEqual([run!.runId, 'message body is not tagged JSON: Unexpected token \'o\', "not an envelope" is not valid JSON'].sort());

  const refused = await runCommand(DlqPurge, ['--local', '--name', NAME, '--queue', 'workflow']);
  expect(refused.exitCode).toBe(1);

  // Moving them back to the step queue, where the world would consume them: stop it first, then look there.
  await world.close();
  const redriven = await runCommand(DlqRedrive, [...local_, '--queue', 'step']);
  expect(redriven.exitCode).toBe(0);
  const [outcome] = (redriven.result as { outcomes: { method: string; fallbackReason?: string; moved: DeadLetter[] }[] }).outcomes;
  expect(outcome).toMatchObject({ method: 'loop', fallbackReason: expect.stringContaining('no SQS message move tasks'), left: 0, undecodable: 1 });
  // The undecodable one stays: no consumer could run it, it would only come back after every attempt.
  expect(outcome!.moved.map((l) => l.runId)).toEqual([run!.runId]);
  const s = (await runCommand(Status, [...local_, '--no-runs'])).result as StatusResult;
  // The envelope is back on the step queue. It may sit in flight for the 5 s receive lease: a long
  // poll that close() aborted can still be handed a message (fauxqs does; SQS can, on a dropped connection).
  const stepQueue = s.queues.find((q) => q.role === 'step');
  expect((stepQueue?.visible ?? 0) + (stepQueue?.inFlight ?? 0)).toBe(1);
  expect(s.queues.find((q) => q.role === 'stepDlq')?.visible).toBe(1);
  const said = await runCommand(DlqRedrive, ['--local', '--name', NAME, '--queue', 'step']);
  expect(said.stdout).toContain('step: moved 0 message(s) back, left 1 undecodable (no consumer can run them: `aws-workflow dlq drop --undecodable` deletes them)');

  await sqs.send(new SendMessageCommand({ QueueUrl: local.queueUrls.stepDlq, MessageBody: 'again' }));
  const purged = await runCommand(DlqPurge, ['--local', '--name', NAME, '--queue', 'step', '--yes', '--json']);
  expect(purged.exitCode).toBe(0);
  expect(purged.result).toEqual({ purged: [`${NAME}-step-dlq`] });
  sqs.destroy();
});

it('drops single poison messages (by id, by run, undecodable), leaves the rest, and says when nothing matched', async () => {
  const { SendMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({ region: local.region, endpoint: local.endpoints.sqs, credentials: local.credentials });
  const envelope = (runId: string, id: string) =>
    JSON.stringify({ v: 1, id, queueName: '__wkf_workflow_wf', deploymentId: 'dpl', payload: { runId } });
  for (const body of [envelope('wrun_keep', 'msg_01J0000000000000000000000A'), envelope('wrun_poison', 'msg_01J0000000000000000000000B'), 'garbage one', 'garbage two']) {
    await sqs.send(new SendMessageCommand({ QueueUrl: local.queueUrls.workflowDlq, MessageBody: body }));
  }
  const listed = ((await runCommand(DlqList, [...local_, '--queue', 'workflow'])).result as { messages: DeadLetter[] }).messages;
  const keep = listed.find((m) => m.runId === 'wrun_keep')!;
  const garbage = listed.filter((m) => m.undecodable);
  expect(garbage).toHaveLength(2);

  const byId = await runCommand(DlqDrop, [garbage[0]!.messageId, ...local_, '--yes']);
  expect(byId.exitCode).toBe(0);
  expect((byId.result as { dropped: DeadLetter[] }).dropped.map((l) => l.messageId)).toEqual([garbage[0]!.messageId]);
  const rest = await runCommand(DlqDrop, [...local_, '--yes', '--undecodable', '--run', 'wrun_poison']);
  expect((rest.result as { dropped: DeadLetter[] }).dropped.map((l) => l.runId ?? 'undecodable').sort()).toEqual(['undecodable', 'wrun_poison']);
  const left = ((await runCommand(DlqList, [...local_, '--queue', 'workflow'])).result as { messages: DeadLetter[] }).messages;
  expect(left.map((m) => m.messageId)).toEqual([keep.messageId]);

  const nothing = await runCommand(DlqDrop, [...local_, '--yes', '--run', 'wrun_unknown']);
  expect(nothing.exitCode).toBe(1);
  expect(nothing.stdout + nothing.stderr).toContain('No dead letter matched; nothing was deleted');
  const noTarget = await runCommand(DlqDrop, ['--local', '--name', NAME, '--yes']);
  expect(noTarget.exitCode).toBe(2);
  const refused = await runCommand(DlqDrop, [keep.messageId, '--local', '--name', NAME]);
  expect(refused.exitCode).toBe(1);

  const redriveNothing = await runCommand(DlqRedrive, [...local_, '--run', 'wrun_unknown']);
  expect(redriveNothing.exitCode).toBe(1);
  expect(redriveNothing.stdout + redriveNothing.stderr).toContain('No dead letter of run wrun_unknown; nothing was moved');
  expect(((await runCommand(DlqList, [...local_, '--queue', 'workflow'])).result as { messages: DeadLetter[] }).messages).toHaveLength(1);
  sqs.destroy();
});
