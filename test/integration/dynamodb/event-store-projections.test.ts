// The log-first design on the local DynamoDB: the event item is the commit,
// projections (run, steps, waits) follow it. A writer killed between the two
// leaves the projections late, never wrong; readers racing a writer never see
// state go backwards.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Step, WorkflowRun } from '@workflow/world';
import { jest } from '@jest/globals';
import { DynamoDbEventStore, ProjectionLog } from '../../../src/adapters/aws/dynamodb/index.js';
import type { RunRecord } from '../../../src/domain/model.js';
import { appendOne, newRun, newRunId, startLocalEventStore, stepOf, waitOf, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(120_000);

let local: LocalEventStore;
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

/**
 * A store whose process "dies" right after each event write: every
 * projection write to `killedTables` fails, as if the process had stopped
 * between the commit and its projection.
 */
function crashingStore(killedTables: string[]): { store: DynamoDbEventStore; projections: ProjectionLog } {
  const { aws } = local;
  const client = new DynamoDBClient({ endpoint: aws.endpoints.dynamodb, region: aws.region, credentials: aws.credentials });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const table = (args.input as { TableName?: string }).TableName ?? '';
      if ((context.commandName === 'PutItemCommand' || context.commandName === 'UpdateItemCommand') && killedTables.includes(table)) {
        throw Object.assign(new Error('process killed before its projection write'), { name: 'ProcessKilled' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'killAfterCommit' },
  );
  const projections = new ProjectionLog({ delayMs: 0, maxWaitMs: 0 });
  return { store: new DynamoDbEventStore(client, aws.names.tables, { projections }), projections };
}

async function rawItem(table: 'runs' | 'steps', pk: string, sk?: string) {
  const Key = { pk: { S: pk }, ...(sk === undefined ? {} : { sk: { S: sk } }) };
  return (await local.client.send(new GetItemCommand({ TableName: local.aws.names.tables[table], Key, ConsistentRead: true }))).Item;
}

/** One run driven to: started, one step completed, one wait created — by `store`. */
async function driveRun(store: DynamoDbEventStore) {
  const runId = newRunId();
  const run = newRun(runId);
  await store.commit(appendOne(runId, undefined, run).commit);
  let current = (await store.getRun(runId))!;
  const running = { ...run, status: 'running', startedAt: new Date() } as WorkflowRun;
  await store.commit(appendOne(runId, current, running, { eventType: 'run_started', runChanged: true }).commit);
  const step = stepOf(runId, `step_${runId}`);
  current = (await store.getRun(runId))!;
  await store.commit(appendOne(runId, current, running, { correlationId: step.stepId, putSteps: [step] }).commit);
  const started: Step = { ...step, status: 'running', attempt: 1, startedAt: new Date() };
  current = (await store.getRun(runId))!;
  await store.commit(appendOne(runId, current, running, { eventType: 'step_started', correlationId: step.stepId, putSteps: [started] }).commit);
  const output = new Uint8Array([42]);
  const done: Step = { ...started, status: 'completed', output, completedAt: new Date() };
  current = (await store.getRun(runId))!;
  await store.commit(appendOne(runId, current, running, { eventType: 'step_completed', correlationId: step.stepId, eventData: { result: output }, putSteps: [done] }).commit);
  const wait = waitOf(runId, 'wait_1');
  current = (await store.getRun(runId))!;
  await store.commit(appendOne(runId, current, running, { eventType: 'wait_created', correlationId: 'wait_1', putWaits: [wait] }).commit);
  return { runId, running, done, wait, record: (await store.getRun(runId))! };
}

describe('a writer killed between its event write and its projection writes', () => {
  it('leaves nothing wrong: the next reader sees the right state, and a writer after it decides on it and repairs the projections', async () => {
    const crashed = crashingStore([local.aws.names.tables.runs, local.aws.names.tables.steps]);
    const { runId, running, done, wait, record } = await driveRun(crashed.store);
    await crashed.projections.flushAll();
    // The log has everything; no projection was written.
    expect(record.eventCount).toBe(6);
    expect(await rawItem('runs', runId)).toBeUndefined();
    expect(await rawItem('steps', runId, `S#${done.stepId}`)).toBeUndefined();

    // Another process: reads are right from the log tail alone.
    const next = local.store({ projections: new ProjectionLog({ staleAfterMs: 0 }) });
    expect(await next.getRun(runId)).toEqual({ ...record, run: running });
    expect(await next.getRunEntity(runId)).toEqual(running);
    expect(await next.getStep(runId, done.stepId)).toEqual(done);
    expect((await next.listSteps(runId, { limit: 10, order: 'asc' })).items).toEqual([done]);
    expect(await next.getWait(runId, wait.waitId)).toEqual(wait);
    expect((await next.listRunChildren(runId)).waits).toEqual([wait]);

    // It decides on that state and commits; the dead writer's commits are projected with its own.
    const ended = { ...running, status: 'completed', completedAt: new Date() } as WorkflowRun;
    await next.commit(appendOne(runId, (await next.getRun(runId))!, ended, { eventType: 'run_completed', runChanged: true, deleteWaits: [wait] }).commit);
    await next.flush();
    expect((await rawItem('runs', runId))?.status).toEqual({ S: 'completed' });
    expect((await rawItem('steps', runId, `S#${done.stepId}`))?.status).toEqual({ S: 'completed' });
    expect((await rawItem('steps', runId, `W#${wait.waitId}`))?.gone).toEqual({ BOOL: true });
    const fresh = local.store({ projections: new ProjectionLog() });
    expect((await fresh.getRun(runId))!.run).toEqual(ended);
    expect((await fresh.listRunChildren(runId)).waits).toEqual([]);
    expect(await fresh.getStep(runId, done.stepId)).toEqual(done);
  });

  it('a crash half-way through the projections (run written, step not) still reads right', async () => {
    const crashed = crashingStore([local.aws.names.tables.steps]);
    const { runId, running, done } = await driveRun(crashed.store);
    await crashed.projections.flushAll();
    expect((await rawItem('runs', runId))?.status).toEqual({ S: 'running' });
    expect(await rawItem('steps', runId, `S#${done.stepId}`)).toBeUndefined();
    const reader = local.store({ projections: new ProjectionLog() });
    expect((await reader.getRun(runId))!.run).toEqual(running);
    expect(await reader.getStep(runId, done.stepId)).toEqual(done);
  });
});

describe('readers racing a writer', () => {
  it('never see a run, a step or a step listing go backwards', async () => {
    const STEPS = 8;
    // Projections written almost at once, so reads race the projection writes too.
    const writer = local.store({ projections: new ProjectionLog({ delayMs: 1, maxWaitMs: 3 }) });
    const runId = newRunId();
    const run = newRun(runId, { status: 'running', startedAt: new Date() });
    await writer.commit(appendOne(runId, undefined, run).commit);
    const stepIds = Array.from({ length: STEPS }, (_, i) => `step_${String(i).padStart(2, '0')}_${runId}`);

    let writing = true;
    const rank = (step: Step | undefined) => (step === undefined ? -1 : step.attempt * 10 + ({ pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 } as const)[step.status]);
    const violations: string[] = [];
    // Readers 1 and 2 share a store (as requests of one process do), reader 3 has its own.
    const shared = local.store({ projections: new ProjectionLog() });
    const reader = async (n: number) => {
      const store = n === 3 ? local.store({ projections: new ProjectionLog() }) : shared;
      let lastVersion = 0;
      const lastRank = new Map<string, number>();
      let reads = 0;
      const see = (where: string, step: Step | undefined, stepId: string) => {
        const r = rank(step);
        if (r < (lastRank.get(stepId) ?? -1)) violations.push(`reader ${n}: ${where} ${stepId} went from ${lastRank.get(stepId)} to ${r}`);
        lastRank.set(stepId, Math.max(r, lastRank.get(stepId) ?? -1));
      };
      while (writing) {
        const record: RunRecord | undefined = await store.getRun(runId);
        if (record && record.version < lastVersion) violations.push(`reader ${n}: version ${lastVersion} → ${record.version}`);
        lastVersion = Math.max(lastVersion, record?.version ?? 0);
        const id = stepIds[reads % STEPS]!;
        see('getStep', await store.getStep(runId, id), id);
        const listed = (await store.listSteps(runId, { limit: 100, order: 'asc' })).items;
        const byId = new Map(listed.map((s) => [s.stepId, s]));
        for (const stepId of stepIds) see('listSteps', byId.get(stepId), stepId);
        reads++;
      }
      return reads;
    };
    const readers = [1, 2, 3].map(reader);

    for (const stepId of stepIds) {
      const created = stepOf(runId, stepId);
      const started: Step = { ...created, status: 'running', attempt: 1, startedAt: new Date() };
      const done: Step = { ...started, status: 'completed', output: new Uint8Array([1]), completedAt: new Date() };
      for (const [eventType, step] of [['step_created', created], ['step_started', started], ['step_completed', done]] as const) {
        await writer.commit(appendOne(runId, (await writer.getRun(runId))!, run, { eventType, correlationId: stepId, putSteps: [step] }).commit);
      }
    }
    await writer.flush();
    writing = false;
    const reads = await Promise.all(readers);
    expect(violations).toEqual([]);
    expect(Math.min(...reads)).toBeGreaterThan(3);
    const final = (await local.store({ projections: new ProjectionLog() }).listSteps(runId, { limit: 100, order: 'asc' })).items;
    expect(final.map((s) => [s.stepId, s.status])).toEqual(stepIds.map((id) => [id, 'completed']));
  });
});
