// The workflow@5 facade on the memory adapters: slot ids, bump and report,
// lazy step start, opaque errors, createBatch, getMany, the terminal wait,
// streams with the run id first.
import { resetMemoryInstallations } from '../../../src/index.js';
import { foldRunLog } from '../../../src/domain/log-fold.js';
import { WORLD_SPEC_VERSION } from '../../../src/domain/spec-version.js';
import { createWorld, noteInvocationDeadline, type AwsWorldV5 } from '../../../src/world-v5/index.js';
import { slotToEventId } from '../../../src/domain/slot-ids.js';
import { newUlid, RUN_ID_PREFIX } from '../../../src/domain/ids.js';
import { randomBytes } from 'node:crypto';

const runId = () => newUlid(RUN_ID_PREFIX, Date.now(), randomBytes(10));
let RUN: string;
const bytes = (text: string) => new TextEncoder().encode(text);

let world: AwsWorldV5;

type Result = { event?: { eventId: string; eventType: string }; events?: Array<{ eventId: string; eventType: string }>; cursor?: string | null; hasMore?: boolean; stepCreated?: true; step?: unknown };
/** events.create with a request given loosely (the test states the runtime's shapes). */
const create = (runId: string, data: object, params?: { eventCount?: number }) =>
  world.events.create(runId, data as never, params) as Promise<Result>;

beforeEach(() => {
  resetMemoryInstallations();
  world = createWorld({ adapters: 'memory', consumer: 'none', name: 'v5-facade' });
  RUN = runId();
});
afterEach(() => world.close());

async function createdRun(runId = RUN): Promise<void> {
  await world.events.create(runId, {
    eventType: 'run_created',
    specVersion: 6,
    eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes('in') },
  } as never);
  await world.events.create(runId, { eventType: 'run_started', specVersion: 6 } as never);
}

