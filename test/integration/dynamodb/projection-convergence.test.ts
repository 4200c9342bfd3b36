// Projections converge on the log when two processes (two ProjectionLogs)
// project one run's commits out of order: issue 18's chain. Process A commits
// a step's creation and keeps it in its write-behind; process B commits the
// step's start and completion and projects them first.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Step, WorkflowRun } from '@workflow/world';
import { jest } from '@jest/globals';
import { ProjectionLog } from '../../../src/adapters/aws/dynamodb/index.js';
import { appendOne, newRun, newRunId, startLocalEventStore, stepOf, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(120_000);

let local: LocalEventStore;
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

const held = () => new ProjectionLog({ delayMs: 3_600_000, maxWaitMs: 3_600_000 });

async function stepItem(runId: string, stepId: string) {
  const Key = { pk: { S: runId }, sk: { S: `S#${stepId}` } };
  return (await local.client.send(new GetItemCommand({ TableName: local.aws.names.tables.steps, Key, ConsistentRead: true }))).Item;
}

/** Run created and started by A; step created by A (still in A's write-behind); started and completed by B. */
async function splitRun(a: ReturnType<LocalEventStore['store']>, b: ReturnType<LocalEventStore['store']>) {
  const runId = newRunId();
  const run = { ...newRun(runId), status: 'running', startedAt: new Date() } as WorkflowRun;
  await a.commit(appendOne(runId, undefined, run).commit);
  const created = stepOf(runId, `step_${runId}`);
  await a.commit(appendOne(runId, (await a.getRun(runId))!, run, { correlationId: created.stepId, putSteps: [created] }).commit);
  const started: Step = { ...created, status: 'running', attempt: 1, startedAt: new Date() };
  await b.commit(appendOne(runId, (await b.getRun(runId))!, run, { eventType: 'step_started', correlationId: created.stepId, putSteps: [started] }).commit);
  const done: Step = { ...started, status: 'completed', output: new Uint8Array([9]), completedAt: new Date() };
  await b.commit(
    appendOne(runId, (await b.getRun(runId))!, run, { eventType: 'step_completed', correlationId: created.stepId, eventData: { result: done.output }, putSteps: [done] }).commit,
  );
  return { runId, run, done };
}

describe('two processes projecting one run out of order', () => {
  it('B projects the step update before A projects its creation: a fresh reader sees the step completed', async () => {
    const logA = held();
    const logB = held();
    const a = local.store({ projections: logA });
    const b = local.store({ projections: logB });
    const { runId, run, done } = await splitRun(a, b);

    await logB.flushAll();
    // B's projections are written (and its gap repaired) before A's.
    expect((await stepItem(runId, done.stepId))?.status).toEqual({ S: 'completed' });
    await logA.flushAll();

    // The next commit (by B) stamps how far projections are written; a fresh process reads with it.
    await b.commit(appendOne(runId, (await b.getRun(runId))!, run, { eventType: 'run_started', runChanged: false }).commit);
    await logB.flushAll();
    const fresh = local.store({ projections: held() });
    expect(await fresh.getStep(runId, done.stepId)).toEqual(done);
    expect((await fresh.listSteps(runId, { limit: 10, order: 'asc' })).items).toEqual([done]);
    expect((await stepItem(runId, done.stepId))?.status).toEqual({ S: 'completed' });
  });

  it('A never projects its creation (killed): the step still converges once B flushes', async () => {
    const logB = held();
    const a = local.store({ projections: held() }); // A's write-behind is lost with it
    const b = local.store({ projections: logB });
    const { runId, run, done } = await splitRun(a, b);
    await logB.flushAll();
    await b.commit(appendOne(runId, (await b.getRun(runId))!, run, { eventType: 'run_started', runChanged: false }).commit);
    await logB.flushAll();
    expect((await stepItem(runId, done.stepId))?.status).toEqual({ S: 'completed' });
    expect(await local.store({ projections: held() }).getStep(runId, done.stepId)).toEqual(done);
  });
});
