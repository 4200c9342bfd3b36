// The exact writes each kind of commit becomes: the event item at the run's
// next sequence number (one conditional PutItem, or a transaction when hooks
// and tokens change with it), then the coalesced projection writes.
import { createHash } from 'node:crypto';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { hookMarkerToItem, hookToItem, runToItem, stepToItem, waitToItem, waitTombstone } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { runShard } from '../../../../src/adapters/aws/dynamodb/keys.js';
import { ProjectionLog } from '../../../../src/adapters/aws/dynamodb/projection-log.js';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { CommitConflict } from '../../../../src/ports/event-store.js';
import type { Logger } from '../../../../src/ports/logger.js';
import { at, bytes, commit, event, eventId, hook, record, RUN_ID, run, step, T0, TABLES, wait } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const NOW = T0 + 10_000;
const store = (options: ConstructorParameters<typeof DynamoDbEventStore>[2] = {}) =>
  new DynamoDbEventStore(client, TABLES, {
    clock: new ManualClock(NOW),
    batchRetry: { attempts: 3, baseDelayMs: 0 },
    // Projections are written when the test flushes, not on a timer.
    projections: new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000, clock: new ManualClock(NOW) }),
    ...options,
  });
const tokenPk = (token: string) => `T#${createHash('sha256').update(token).digest('hex')}`;
const seq = (n: number) => ({ S: String(n).padStart(12, '0') });