describe('the workflow@5 facade', () => {
  it('declares spec version 6, no capabilities, and the 5 interface', () => {
    expect(world.specVersion).toBe(6);
    expect(world.capabilities).toEqual({});
    for (const name of ['write', 'writeMulti', 'close', 'get', 'list', 'getChunks', 'getInfo']) {
      expect(typeof (world.streams as unknown as Record<string, unknown>)[name]).toBe('function');
    }
    expect(typeof world.events.createBatch).toBe('function');
    expect(typeof world.runs.waitForTerminalStatus).toBe('function');
    expect(typeof world.runs.getMany).toBe('function');
    expect(typeof world.queueBatch).toBe('function');
  });

  it('numbers events by slot: evnt_ and the dense 1-based position, 26 digits', async () => {
    await createdRun();
    const { data } = await world.events.list({ runId: RUN });
    expect(data.map((e) => e.eventId)).toEqual([slotToEventId(1), slotToEventId(2)]);
    expect(data[0]!.eventId).toBe('evnt_00000000000000000000000001');
  });

  it('bumps a stale create to the next free slot and reports the events it skipped', async () => {
    await createdRun();
    await world.events.create(RUN, { eventType: 'wait_created', correlationId: 'wait_a', eventData: { resumeAt: new Date(Date.now() + 60_000) } } as never);
    // The writer had seen 2 events; slot 3 is taken, so it lands on 4 and reports 3.
    const result = await create(
      RUN,
      { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: bytes('x') } } as never,
      { eventCount: 2 },
    );
    expect(result.event!.eventId).toBe(slotToEventId(4));
    expect(result.events!.map((e) => e.eventId)).toEqual([slotToEventId(3)]);
    expect(result.events![0]!.eventType).toBe('wait_created');
    expect(result.hasMore).toBe(false);
    expect(result.cursor).toBeNull();
  });

  it('reports nothing when the writer had seen the whole log', async () => {
    await createdRun();
    const result = await create(
      RUN,
      { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: bytes('x') } } as never,
      { eventCount: 2 },
    );
    expect(result.event!.eventId).toBe(slotToEventId(3));
    expect(result.events).toBeUndefined();
  });

  it('creates a step born running from a lazy step_started, once', async () => {
    await createdRun();
    const lazy = {
      eventType: 'step_started',
      correlationId: 'step_1',
      eventData: { stepName: 'add', input: bytes('[1,2]'), ownerMessageId: 'msg_1' },
    };
    const won = await create(RUN, lazy, { eventCount: 2 });
    expect(won.stepCreated).toBe(true);
    expect(won.step).toMatchObject({ stepId: 'step_1', status: 'running', attempt: 1, stepName: 'add' });
    expect(won.event!.eventId).toBe(slotToEventId(4));
    // The synthetic step_created sits on slot 3, which the writer had not seen.
    expect(won.events!.map((e) => [e.eventId, e.eventType])).toEqual([[slotToEventId(3), 'step_created']]);
    const { data } = await world.events.list({ runId: RUN });
    expect(data[2]).toMatchObject({ eventType: 'step_created', eventData: { stepName: 'add', input: bytes('[1,2]') } });
    expect(data[3]!.eventData).toEqual({ stepName: 'add', ownerMessageId: 'msg_1' });
    await expect(world.events.create(RUN, lazy as never)).rejects.toMatchObject({ name: 'EntityConflictError' });
  });

  it('stores run and step errors as the runtime sends them (bytes), with the errorCode', async () => {
    await createdRun();
    await world.events.create(RUN, { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: bytes('x') } } as never);
    await world.events.create(RUN, { eventType: 'step_started', correlationId: 'step_1' } as never);
    await world.events.create(RUN, { eventType: 'step_failed', correlationId: 'step_1', eventData: { error: bytes('step-error') } } as never);
    expect((await world.steps.get(RUN, 'step_1')).error).toEqual(bytes('step-error'));
    await world.events.create(RUN, { eventType: 'run_failed', eventData: { error: bytes('run-error'), errorCode: 'USER_ERROR' } } as never);
    const run = await world.runs.get(RUN);
    expect(run).toMatchObject({ status: 'failed', error: bytes('run-error'), errorCode: 'USER_ERROR' });
  });

  it('gets several runs in input order, null for a missing one', async () => {
    await createdRun();
    const runs = await world.runs.getMany!([RUN, runId()], { resolveData: 'none' });
    expect(runs.map((r) => r?.runId ?? null)).toEqual([RUN, null]);
  });

  it('answers waitForTerminalStatus on the commit that ends the run, and at the timeout otherwise', async () => {
    await createdRun();
    const early = await world.runs.waitForTerminalStatus!(RUN, { resolveData: 'none', timeoutMs: 0 });
    expect(early.status).toBe('running');
    const waiting = world.runs.waitForTerminalStatus!(RUN, { resolveData: 'all', timeoutMs: 60_000 });
    await world.events.create(RUN, { eventType: 'run_completed', eventData: { output: bytes('out') } } as never);
    const done = await waiting;
    expect(done).toMatchObject({ status: 'completed', output: bytes('out') });
  });

  it('writes and reads streams with the run id first', async () => {
    await createdRun();
    const name = `${RUN.replace('wrun_', 'strm_')}_user`;
    await world.streams.write(RUN, name, bytes('a'));
    await world.streams.writeMulti!(RUN, name, [bytes('b'), 'c']);
    await world.streams.close(RUN, name);
    expect(await world.streams.getInfo(RUN, name)).toEqual({ tailIndex: 2, done: true });
    expect(await world.streams.list(RUN)).toEqual([name]);
    const page = await world.streams.getChunks(RUN, name);
    expect(page.data.map((c) => new TextDecoder().decode(c.data))).toEqual(['a', 'b', 'c']);
    const reader = (await world.streams.get(RUN, name, -1)).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('c');
    expect((await reader.read()).done).toBe(true);
  });

  it('commits a batch on consecutive slots in one commit, with per-event outcomes', async () => {
    await createdRun();
    const stepCreated = (id: string) => ({ event: { eventType: 'step_created', correlationId: id, eventData: { stepName: 's', input: bytes(id) } } });
    const { results } = await world.events.createBatch!(RUN, [
      stepCreated('step_a'),
      stepCreated('step_b'),
      { event: { eventType: 'step_started', correlationId: 'step_b' } },
      stepCreated('step_c'),
    ] as never);
    expect(results.map((r) => [r.status, r.event?.eventId, r.event?.eventType])).toEqual([
      [200, slotToEventId(3), 'step_created'],
      [200, slotToEventId(4), 'step_created'],
      [200, slotToEventId(5), 'step_started'],
      [200, slotToEventId(6), 'step_created'],
    ]);
    expect(results[2]!.step).toMatchObject({ stepId: 'step_b', status: 'running', attempt: 1 });
    // A second delivery of the same fan-out: every create conflicts, as its single create would; nothing is written.
    const again = await world.events.createBatch!(RUN, [stepCreated('step_a'), stepCreated('step_d')] as never);
    expect(again.results.map((r) => [r.status, r.error])).toEqual([
      [409, 'conflict'],
      [200, undefined],
    ]);
    expect(again.results[1]!.event!.eventId).toBe(slotToEventId(7));
    const { data } = await world.events.list({ runId: RUN });
    expect(data.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7].map(slotToEventId));
  });

  it('refuses a batch the 5 interface does not allow, writing nothing', async () => {
    await createdRun();
    await expect(world.events.createBatch!(RUN, [{ event: { eventType: 'hook_created', correlationId: 'h', eventData: { token: 't' } } }] as never)).rejects.toMatchObject({
      status: 400,
    });
    expect((await world.events.list({ runId: RUN })).data).toHaveLength(2);
  });

  it('keeps run attributes (lineage) on the run and its run_created', async () => {
    await world.events.create(RUN, {
      eventType: 'run_created',
      specVersion: 6,
      eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes('in'), attributes: { $parentRunId: 'wrun_parent' }, allowReservedAttributes: true },
    } as never);
    await world.events.create(RUN, { eventType: 'run_started', specVersion: 6 } as never);
    expect((await world.runs.get(RUN)).attributes).toEqual({ $parentRunId: 'wrun_parent' });
    const [created] = (await world.events.list({ runId: RUN })).data;
    expect((created!.eventData as { attributes?: unknown }).attributes).toEqual({ $parentRunId: 'wrun_parent' });
  });

  it('queues a batch of messages and answers in order', async () => {
    const results = await world.queueBatch!('__wkf_workflow_wf' as never, [{ message: { runId: RUN } }, { message: { runId: RUN }, opts: { delaySeconds: -1 } }] as never);
    expect(results[0]).toEqual({ messageId: expect.stringMatching(/^msg_/) });
    expect(results[1]).toMatchObject({ messageId: null, retryable: false, error: expect.stringContaining('delaySeconds') });
  });

  it('knows the runtime deadline only inside a Lambda invocation', async () => {
    expect(await world.getRuntimeDeadline!()).toBeUndefined();
    noteInvocationDeadline({ getRemainingTimeInMillis: () => 30_000 });
    const deadline = await world.getRuntimeDeadline!();
    expect(deadline!.getTime()).toBeGreaterThan(Date.now() + 25_000);
    noteInvocationDeadline({ getRemainingTimeInMillis: () => -1 });
    expect(await world.getRuntimeDeadline!()).toBeUndefined();
  });

  it('leaves a log the fold (verify) replays to the same run and steps', async () => {
    await world.events.create(RUN, {
      eventType: 'run_created',
      specVersion: 6,
      eventData: { deploymentId: 'dpl_1', workflowName: 'wf', input: bytes('in'), attributes: { $rootRunId: 'wrun_root' } },
    } as never);
    await world.events.create(RUN, { eventType: 'run_started', specVersion: 6 } as never);
    await create(RUN, { eventType: 'step_started', correlationId: 'step_1', eventData: { stepName: 'add', input: bytes('x') } }, { eventCount: 2 });
    await world.events.create(RUN, { eventType: 'step_failed', correlationId: 'step_1', eventData: { error: bytes('step-error') } } as never);
    await world.events.create(RUN, { eventType: 'run_failed', eventData: { error: bytes('run-error'), errorCode: 'USER_ERROR' } } as never);
    const { data: events } = await world.events.list({ runId: RUN });
    const fold = foldRunLog(RUN, events as never, WORLD_SPEC_VERSION);
    expect(fold.refused).toEqual([]);
    expect(fold.run).toEqual(await world.runs.get(RUN));
    expect(fold.steps.get('step_1')).toEqual(await world.steps.get(RUN, 'step_1'));
  });
});
