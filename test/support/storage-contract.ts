// Contract §7 P0 (1–10) and P2 reads (24–26) as one suite, run against any
// adapter set: memory in the unit layer, DynamoDB + S3 in the integration layer.
import { randomBytes } from 'node:crypto';
import type { World } from '@workflow/world';
import { newUlid } from '../../src/domain/ids.js';

export interface ContractTarget {
  world: World;
  teardown(): Promise<void>;
}

const bytes = (...values: number[]) => new Uint8Array(values);
/** Byte-exact comparison; jest's toEqual walks typed arrays element by element (slow for MiBs). */
function expectSameBytes(actual: unknown, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(Buffer.from(actual as Uint8Array).equals(Buffer.from(expected))).toBe(true);
}
const newRunId = () => newUlid('wrun_', Date.now(), randomBytes(10));

/**
 * Index-backed reads (runs.list, steps.get without a run, listByCorrelationId
 * across runs) are eventually consistent on DynamoDB: GSIs lag their table,
 * and the items they index are projections written just after the commit.
 * Such assertions are retried for a few seconds.
 */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export async function rejection(promise: Promise<unknown>): Promise<Error & { status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { status?: number };
  }
  throw new Error('expected a rejection');
}

export function describeStorageContract(label: string, setup: () => Promise<ContractTarget>, options: { concurrency?: number } = {}): void {
  const concurrency = options.concurrency ?? 100;

  describe(`storage contract: ${label}`, () => {
    let target: ContractTarget;
    let world: World;
    beforeAll(async () => {
      target = await setup();
      world = target.world;
    });
    afterAll(async () => {
      await target?.teardown();
    });

    const create = (runId: string | null, request: object, params?: object) =>
      world.events.create(runId as string, request as never, params as never);

    async function startedRun(input = bytes(1, 2, 3)) {
      const runId = newRunId();
      await create(runId, { eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'wf', input } });
      await create(runId, { eventType: 'run_started' });
      return runId;
    }

    describe('runs (P0 3, 4, 5)', () => {
      it('creates a run with the client id, input, executionContext and spec version', async () => {
        const runId = newRunId();
        const input = bytes(0, 255, 7);
        const { run, event } = await create(runId, {
          eventType: 'run_created',
          specVersion: 3,
          eventData: { deploymentId: 'dpl', workflowName: 'wf', input, executionContext: { workflowCoreVersion: '4.8.9', n: 1 } },
        });
        expect(run).toMatchObject({ runId, status: 'pending', workflowName: 'wf', deploymentId: 'dpl', specVersion: 3 });
        expect(run!.input).toEqual(input);
        expect(run!.executionContext).toEqual({ workflowCoreVersion: '4.8.9', n: 1 });
        expect(run!.createdAt).toBeInstanceOf(Date);
        expect(event!.eventId).toMatch(/^evnt_/);
        const stored = await world.runs.get(runId);
        expect(stored.input).toEqual(input);
        expect(stored.input).toBeInstanceOf(Uint8Array);
      });

      it('generates a wrun_ id for a null run id', async () => {
        const { run } = await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } });
        expect(run!.runId).toMatch(/^wrun_[0-9A-HJKMNP-TV-Z]{26}$/);
      });

      it('rejects a duplicate run_created with EntityConflictError', async () => {
        const runId = newRunId();
        const request = { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } };
        await create(runId, request);
        const error = await rejection(create(runId, request));
        expect(error.name).toBe('EntityConflictError');
        expect(error.message).toContain(runId);
      });

      it('rejects a malformed or out-of-window client run id with a 400', async () => {
        for (const runId of ['wrun_nope', newUlid('wrun_', Date.now() - 48 * 3600_000, randomBytes(10))]) {
          const error = await rejection(create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } }));
          expect(error.name).toBe('WorkflowWorldError');
          expect(error.status).toBe(400);
        }
      });

      it('starts once: concurrent run_started share startedAt and append one event', async () => {
        const runId = newRunId();
        await create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(9) } });
        const results = await Promise.all(Array.from({ length: 5 }, () => create(runId, { eventType: 'run_started' })));
        const startedAts = new Set(results.map((r) => r.run!.startedAt!.getTime()));
        expect(startedAts.size).toBe(1);
        for (const r of results) {
          expect(r.run!.status).toBe('running');
          expect(r.run!.input).toEqual(bytes(9));
        }
        const events = await world.events.list({ runId });
        expect(events.data.filter((e) => e.eventType === 'run_started')).toHaveLength(1);
      });

      it('run_started returns the whole log (as events.list has it) and a cursor that continues it, on the first start and on every replay', async () => {
        const runId = newRunId();
        await create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(9) } });
        const first = await create(runId, { eventType: 'run_started' });
        expect(first.events?.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
        expect(first.hasMore).toBe(false);
        await create(runId, { eventType: 'step_created', correlationId: 'step_log', eventData: { stepName: 's', input: bytes(3) } });
        const replay = await create(runId, { eventType: 'run_started' });
        const listed = await world.events.list({ runId });
        expect(replay.events).toEqual(listed.data);
        expect((replay.events![2] as { eventData: { input: unknown } }).eventData.input).toEqual(bytes(3));
        await create(runId, { eventType: 'step_started', correlationId: 'step_log' });
        const after = await world.events.list({ runId, pagination: { cursor: replay.cursor! } });
        expect(after.data.map((e) => e.eventType)).toEqual(['step_started']);
      });

      it('refuses run_started on a terminal run with RunExpiredError', async () => {
        const runId = await startedRun();
        await create(runId, { eventType: 'run_completed', eventData: { output: bytes(1) } });
        expect((await rejection(create(runId, { eventType: 'run_started' }))).name).toBe('RunExpiredError');
      });

      it('resilient start creates the run on run_started, run_created first; a late run_created conflicts', async () => {
        const runId = newRunId();
        const { run } = await create(runId, {
          eventType: 'run_started',
          specVersion: 3,
          eventData: { input: bytes(4, 2), deploymentId: 'd', workflowName: 'wf', executionContext: { a: 1 } },
        });
        expect(run).toMatchObject({ runId, status: 'running' });
        expect(run!.input).toEqual(bytes(4, 2));
        const types = (await world.events.list({ runId })).data.map((e) => e.eventType);
        expect(types).toEqual(['run_created', 'run_started']);
        const late = await rejection(create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(4, 2) } }));
        expect(late.name).toBe('EntityConflictError');
      });

      it('throws WorkflowRunNotFoundError for events on an unknown run', async () => {
        const error = await rejection(create(newRunId(), { eventType: 'run_completed', eventData: { output: bytes(1) } }));
        expect(error.name).toBe('WorkflowRunNotFoundError');
      });
    });

    describe('log order (P0 1, 2)', () => {
      it('lists events in commit order with non-decreasing createdAt, stably', async () => {
        const runId = await startedRun();
        for (let i = 0; i < 5; i++) {
          await create(runId, { eventType: 'step_created', correlationId: `step_${i}`, eventData: { stepName: 's', input: bytes(i) } });
        }
        const first = await world.events.list({ runId, pagination: { limit: 1000 } });
        const second = await world.events.list({ runId, pagination: { limit: 1000 } });
        expect(second.data).toEqual(first.data);
        const ids = first.data.map((e) => e.eventId);
        expect([...ids].sort()).toEqual(ids);
        const times = first.data.map((e) => e.createdAt.getTime());
        expect([...times].sort((a, b) => a - b)).toEqual(times);
        for (const e of first.data) expect(e.createdAt).toBeInstanceOf(Date);
        expect(first.data.slice(2).map((e) => e.correlationId)).toEqual(['step_0', 'step_1', 'step_2', 'step_3', 'step_4']);
      });

      it(`lands ${concurrency} concurrent step completions in commit order`, async () => {
        const runId = await startedRun();
        const stepIds = Array.from({ length: concurrency }, (_, i) => `step_${String(i).padStart(3, '0')}`);
        for (const id of stepIds) await create(runId, { eventType: 'step_created', correlationId: id, eventData: { stepName: 's', input: bytes(1) } });
        await Promise.all(stepIds.map((id, i) => create(runId, { eventType: 'step_completed', correlationId: id, eventData: { result: bytes(i % 256) } })));
        const events = [];
        let cursor: string | undefined;
        do {
          const page = await world.events.list({ runId, pagination: { limit: 37, cursor } });
          events.push(...page.data);
          cursor = page.hasMore ? page.cursor! : undefined;
        } while (cursor);
        const completed = events.filter((e) => e.eventType === 'step_completed');
        expect(new Set(completed.map((e) => e.correlationId)).size).toBe(concurrency);
        const ids = events.map((e) => e.eventId);
        expect([...ids].sort()).toEqual(ids);
        const times = events.map((e) => e.createdAt.getTime());
        expect([...times].sort((a, b) => a - b)).toEqual(times);
        for (const id of stepIds) expect((await world.steps.get(runId, id)).status).toBe('completed');
      }, 120_000);
    });

    describe('steps (P0 6)', () => {
      it('counts attempts, keeps startedAt, returns input, retries and rejects early starts', async () => {
        const runId = await startedRun();
        const stepId = 'step_a';
        const created = await create(runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 'add', input: bytes(5) } });
        expect(created.step).toMatchObject({ stepId, status: 'pending', attempt: 0, stepName: 'add' });
        expect((await rejection(create(runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 'add', input: bytes(5) } }))).name).toBe(
          'EntityConflictError',
        );
        const first = await create(runId, { eventType: 'step_started', correlationId: stepId });
        expect(first.step).toMatchObject({ status: 'running', attempt: 1 });
        expect(first.step!.input).toEqual(bytes(5));
        const retryAfter = new Date(Date.now() + 60_000);
        const retrying = await create(runId, { eventType: 'step_retrying', correlationId: stepId, eventData: { error: { message: 'boom' }, retryAfter } });
        expect(retrying.step).toMatchObject({ status: 'pending' });
        const early = await rejection(create(runId, { eventType: 'step_started', correlationId: stepId }));
        expect(early.name).toBe('TooEarlyError');
        expect((early as { retryAfter?: number }).retryAfter).toBeGreaterThanOrEqual(59);
        expect((early as { retryAfter?: number }).retryAfter).toBeLessThanOrEqual(60);
        await eventually(async () => {
          const stored = await world.steps.get(undefined, stepId);
          expect(stored.startedAt!.getTime()).toBe(first.step!.startedAt!.getTime());
        });
        expect((await rejection(create(runId, { eventType: 'step_started', correlationId: 'step_missing' }))).status).toBe(404);
      });

      it('lets exactly one of N concurrent completions of one step win', async () => {
        const runId = await startedRun();
        await create(runId, { eventType: 'step_created', correlationId: 'step_x', eventData: { stepName: 's', input: bytes(1) } });
        await create(runId, { eventType: 'step_started', correlationId: 'step_x' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => create(runId, { eventType: 'step_completed', correlationId: 'step_x', eventData: { result: bytes(i) } })),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) expect(o.reason.name).toBe('EntityConflictError');
      });
    });

    describe('terminal runs (P0 7, 9)', () => {
      it('rejects transitions and creates on a terminal run, but lets a running step complete', async () => {
        const runId = await startedRun();
        await create(runId, { eventType: 'step_created', correlationId: 'step_r', eventData: { stepName: 's', input: bytes(1) } });
        await create(runId, { eventType: 'step_started', correlationId: 'step_r' });
        await create(runId, { eventType: 'run_failed', eventData: { error: { message: 'bad' }, errorCode: 'USER_ERROR' } });
        const run = await world.runs.get(runId);
        expect(run).toMatchObject({ status: 'failed', error: { message: 'bad', code: 'USER_ERROR' } });
        expect((await rejection(create(runId, { eventType: 'run_completed', eventData: { output: bytes(1) } }))).name).toBe('EntityConflictError');
        expect((await rejection(create(runId, { eventType: 'run_cancelled' }))).name).toBe('EntityConflictError');
        for (const request of [
          { eventType: 'step_created', correlationId: 'step_n', eventData: { stepName: 's', input: bytes(1) } },
          { eventType: 'hook_created', correlationId: 'hook_n', eventData: { token: `t-${runId}` } },
          { eventType: 'wait_created', correlationId: 'wait_n', eventData: { resumeAt: new Date() } },
        ]) {
          expect((await rejection(create(runId, request))).name).toBe('EntityConflictError');
        }
        const completed = await create(runId, { eventType: 'step_completed', correlationId: 'step_r', eventData: { result: bytes(2) } });
        expect(completed.step!.status).toBe('completed');
      });

      it('cancelling a cancelled run appends the event again', async () => {
        const runId = await startedRun();
        await create(runId, { eventType: 'run_cancelled' });
        const again = await create(runId, { eventType: 'run_cancelled' });
        expect(again.run!.status).toBe('cancelled');
        const types = (await world.events.list({ runId })).data.map((e) => e.eventType);
        expect(types.filter((t) => t === 'run_cancelled')).toHaveLength(2);
      });

      it('disposes hooks and waits without events and frees tokens', async () => {
        const runId = await startedRun();
        const token = `tok-${runId}`;
        await create(runId, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token, metadata: bytes(3) } });
        await create(runId, { eventType: 'wait_created', correlationId: 'wait_1', eventData: { resumeAt: new Date(Date.now() + 1000) } });
        await create(runId, { eventType: 'run_completed', eventData: { output: bytes(1) } });
        expect((await rejection(world.hooks.getByToken(token))).name).toBe('HookNotFoundError');
        expect((await world.hooks.list({ runId })).data).toEqual([]);
        const types = (await world.events.list({ runId })).data.map((e) => e.eventType);
        expect(types).toEqual(['run_created', 'run_started', 'hook_created', 'wait_created', 'run_completed']);
        const other = await startedRun();
        const claimed = await create(other, { eventType: 'hook_created', correlationId: 'hook_2', eventData: { token } });
        expect(claimed.hook!.token).toBe(token);
      });
    });

    describe('hooks (P0 8)', () => {
      it('records a hook_conflict instead of throwing when another live run holds the token', async () => {
        const a = await startedRun();
        const b = await startedRun();
        const token = `shared-${a}`;
        const first = await create(a, { eventType: 'hook_created', correlationId: 'hook_a', eventData: { token, metadata: bytes(1), isWebhook: false } });
        expect(first.hook).toMatchObject({ hookId: 'hook_a', runId: a, token, isWebhook: false });
        const conflict = await create(b, { eventType: 'hook_created', correlationId: 'hook_b', eventData: { token } });
        expect(conflict.hook).toBeUndefined();
        expect(conflict.event).toMatchObject({ eventType: 'hook_conflict', correlationId: 'hook_b', eventData: { token, conflictingRunId: a } });
        expect((await rejection(create(a, { eventType: 'hook_created', correlationId: 'hook_a', eventData: { token: `x-${a}` } }))).name).toBe(
          'EntityConflictError',
        );
        expect((await world.hooks.getByToken(token)).hookId).toBe('hook_a');
        expect((await world.hooks.get('hook_a')).metadata).toEqual(bytes(1));
      });

      it('lets exactly one of concurrent claims of one token win', async () => {
        const runs = await Promise.all(Array.from({ length: 6 }, () => startedRun()));
        const token = `race-${runs[0]}`;
        const results = await Promise.all(runs.map((runId, i) => create(runId, { eventType: 'hook_created', correlationId: `hook_${runId}_${i}`, eventData: { token } })));
        const winners = results.filter((r) => r.hook);
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => r.event?.eventType === 'hook_conflict')).toHaveLength(5);
      });

      it('receives on live hooks only, disposes once, and frees the token', async () => {
        const runId = await startedRun();
        const token = `recv-${runId}`;
        await create(runId, { eventType: 'hook_created', correlationId: 'hook_r', eventData: { token } });
        const received = await create(runId, { eventType: 'hook_received', correlationId: 'hook_r', eventData: { payload: bytes(8) } });
        expect(received.event!.eventType).toBe('hook_received');
        await create(runId, { eventType: 'hook_disposed', correlationId: 'hook_r' });
        expect((await rejection(create(runId, { eventType: 'hook_received', correlationId: 'hook_r', eventData: { payload: bytes(1) } }))).name).toBe(
          'HookNotFoundError',
        );
        expect((await rejection(create(runId, { eventType: 'hook_disposed', correlationId: 'hook_r' }))).name).toBe('HookNotFoundError');
        const again = await create(runId, { eventType: 'hook_created', correlationId: 'hook_r2', eventData: { token } });
        expect(again.hook!.token).toBe(token);
      });
    });

    describe('waits (P0 10)', () => {
      it('creates once, completes once, and 404s unknown waits', async () => {
        const runId = await startedRun();
        const resumeAt = new Date(Date.now() + 5000);
        const { wait } = await create(runId, { eventType: 'wait_created', correlationId: 'wait_a', eventData: { resumeAt } });
        expect(wait).toMatchObject({ waitId: `${runId}-wait_a`, status: 'waiting' });
        expect(wait!.resumeAt!.getTime()).toBe(resumeAt.getTime());
        expect((await rejection(create(runId, { eventType: 'wait_created', correlationId: 'wait_a', eventData: { resumeAt } }))).name).toBe(
          'EntityConflictError',
        );
        const done = await create(runId, { eventType: 'wait_completed', correlationId: 'wait_a' });
        expect(done.wait!.status).toBe('completed');
        expect((await rejection(create(runId, { eventType: 'wait_completed', correlationId: 'wait_a' }))).name).toBe('EntityConflictError');
        expect((await rejection(create(runId, { eventType: 'wait_completed', correlationId: 'wait_zz' }))).status).toBe(404);
      });
    });

    describe('reads (P2 24–26)', () => {
      it('strips exactly the ref fields with resolveData none', async () => {
        const runId = await startedRun(bytes(7));
        await create(runId, { eventType: 'step_created', correlationId: 'step_d', eventData: { stepName: 'named', input: bytes(1) } });
        const none = await world.events.list({ runId, resolveData: 'none' });
        const stepCreated = none.data.find((e) => e.eventType === 'step_created')!;
        expect(stepCreated.eventData).toEqual({ stepName: 'named' });
        expect(none.data.find((e) => e.eventType === 'run_created')!.eventData).toMatchObject({ workflowName: 'wf' });
        expect((none.data.find((e) => e.eventType === 'run_created')!.eventData as Record<string, unknown>).input).toBeUndefined();
        expect((await world.runs.get(runId, { resolveData: 'none' })).input).toBeUndefined();
        expect((await world.steps.get(runId, 'step_d', { resolveData: 'none' })).input).toBeUndefined();
      });

      it('pages with non-null cursors, never repeating, and defaults to the contract orders', async () => {
        const runId = await startedRun();
        for (let i = 0; i < 5; i++) await create(runId, { eventType: 'step_created', correlationId: `step_p${i}`, eventData: { stepName: 's', input: bytes(i) } });
        const seen = new Set<string>();
        const cursors = new Set<string>();
        let cursor: string | undefined;
        for (;;) {
          const page = await world.events.list({ runId, pagination: { limit: 2, cursor } });
          expect(page.cursor).not.toBeNull();
          for (const e of page.data) seen.add(e.eventId);
          if (!page.hasMore) break;
          expect(cursors.has(page.cursor!)).toBe(false);
          cursors.add(page.cursor!);
          cursor = page.cursor!;
        }
        expect(seen.size).toBe(7);
        const steps = await world.steps.list({ runId });
        expect(steps.data.map((s) => s.stepId)).toEqual(['step_p4', 'step_p3', 'step_p2', 'step_p1', 'step_p0']);
        const byCorrelation = await world.events.listByCorrelationId({ correlationId: 'step_p1', runId });
        expect(byCorrelation.data.map((e) => e.eventType)).toEqual(['step_created']);
        await eventually(async () => {
          const acrossRuns = await world.events.listByCorrelationId({ correlationId: 'step_p1' });
          expect(acrossRuns.data.length).toBeGreaterThanOrEqual(1);
        });
        const error = await rejection(world.events.list({ runId, pagination: { cursor: 'bogus' } }));
        expect(error.status).toBe(400);
      });

      it('lists runs newest first, by status and by workflow name', async () => {
        const name = `wf-list-${Date.now()}`;
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const runId = newUlid('wrun_', Date.now() + i, randomBytes(10));
          ids.push(runId);
          await create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: name, input: bytes(i) } });
        }
        await create(ids[0]!, { eventType: 'run_started' });
        await eventually(async () => {
          const listed = await world.runs.list({ workflowName: name });
          expect(listed.data.map((r) => r.runId)).toEqual([...ids].reverse());
          const running = await world.runs.list({ workflowName: name, status: 'running' });
          expect(running.data.map((r) => r.runId)).toEqual([ids[0]]);
        });
        const all = await world.runs.list({ pagination: { limit: 2 } });
        expect(all.data).toHaveLength(2);
        expect(all.hasMore).toBe(true);
        const pending = await world.runs.list({ status: 'pending', resolveData: 'none' });
        expect(pending.data.every((r) => r.status === 'pending' && r.input === undefined)).toBe(true);
      });

      it('shows a process its own commits at once: runs.list, steps.get by step id, steps.list, events by correlation id', async () => {
        const name = `wf-ryw-${Date.now()}`;
        const runId = newRunId();
        await create(runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: name, input: bytes(1) } });
        expect((await world.runs.list({ workflowName: name })).data.map((r) => [r.runId, r.status])).toEqual([[runId, 'pending']]);
        await create(runId, { eventType: 'run_started' });
        expect((await world.runs.list({ workflowName: name, status: 'running' })).data.map((r) => r.runId)).toEqual([runId]);
        const stepId = `step_ryw_${runId}`;
        await create(runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 's', input: bytes(2) } });
        expect((await world.steps.get(undefined, stepId)).runId).toBe(runId);
        await create(runId, { eventType: 'step_started', correlationId: stepId });
        expect((await world.steps.get(undefined, stepId)).status).toBe('running');
        expect((await world.steps.list({ runId })).data.map((s) => [s.stepId, s.status])).toEqual([[stepId, 'running']]);
        const byCorrelation = await world.events.listByCorrelationId({ correlationId: stepId });
        expect(byCorrelation.data.map((e) => e.eventType)).toEqual(['step_created', 'step_started']);
      });

      it('raises the contract read errors', async () => {
        expect((await rejection(world.runs.get(newRunId()))).name).toBe('WorkflowRunNotFoundError');
        expect((await rejection(world.hooks.get('hook_missing'))).name).toBe('HookNotFoundError');
        expect((await rejection(world.hooks.getByToken('missing-token'))).name).toBe('HookNotFoundError');
        expect((await rejection(world.steps.get(undefined, 'step_missing'))).status).toBe(404);
        expect((await rejection(world.events.get(newRunId(), 'evnt_missing'))).status).toBe(404);
      });
    });

    describe('large payloads (claim check)', () => {
      it('round-trips a 5 MiB step result and a 500 KB run input exactly', async () => {
        const input = new Uint8Array(randomBytes(500 * 1024));
        const runId = await startedRun(input);
        expectSameBytes((await world.runs.get(runId)).input, input);
        const result = new Uint8Array(randomBytes(5 * 1024 * 1024));
        await create(runId, { eventType: 'step_created', correlationId: 'step_big', eventData: { stepName: 's', input } });
        await create(runId, { eventType: 'step_started', correlationId: 'step_big' });
        await create(runId, { eventType: 'step_completed', correlationId: 'step_big', eventData: { result } });
        const step = await world.steps.get(runId, 'step_big');
        expectSameBytes(step.output, result);
        const events = await world.events.listByCorrelationId({ correlationId: 'step_big', runId });
        const completed = events.data.find((e) => e.eventType === 'step_completed')!;
        expectSameBytes((completed.eventData as { result: Uint8Array }).result, result);
      }, 60_000);
    });
  });
}
