// Commits and reads against the embedded local DynamoDB, tables as provisioned from resources.ts.
import { jest } from '@jest/globals';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.js';
import { createHash } from 'node:crypto';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { BlobPointer } from '../../../src/domain/model.js';
import { CommitConflict } from '../../../src/ports/event-store.js';
import { appendOne, hookOf, newRun, newRunId, startLocalEventStore, stepOf, waitOf, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(60_000);

let local: LocalEventStore;
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

async function createRun(extra: Partial<Record<string, unknown>> = {}) {
  const store = local.store();
  const runId = newRunId();
  const run = newRun(runId, extra);
  const { commit, event } = appendOne(runId, undefined, run, { eventData: { deploymentId: 'dpl_it', workflowName: 'wf//it', input: run.input } });
  await store.commit(commit);
  return { store, runId, run, event };
}

/** Raw consistent reads, to see what the store's own reads would hide. */
async function rawGet(table: 'hooks' | 'steps', pk: string, sk?: string) {
  const Key = { pk: { S: pk }, ...(sk === undefined ? {} : { sk: { S: sk } }) };
  const out = await local.client.send(new GetItemCommand({ TableName: local.aws.names.tables[table], Key, ConsistentRead: true }));
  return out.Item;
}

async function rawMarkers(runId: string) {
  const out = await local.client.send(
    new QueryCommand({
      TableName: local.aws.names.tables.steps,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :runId AND begins_with(sk, :marker)',
      ExpressionAttributeValues: { ':runId': { S: runId }, ':marker': { S: 'K#' } },
    }),
  );
  return out.Items ?? [];
}

const claimPk = (token: string) => `T#${createHash('sha256').update(token).digest('hex')}`;

describe('DynamoDbEventStore on local DynamoDB: round trips', () => {
  it('creates a run and reads it back exactly, with its head', async () => {
    const { store, runId, run, event } = await createRun({ executionContext: { workflowCoreVersion: '4.8.9', traceCarrier: { a: '1' } } });
    const record = await store.getRun(runId);
    expect(record).toEqual({ run, version: 1, lastEventId: event.eventId, lastEventAt: event.createdAt.getTime(), eventCount: 1 });
    expect(record!.run.createdAt).toBeInstanceOf(Date);
    expect(Array.from(record!.run.input as Uint8Array)).toEqual([1, 2, 3]);
    expect(await store.listEvents(runId, { limit: 10, order: 'asc' })).toEqual({ items: [event], lastKey: '000000000001', hasMore: false });
    expect(await store.getEvent(runId, event.eventId)).toEqual(event);
    expect(await store.getEvent(runId, '#head')).toBeUndefined();
  });

  it('a second create of the same run loses with CommitConflict(run)', async () => {
    const { store, runId, run } = await createRun();
    const again = appendOne(runId, undefined, run);
    await expect(store.commit(again.commit)).rejects.toMatchObject({ name: 'CommitConflict', reason: 'run' });
  });

  it('stores every payload shape exactly: bytes, pointers, dates, legacy JSON', async () => {
    const { store, runId, run } = await createRun();
    const current = (await store.getRun(runId))!;
    const legacy = { list: [1, -0, 1e300, null, 'x', { '': 1, $t: 'not a tag', $: true }], nan: Number.NaN, empty: '', deep: {} as object };
    let deep: object = { leaf: true };
    for (let i = 0; i < 40; i++) deep = { d: deep };
    legacy.deep = deep;
    const eventData = {
      payload: new Uint8Array([0, 255, 0, 128]),
      pointer: new BlobPointer(`payloads/${runId}/evnt/payload.bin`, 123_456),
      when: new Date(1_700_000_000_123),
      legacy,
    };
    const { commit, event } = appendOne(runId, current, run, { eventType: 'hook_received', correlationId: 'hook_x', eventData });
    await store.commit(commit);
    const back = (await store.getEvent(runId, event.eventId)) as unknown as { eventData: typeof eventData };
    expect(back).toEqual(event);
    expect(Array.from(back.eventData.payload)).toEqual([0, 255, 0, 128]);
    expect(back.eventData.pointer).toBeInstanceOf(BlobPointer);
    expect(back.eventData.when).toBeInstanceOf(Date);
    expect(Object.is((back.eventData.legacy.list as unknown[])[1], -0)).toBe(true);
    expect(back.eventData.legacy.nan).toBeNaN();
    expect(back.eventData.legacy.deep).toEqual(deep);
  });

  it('steps: created, found with and without the run id, listed', async () => {
    const { store, runId, run } = await createRun();
    let current = (await store.getRun(runId))!;
    const step = stepOf(runId, `step_${runId}`);
    await store.commit(appendOne(runId, current, run, { correlationId: step.stepId, putSteps: [step] }).commit);
    current = (await store.getRun(runId))!;
    const done = { ...step, status: 'completed' as const, attempt: 1, startedAt: new Date(), completedAt: new Date(), output: new Uint8Array([42]) };
    await store.commit(appendOne(runId, current, run, { eventType: 'step_completed', correlationId: step.stepId, putSteps: [done] }).commit);
    expect(await store.getStep(runId, step.stepId)).toEqual(done);
    // Lookups without the run go through the correlation index, fed by the step's projection.
    await local.flush();
    expect(await store.getStep(undefined, step.stepId)).toEqual(done);
    expect(await store.getStep(undefined, 'step_unknown')).toBeUndefined();
    expect((await store.listSteps(runId, { limit: 10, order: 'desc' })).items).toEqual([done]);
    const byCorrelation = await store.listEventsByCorrelationId(step.stepId, undefined, { limit: 10, order: 'asc' });
    expect(byCorrelation.items.map((e) => e.eventType)).toEqual(['step_created', 'step_completed']);
    const inRun = await store.listEventsByCorrelationId(step.stepId, runId, { limit: 1, order: 'desc' });
    expect(inRun).toMatchObject({ hasMore: true });
    expect(inRun.items.map((e) => e.eventType)).toEqual(['step_completed']);
  });

  it('hooks: token claim, lookup by token, conflict, takeover and release', async () => {
    const a = await createRun();
    const b = await createRun();
    const token = `tok-${a.runId}`;
    const hookA = hookOf(a.runId, `hook_a_${a.runId}`, token);
    const claimA = { token, hookId: hookA.hookId, runId: a.runId, expect: { kind: 'absent' as const } };
    await a.store.commit(appendOne(a.runId, await a.store.getRun(a.runId), a.run, { eventType: 'hook_created', correlationId: hookA.hookId, putHooks: [hookA], tokenClaims: [claimA] }).commit);
    expect(await a.store.getHookByToken(token)).toEqual(hookA);
    expect(await a.store.getHook(hookA.hookId)).toEqual(hookA);

    // Run B asks for the same token while A's hook is live: the claim loses.
    const hookB = hookOf(b.runId, `hook_b_${b.runId}`, token);
    const claimB = { token, hookId: hookB.hookId, runId: b.runId, expect: { kind: 'absent' as const } };
    const attempt = appendOne(b.runId, await b.store.getRun(b.runId), b.run, { eventType: 'hook_created', putHooks: [hookB], tokenClaims: [claimB] });
    const lost = await b.store.commit(attempt.commit).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(CommitConflict);
    expect((lost as CommitConflict).reason).toBe('token');
    expect(await b.store.getHook(hookB.hookId)).toBeUndefined();

    // A ends; its disposal releases the token, and B may then claim it.
    const aDone = { ...a.run, status: 'completed', completedAt: new Date() } as typeof a.run;
    await a.store.commit(
      appendOne(a.runId, await a.store.getRun(a.runId), aDone, {
        eventType: 'run_completed',
        runChanged: true,
        deleteHooks: [hookA],
        tokenReleases: [{ token, hookId: hookA.hookId }],
      }).commit,
    );
    expect(await a.store.getHookByToken(token)).toBeUndefined();
    expect(await a.store.listRunChildren(a.runId)).toEqual({ hooks: [], waits: [] });
    await b.store.commit(appendOne(b.runId, await b.store.getRun(b.runId), b.run, { eventType: 'hook_created', putHooks: [hookB], tokenClaims: [claimB] }).commit);
    expect(await b.store.getHookByToken(token)).toEqual(hookB);
    expect((await b.store.listHooks(b.runId, { limit: 10, order: 'asc' })).items).toEqual([hookB]);
  });

  it('a hook created just before its run completes is disposed with it: no hook, no token claim (the marker stays, for correlation lookups)', async () => {
    const { store, runId, run } = await createRun();
    const token = `tok-last-${runId}`;
    const h = hookOf(runId, `hook_last_${runId}`, token);
    await store.commit(
      appendOne(runId, await store.getRun(runId), run, {
        eventType: 'hook_created',
        correlationId: h.hookId,
        putHooks: [h],
        tokenClaims: [{ token, hookId: h.hookId, runId, expect: { kind: 'absent' } }],
      }).commit,
    );
    expect(await rawGet('steps', runId, `K#${h.hookId}`)).toEqual({ pk: { S: runId }, sk: { S: `K#${h.hookId}` }, hookId: { S: h.hookId }, cid: { S: h.hookId } });

    // Disposal as the domain does it: from listRunChildren, read right after the hook's commit.
    const children = await store.listRunChildren(runId);
    expect(children.hooks).toEqual([h]);
    const done = { ...run, status: 'completed', completedAt: new Date() } as typeof run;
    await store.commit(
      appendOne(runId, await store.getRun(runId), done, {
        eventType: 'run_completed',
        runChanged: true,
        deleteHooks: children.hooks,
        tokenReleases: children.hooks.map((hook) => ({ token: hook.token, hookId: hook.hookId })),
      }).commit,
    );
    expect(await rawGet('hooks', `H#${h.hookId}`)).toBeUndefined();
    expect(await rawMarkers(runId)).toHaveLength(1);
    expect(await rawGet('hooks', claimPk(token))).toBeUndefined();
    expect(await store.getHookByToken(token)).toBeUndefined();
    expect(await store.listRunChildren(runId)).toEqual({ hooks: [], waits: [] });
  });

  it('hooks: a takeover from a named holder succeeds, a stale one loses', async () => {
    const a = await createRun();
    const token = `tok-takeover-${a.runId}`;
    const first = hookOf(a.runId, `hook_1_${a.runId}`, token);
    await a.store.commit(
      appendOne(a.runId, await a.store.getRun(a.runId), a.run, {
        putHooks: [first],
        tokenClaims: [{ token, hookId: first.hookId, runId: a.runId, expect: { kind: 'absent' } }],
      }).commit,
    );
    const b = await createRun();
    const second = hookOf(b.runId, `hook_2_${b.runId}`, token);
    const takeover = { token, hookId: second.hookId, runId: b.runId, expect: { kind: 'heldBy' as const, hookId: first.hookId } };
    await b.store.commit(appendOne(b.runId, await b.store.getRun(b.runId), b.run, { putHooks: [second], tokenClaims: [takeover] }).commit);
    expect(await b.store.getHookByToken(token)).toEqual(second);

    const c = await createRun();
    const third = hookOf(c.runId, `hook_3_${c.runId}`, token);
    const stale = { token, hookId: third.hookId, runId: c.runId, expect: { kind: 'heldBy' as const, hookId: first.hookId } };
    await expect(
      c.store.commit(appendOne(c.runId, await c.store.getRun(c.runId), c.run, { putHooks: [third], tokenClaims: [stale] }).commit),
    ).rejects.toMatchObject({ reason: 'token' });
  });

  it('waits: created, completed, listed as run children', async () => {
    const { store, runId, run } = await createRun();
    const w = waitOf(runId, 'wait_1');
    await store.commit(appendOne(runId, await store.getRun(runId), run, { eventType: 'wait_created', correlationId: 'wait_1', putWaits: [w] }).commit);
    expect(await store.getWait(runId, w.waitId)).toEqual(w);
    const done = { ...w, status: 'completed' as const, completedAt: new Date() };
    await store.commit(appendOne(runId, await store.getRun(runId), run, { eventType: 'wait_completed', putWaits: [done] }).commit);
    expect(await store.listRunChildren(runId)).toEqual({ hooks: [], waits: [done] });
  });

  it('terminal disposal of 60 hooks and 60 waits (beyond one transaction) leaves nothing behind', async () => {
    const { store, runId, run } = await createRun();
    const hooks = Array.from({ length: 60 }, (_, i) => hookOf(runId, `hook_${String(i).padStart(2, '0')}_${runId}`, `tok-${i}-${runId}`));
    const waits = Array.from({ length: 60 }, (_, i) => waitOf(runId, `wait_${String(i).padStart(2, '0')}`));
    for (let part = 0; part < 6; part++) {
      const hs = hooks.slice(part * 10, part * 10 + 10);
      await store.commit(
        appendOne(runId, await store.getRun(runId), run, {
          putHooks: hs,
          tokenClaims: hs.map((h) => ({ token: h.token, hookId: h.hookId, runId, expect: { kind: 'absent' as const } })),
          putWaits: waits.slice(part * 10, part * 10 + 10),
        }).commit,
      );
    }
    const children = await store.listRunChildren(runId);
    expect(children.hooks).toHaveLength(60);
    expect(children.waits).toHaveLength(60);

    const failed = { ...run, status: 'failed', error: { message: 'x' }, completedAt: new Date() } as typeof run;
    await store.commit(
      appendOne(runId, await store.getRun(runId), failed, {
        eventType: 'run_failed',
        runChanged: true,
        deleteHooks: children.hooks,
        tokenReleases: children.hooks.map((h) => ({ token: h.token, hookId: h.hookId })),
        deleteWaits: children.waits,
      }).commit,
    );
    expect(await store.listRunChildren(runId)).toEqual({ hooks: [], waits: [] });
    await local.flush();
    expect(await store.listRunChildren(runId)).toEqual({ hooks: [], waits: [] });
    for (const h of [hooks[0]!, hooks[30]!, hooks[59]!]) expect(await store.getHookByToken(h.token)).toBeUndefined();
    expect((await store.getRun(runId))!.run.status).toBe('failed');
  });

  it('stamps the TTL on a terminal commit when retention is configured', async () => {
    const { runId, run } = await createRun();
    const now = Date.UTC(2030, 0, 1);
    const store = local.store({ runRetentionDays: 3, clock: new ManualClock(now) });
    const done = { ...run, status: 'cancelled', completedAt: new Date() } as typeof run;
    await store.commit(appendOne(runId, await store.getRun(runId), done, { eventType: 'run_cancelled', runChanged: true }).commit);
    await local.flush();
    const raw = await local.client.send(new GetItemCommand({ TableName: local.aws.names.tables.runs, Key: { pk: { S: runId } }, ConsistentRead: true }));
    expect(raw.Item?.expiresAt).toEqual({ N: String(now / 1000 + 3 * 86_400) });
    expect((await store.getRun(runId))!.run.status).toBe('cancelled');
  });
});