function sentActions(): TransactWriteItem[] {
  const calls = ddb.commandCalls(TransactWriteItemsCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems!;
}
const puts = (table: string) => ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input).filter((input) => input.TableName === table);
const updates = (table: string) => ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input).filter((input) => input.TableName === table);
const projectionCondition = { ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq', ExpressionAttributeNames: { '#seq': 'seq' } };

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  // How far projections are: the newest event item says (none written yet here).
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('commit', () => {
  it('run_created: one conditional PutItem of event 1 carrying the commit record; the run item follows as a projection', async () => {
    const eventData = { deploymentId: 'dpl_1', workflowName: 'wf//order', input: bytes(1, 2, 3), executionContext: { workflowCoreVersion: '4.8.9' } };
    const created = event(1, 'run_created', { eventData });
    // The domain builds the run from the event's own values.
    const r = run('pending', { createdAt: at(1), updatedAt: at(1), input: eventData.input, executionContext: eventData.executionContext });
    const rec = { ...record(r, 1, eventId(1)), lastEventAt: T0 + 1 };
    const s = store();
    await s.commit(commit({ expectRun: { kind: 'absent' }, run: rec, runChanged: true, events: [created] }));

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(puts('t-events')).toEqual([
      {
        TableName: 't-events',
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: {
          pk: { S: RUN_ID },
          sk: seq(1),
          eventId: { S: eventId(1) },
          eventType: { S: 'run_created' },
          createdAt: { N: String(T0 + 1) },
          specVersion: { N: '3' },
          eventData: {
            M: {
              deploymentId: { S: 'dpl_1' },
              workflowName: { S: 'wf//order' },
              input: { B: bytes(1, 2, 3) },
              executionContext: { M: { workflowCoreVersion: { S: '4.8.9' } } },
            },
          },
          v: { N: '1' },
          p: { N: '0' },
          fx: {
            M: {
              r: {
                M: {
                  // The run as created, without runId (the key), updatedAt (the commit's time)
                  // and the values the event already holds (references to them).
                  // (Strings shorter than 16 characters are stored as they are.)
                  e: {
                    M: {
                      status: { S: 'pending' },
                      deploymentId: { S: 'dpl_1' },
                      workflowName: { S: 'wf//order' },
                      specVersion: { N: '3' },
                      createdAt: { N: String(T0 + 1) },
                    },
                  },
                  f: { BOOL: true },
                  rf: { M: { executionContext: { S: '0.executionContext' }, input: { S: '0.input' } } },
                },
              },
            },
          },
        },
      },
    ]);
    expect(puts('t-runs')).toEqual([]);

    await s.flush();
    const shard = runShard(RUN_ID);
    expect(puts('t-runs')).toEqual([
      {
        TableName: 't-runs',
        Item: { ...runToItem(rec.run, 1), statusShard: { S: `pending#${shard}` } },
        ...projectionCondition,
        ExpressionAttributeValues: { ':seq': { N: '1' } },
      },
    ]);
  });

  it('a lost race on the next sequence number is a CommitConflict on the run; nothing else is written', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: {} }));
    const s = store();
    const e = event(3, 'step_created', { correlationId: 'step_1', eventData: { stepName: 'charge', input: bytes(9) } });
    const error = await s
      .commit(commit({ expectRun: { kind: 'version', version: 2 }, run: record(run('running'), 3, eventId(3)), events: [e], putSteps: [step('step_1', 'pending')] }))
      .catch((x: unknown) => x);
    expect(error).toBeInstanceOf(CommitConflict);
    expect((error as CommitConflict).reason).toBe('run');
    await s.flush();
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('resilient start: both events in one transaction, at 1 and 2; the record (ne = 2) on the last', async () => {
    const created = event(1, 'run_created', { eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input: bytes(1) } });
    const started = event(2, 'run_started');
    const rec = record(run('running', { startedAt: at(2) }), 1, eventId(2), 2);
    await store().commit(commit({ expectRun: { kind: 'absent' }, run: rec, runChanged: true, events: [created, started] }));
    const actions = sentActions();
    expect(actions.map((a) => [a.Put!.Item!.sk, a.Put!.ConditionExpression, a.Put!.Item!.ne])).toEqual([
      [seq(1), 'attribute_not_exists(pk)', undefined],
      [seq(2), 'attribute_not_exists(pk)', { N: '2' }],
    ]);
    expect(actions[0]!.Put!.Item!.fx).toBeUndefined();
    expect(actions[1]!.Put!.Item!.fx!.M!.r).toBeDefined();
  });

  it('a step\'s created, started and completed: three event puts, then one step write (the newest state, input kept)', async () => {
    const s = store();
    const created = step('step_1', 'pending');
    const e3 = event(3, 'step_created', { correlationId: 'step_1', eventData: { stepName: 'charge', input: created.input } });
    await s.commit(commit({ expectRun: { kind: 'version', version: 2 }, run: record(run('running'), 3, eventId(3)), events: [e3], putSteps: [created] }));
    const started = { ...created, status: 'running' as const, attempt: 1, startedAt: at(4), updatedAt: at(4) };
    const e4 = event(4, 'step_started', { correlationId: 'step_1' });
    await s.commit(commit({ expectRun: { kind: 'version', version: 3 }, run: record(run('running'), 4, eventId(4)), events: [e4], putSteps: [started] }));
    const output = bytes(7, 7);
    const done = { ...started, status: 'completed' as const, output, completedAt: at(5), updatedAt: at(5) };
    const e5 = event(5, 'step_completed', { correlationId: 'step_1', eventData: { result: output } });
    const rec5 = { ...record(run('running'), 5, eventId(5)), externalStateAt: T0 + 5 };
    await s.commit(commit({ expectRun: { kind: 'version', version: 4 }, run: rec5, events: [e5], putSteps: [done] }));

    const events = puts('t-events');
    expect(events.map((p) => p.Item!.sk)).toEqual([seq(3), seq(4), seq(5)]);
    expect(events[2]!.Item!.xs).toEqual({ N: String(T0 + 5) });
    // step_started does not create the step: its effect leaves out the creation-time fields
    // (and the step id: the event's correlation id names it).
    expect(Object.keys(events[1]!.Item!.fx!.M!.s!.L![0]!.M!.e!.M!).sort()).toEqual(['attempt', 'startedAt', 'status']);
    // The step's output is the event's result: stored once, referenced.
    expect(events[2]!.Item!.fx!.M!.s!.L![0]!.M!.rf).toEqual({ M: { output: { S: '0.result' } } });
    // Only the first commit had to ask how far projections are; the others knew.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(puts('t-steps')).toEqual([]);

    await s.flush();
    expect(puts('t-steps')).toEqual([
      { TableName: 't-steps', Item: stepToItem(done, 5), ...projectionCondition, ExpressionAttributeValues: { ':seq': { N: '5' } } },
    ]);
    expect(updates('t-steps')).toEqual([]);
  });

  it('a later state of a projected step: UpdateItem of everything but input, removing fields it no longer has', async () => {
    const s = store();
    const retrying = step('step_1', 'pending', { attempt: 1, error: { message: 'x' }, retryAfter: at(9), updatedAt: at(6) });
    await s.commit(
      commit({
        expectRun: { kind: 'version', version: 5 },
        run: record(run('running'), 6, eventId(6)),
        events: [event(6, 'step_retrying', { correlationId: 'step_1', eventData: { error: { message: 'x' } } })],
        putSteps: [retrying],
      }),
    );
    await s.flush();
    const [update] = updates('t-steps');
    expect(update!.Key).toEqual({ pk: { S: RUN_ID }, sk: { S: 'S#step_1' } });
    expect(update!.ConditionExpression).toBe('attribute_exists(pk) AND #seq < :seq');
    expect(update!.UpdateExpression).toMatch(/^SET .* REMOVE #r0, #r1, #r2$/);
    expect(Object.values(update!.ExpressionAttributeNames!)).not.toContain('input');
    expect(Object.values(update!.ExpressionAttributeNames!).slice(-3)).toEqual(['output', 'startedAt', 'completedAt']);
    expect(update!.ExpressionAttributeValues![':seq']).toEqual({ N: '6' });
  });

  it('a projection write that finds a newer state is not an error', async () => {
    ddb.on(PutItemCommand, { TableName: 't-steps' }).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: {} }));
    const warn = jest.fn<Logger['warn']>();
    const s = store({ logger: { debug: jest.fn(), info: jest.fn(), warn, error: jest.fn() } });
    const created = step('step_1', 'pending');
    const e3 = event(3, 'step_created', { correlationId: 'step_1', eventData: { stepName: 'charge', input: created.input } });
    await s.commit(commit({ expectRun: { kind: 'version', version: 2 }, run: record(run('running'), 3, eventId(3)), events: [e3], putSteps: [created] }));
    await s.flush();
    expect(puts('t-steps')).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('hook_created: one transaction of the event, the token claim, the hook (guarded against other runs) and its marker', async () => {
    const h = hook('hook_1', 'tok-1');
    const rec = record(run('running'), 6, eventId(6));
    const e = event(6, 'hook_created', { correlationId: 'hook_1', eventData: { token: 'tok-1', isWebhook: false } });
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 5 },
        run: rec,
        events: [e],
        putHooks: [h],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_1', runId: RUN_ID, expect: { kind: 'absent' } }],
      }),
    );
    const actions = sentActions();
    expect(actions[0]!.Put).toMatchObject({ TableName: 't-events', ConditionExpression: 'attribute_not_exists(pk)', Item: { sk: seq(6) } });
    expect(actions.slice(1)).toEqual([
      {
        Put: {
          TableName: 't-hooks',
          Item: { pk: { S: tokenPk('tok-1') }, hookId: { S: 'hook_1' }, holderRunId: { S: RUN_ID } },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: 't-hooks',
          Item: hookToItem(h),
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :runId',
          ExpressionAttributeValues: { ':runId': { S: RUN_ID } },
        },
      },
      { Put: { TableName: 't-steps', Item: { pk: { S: RUN_ID }, sk: { S: 'K#hook_1' }, hookId: { S: 'hook_1' }, cid: { S: 'hook_1' } } } },
    ]);
  });

  it('hook_created taking over a token whose holder run is terminal', async () => {
    const h = hook('hook_2', 'tok-1');
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 6 },
        run: record(run('running'), 7, eventId(7)),
        events: [event(7, 'hook_created', { correlationId: 'hook_2', eventData: { token: 'tok-1' } })],
        putHooks: [h],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_2', runId: RUN_ID, expect: { kind: 'heldBy', hookId: 'hook_old' } }],
      }),
    );
    expect(sentActions()[1]).toEqual({
      Put: {
        TableName: 't-hooks',
        Item: { pk: { S: tokenPk('tok-1') }, hookId: { S: 'hook_2' }, holderRunId: { S: RUN_ID } },
        ConditionExpression: 'hookId = :heldBy',
        ExpressionAttributeValues: { ':heldBy': { S: 'hook_old' } },
      },
    });
  });

  it('hook_conflict and hook_received: the event alone, no transaction', async () => {
    const e = event(8, 'hook_conflict', { correlationId: 'hook_3', eventData: { token: 'tok-1', conflictingRunId: 'wrun_other' } });
    await store().commit(commit({ expectRun: { kind: 'version', version: 7 }, run: record(run('running'), 8, eventId(8)), events: [e] }));
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    expect(puts('t-events')).toHaveLength(1);
    expect(puts('t-events')[0]!.Item!.fx).toBeUndefined();
  });

  it('hook_disposed: the event, the token released only by its holder, the hook deleted; the marker stays', async () => {
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 8 },
        run: record(run('running'), 9, eventId(9)),
        events: [event(9, 'hook_disposed', { correlationId: 'hook_1' })],
        deleteHooks: [hook('hook_1', 'tok-1')],
        tokenReleases: [{ token: 'tok-1', hookId: 'hook_1' }],
      }),
    );
    expect(sentActions().slice(1)).toEqual([
      {
        Delete: {
          TableName: 't-hooks',
          Key: { pk: { S: tokenPk('tok-1') } },
          ConditionExpression: 'hookId = :hookId',
          ExpressionAttributeValues: { ':hookId': { S: 'hook_1' } },
        },
      },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_1' } } } },
    ]);
  });

  it('a release and a claim of one token become one conditional put', async () => {
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 9 },
        run: record(run('running'), 10, eventId(10)),
        events: [event(10, 'hook_created', { correlationId: 'hook_4' })],
        putHooks: [hook('hook_4', 'tok-1')],
        deleteHooks: [hook('hook_1', 'tok-1')],
        tokenReleases: [{ token: 'tok-1', hookId: 'hook_1' }],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_4', runId: RUN_ID, expect: { kind: 'absent' } }],
      }),
    );
    const tokenActions = sentActions().filter((a) => JSON.stringify(a).includes(tokenPk('tok-1')));
    expect(tokenActions).toEqual([
      {
        Put: {
          TableName: 't-hooks',
          Item: { pk: { S: tokenPk('tok-1') }, hookId: { S: 'hook_4' }, holderRunId: { S: RUN_ID } },
          ConditionExpression: 'hookId = :releasedBy',
          ExpressionAttributeValues: { ':releasedBy': { S: 'hook_1' } },
        },
      },
    ]);
  });

  it("a takeover deletes the old hook (another run's); a hook put and deleted in one commit is not written", async () => {
    const h = hook('hook_5', 'tok-1');
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 9 },
        run: record(run('running'), 10, eventId(10)),
        events: [event(10, 'hook_created', { correlationId: 'hook_5' })],
        putHooks: [h, hook('hook_6', 'tok-6')],
        deleteHooks: [hook('hook_old', 'tok-1', 'wrun_other'), hook('hook_6', 'tok-6')],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_5', runId: RUN_ID, expect: { kind: 'heldBy', hookId: 'hook_old' } }],
      }),
    );
    expect(sentActions().slice(2)).toEqual([
      expect.objectContaining({ Put: expect.objectContaining({ TableName: 't-hooks', Item: hookToItem(h) }) }),
      { Put: { TableName: 't-steps', Item: hookMarkerToItem(RUN_ID, 'hook_5') } },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_old' } } } },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_6' } } } },
    ]);
  });

  it('waits: put in the event\'s record, projected after; a deleted wait becomes a tombstone', async () => {
    const s = store();
    const created = wait('wait_1');
    await s.commit(
      commit({
        expectRun: { kind: 'version', version: 10 },
        run: record(run('running'), 11, eventId(11)),
        events: [event(11, 'wait_created', { correlationId: 'wait_1', eventData: { resumeAt: at(60_000) } })],
        putWaits: [created],
      }),
    );
    await s.flush();
    expect(puts('t-steps')).toEqual([
      { TableName: 't-steps', Item: waitToItem(created, 11), ...projectionCondition, ExpressionAttributeValues: { ':seq': { N: '11' } } },
    ]);
    ddb.resetHistory();
    await s.commit(
      commit({
        expectRun: { kind: 'version', version: 11 },
        run: record(run('cancelled', { completedAt: at(12) }), 12, eventId(12)),
        runChanged: true,
        events: [event(12, 'run_cancelled')],
        deleteWaits: [created],
      }),
    );
    await s.flush();
    expect(puts('t-steps')).toEqual([
      { TableName: 't-steps', Item: waitTombstone(created, 12), ...projectionCondition, ExpressionAttributeValues: { ':seq': { N: '12' } } },
    ]);
  });

  it('terminal run: the event, releases and hook deletes in one transaction; every item written stamped with the TTL', async () => {
    const expiresAt = Math.floor(NOW / 1000) + 7 * 86_400;
    const rec = record(run('completed', { output: bytes(4), completedAt: at(13) }), 13, eventId(13));
    const e = event(13, 'run_completed', { eventData: { output: rec.run.output } });
    const s = store({ runRetentionDays: 7 });
    await s.commit(
      commit({
        expectRun: { kind: 'version', version: 12 },
        run: rec,
        runChanged: true,
        events: [e],
        deleteHooks: [hook('hook_1', 'tok-1')],
        tokenReleases: [{ token: 'tok-1', hookId: 'hook_1' }],
        deleteWaits: [wait('wait_1')],
      }),
    );
    const actions = sentActions();
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['Put', 'Delete', 'Delete']);
    expect(actions[0]!.Put!.Item!.expiresAt).toEqual({ N: String(expiresAt) });
    await s.flush();
    expect(updates('t-runs')[0]!.ExpressionAttributeValues).toEqual(expect.objectContaining({ ':seq': { N: '13' } }));
    expect(JSON.stringify(updates('t-runs')[0])).toContain(String(expiresAt));
    expect(puts('t-steps')[0]!.Item!.expiresAt).toEqual({ N: String(expiresAt) });
  });

  it('no TTL without retention, and none on live runs', async () => {
    const s = store({ runRetentionDays: 7 });
    await s.commit(commit({ expectRun: { kind: 'version', version: 2 }, run: record(run('running'), 3, eventId(3)), events: [event(3, 'step_created')] }));
    const done = record(run('cancelled', { completedAt: at(3) }), 3, eventId(3));
    await store().commit(commit({ expectRun: { kind: 'version', version: 2 }, run: done, runChanged: true, events: [event(3, 'run_cancelled')] }));
    await s.flush();
    expect(JSON.stringify(ddb.calls().map((c) => c.args[0].input))).not.toContain('expiresAt');
  });

  describe('terminal disposal beyond 100 actions', () => {
    const hooks = Array.from({ length: 60 }, (_, i) => hook(`hook_${String(i).padStart(2, '0')}`, `tok-${i}`));
    const waits = Array.from({ length: 60 }, (_, i) => wait(`wait_${String(i).padStart(2, '0')}`));
    const rec = record(run('failed', { error: { message: 'x' }, completedAt: at(20) }), 20, eventId(20));
    const big = commit({
      expectRun: { kind: 'version', version: 19 },
      run: rec,
      runChanged: true,
      events: [event(20, 'run_failed', { eventData: { error: { message: 'x' } } })],
      deleteHooks: hooks,
      tokenReleases: hooks.map((h) => ({ token: h.token, hookId: h.hookId })),
      deleteWaits: waits,
    });

    it('fills the transaction (releases first), then deletes the rest after it commits', async () => {
      ddb.on(BatchWriteItemCommand).resolves({});
      ddb.on(DeleteItemCommand).resolves({});
      await store().commit(big);

      const actions = sentActions();
      expect(actions).toHaveLength(100);
      // The event, then 60 conditional token releases, then 39 hook deletes.
      expect(actions.slice(1, 61).every((a) => a.Delete?.ConditionExpression === 'hookId = :hookId')).toBe(true);
      expect(actions.slice(61).every((a) => a.Delete?.TableName === 't-hooks' && a.Delete.ConditionExpression === undefined)).toBe(true);
      expect(actions.at(-1)).toEqual({ Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_38' } } } });

      // After it: the 21 other hooks. Waits are projections (tombstones), markers stay.
      expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
      const batches = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(batches.map((b) => Object.entries(b).map(([table, requests]) => [table, requests.length]))).toEqual([[['t-hooks', 21]]]);
      expect(batches[0]!['t-hooks']![0]).toEqual({ DeleteRequest: { Key: { pk: { S: 'H#hook_39' } } } });
    });

    it('releases overflowing tokens one by one, conditioned on the holder, before deleting hooks', async () => {
      const many = Array.from({ length: 110 }, (_, i) => hook(`hook_${String(i).padStart(3, '0')}`, `tok-${i}`));
      ddb.on(BatchWriteItemCommand).resolves({});
      // tok-97 was taken over meanwhile by a hook of another run: its claim stays.
      const takenOver = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
      ddb.on(DeleteItemCommand).rejectsOnce(takenOver).resolves({});
      await store().commit({ ...big, deleteHooks: many, tokenReleases: many.map((h) => ({ token: h.token, hookId: h.hookId })), deleteWaits: [] });

      expect(sentActions()).toHaveLength(100);
      const releases = ddb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input);
      expect(releases).toHaveLength(11);
      expect(releases[0]).toEqual({
        TableName: 't-hooks',
        Key: { pk: { S: tokenPk('tok-99') } },
        ConditionExpression: 'hookId = :hookId',
        ExpressionAttributeValues: { ':hookId': { S: 'hook_099' } },
      });
      const deletes = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(deletes.flatMap((b) => b['t-hooks'] ?? [])).toHaveLength(110);
      expect(deletes.flatMap((b) => b['t-steps'] ?? [])).toEqual([]);
    });

    it('retries unprocessed batch items', async () => {
      ddb
        .on(BatchWriteItemCommand)
        .resolvesOnce({ UnprocessedItems: { 't-hooks': [{ DeleteRequest: { Key: { pk: { S: 'H#hook_59' } } } }] } })
        .resolves({});
      await store().commit(big);
      const calls = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(calls).toHaveLength(2);
      expect(calls[1]).toEqual({ 't-hooks': [{ DeleteRequest: { Key: { pk: { S: 'H#hook_59' } } } }] });
    });

    it('logs, without throwing, when post-commit cleanup fails (the commit stands)', async () => {
      const warn = jest.fn<Logger['warn']>();
      const logger: Logger = { debug: jest.fn(), info: jest.fn(), warn, error: jest.fn() };
      ddb.on(BatchWriteItemCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
      await expect(store({ logger }).commit(big)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith('dynamodb.commit.overflow_cleanup_failed', {
        runId: RUN_ID,
        deletes: 21,
        tokenReleases: 0,
        error: 'InternalServerError',
      });
    });

    it('refuses a commit whose writes alone exceed one transaction', async () => {
      const hooks101 = Array.from({ length: 50 }, (_, i) => hook(`hook_n${i}`, `tok-n${i}`));
      await expect(store().commit({ ...big, deleteHooks: [], tokenReleases: [], deleteWaits: [], putHooks: hooks101 })).rejects.toMatchObject({
        name: 'WorkflowWorldError',
        status: 400,
        code: 'COMMIT_TOO_LARGE',
      });
      expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    });
  });
});
