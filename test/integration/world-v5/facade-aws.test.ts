// The workflow@5 facade on the embedded local AWS, through the real SDK:
// slot ids from the log's sequence, bump and report across two world
// instances, a batch as one transaction of consecutive slots, the terminal
// wait, streams with the run id first.
import { randomBytes } from 'node:crypto';
import { newUlid, RUN_ID_PREFIX } from '../../../src/domain/ids.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld, type AwsWorldV5 } from '../../../src/world-v5/index.js';
import { slotToEventId } from '../../../src/domain/slot-ids.js';

let local: LocalAws;
const saved = { ...process.env };
const worlds: AwsWorldV5[] = [];
const bytes = (text: string) => new TextEncoder().encode(text);
const newRunId = () => newUlid(RUN_ID_PREFIX, Date.now(), randomBytes(10));

beforeAll(async () => {
  local = await startLocalAws({ name: 'facade-v5' });
});
afterAll(async () => {
  await local.stop();
});
beforeEach(() => {
  process.env = { ...saved, ...local.env, WORKFLOW_AWS_CONSUMER: 'none', WORKFLOW_AWS_LOG_LEVEL: 'silent' };
});
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
  process.env = saved;
});

const world = () => {
  const w = createWorld();
  worlds.push(w);
  return w;
};
type Result = { event?: { eventId: string; eventType: string }; events?: Array<{ eventId: string; eventType: string }>; hasMore?: boolean; stepCreated?: true };
const create = (w: AwsWorldV5, runId: string, data: object, params?: { eventCount?: number }) => w.events.create(runId, data as never, params) as Promise<Result>;

async function startedRun(w: AwsWorldV5): Promise<string> {
  const runId = newRunId();
  await create(w, runId, { eventType: 'run_created', specVersion: 6, eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes('in') } });
  await create(w, runId, { eventType: 'run_started', specVersion: 6 });
  return runId;
}

it('numbers a run’s events by slot and bumps a stale writer, reporting what it skipped', async () => {
  const a = world();
  const b = world();
  const runId = await startedRun(a);
  // Both writers hold the 2-event log; each asks for slot 3.
  const first = await create(a, runId, { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: bytes('1') } }, { eventCount: 2 });
  const second = await create(b, runId, { eventType: 'step_created', correlationId: 'step_2', eventData: { stepName: 's', input: bytes('2') } }, { eventCount: 2 });
  expect(first.event!.eventId).toBe(slotToEventId(3));
  expect(first.events).toBeUndefined();
  expect(second.event!.eventId).toBe(slotToEventId(4));
  expect(second.events!.map((e) => [e.eventId, e.eventType])).toEqual([[slotToEventId(3), 'step_created']]);
  expect(second.hasMore).toBe(false);
  const { data } = await b.events.list({ runId });
  expect(data.map((e) => e.eventId)).toEqual([1, 2, 3, 4].map(slotToEventId));
});

it('creates a step born running from a lazy step_started exactly once, across world instances', async () => {
  const a = world();
  const b = world();
  const runId = await startedRun(a);
  const lazy = { eventType: 'step_started', correlationId: 'step_1', eventData: { stepName: 'add', input: bytes('[1,2]') } };
  const outcomes = await Promise.allSettled([create(a, runId, lazy, { eventCount: 2 }), create(b, runId, lazy, { eventCount: 2 })]);
  const won = outcomes.filter((o) => o.status === 'fulfilled');
  expect(won).toHaveLength(1);
  expect((won[0] as PromiseFulfilledResult<Result>).value.stepCreated).toBe(true);
  expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { name: 'EntityConflictError' } });
  expect((await a.steps.get(runId, 'step_1')).status).toBe('running');
});

it('commits a fan-out batch on consecutive slots and ends the run for a waiting reader', async () => {
  const w = world();
  const runId = await startedRun(w);
  const waiting = w.runs.waitForTerminalStatus!(runId, { resolveData: 'none', timeoutMs: 30_000 });
  const fanOut = Array.from({ length: 32 }, (_, i) => ({ event: { eventType: 'step_created', correlationId: `step_${i}`, eventData: { stepName: 's', input: bytes(String(i)) } } }));
  const { results } = await w.events.createBatch!(runId, fanOut as never);
  expect(results.map((r) => r.event?.eventId)).toEqual(fanOut.map((_, i) => slotToEventId(3 + i)));
  expect(results.every((r) => r.status === 200)).toBe(true);
  const { data: steps } = await w.steps.list({ runId, pagination: { limit: 100 } });
  expect(steps).toHaveLength(32);
  await create(w, runId, { eventType: 'run_completed', eventData: { output: bytes('done') } });
  await expect(waiting).resolves.toMatchObject({ runId, status: 'completed' });
  expect((await w.runs.getMany!([runId], { resolveData: 'all' }))[0]).toMatchObject({ output: bytes('done') });
});

it('writes and reads a stream with the run id first', async () => {
  const w = world();
  const runId = await startedRun(w);
  const name = `${runId.replace('wrun_', 'strm_')}_user`;
  await w.streams.write(runId, name, bytes('a'));
  await w.streams.writeMulti!(runId, name, [bytes('b'), bytes('c')]);
  await w.streams.close(runId, name);
  expect(await w.streams.getInfo(runId, name)).toEqual({ tailIndex: 2, done: true });
  const reader = (await w.streams.get(runId, name, 0)).getReader();
  let text = '';
  for (let read = await reader.read(); !read.done; read = await reader.read()) text += new TextDecoder().decode(read.value);
  expect(text).toBe('abc');
});
