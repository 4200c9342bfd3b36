// The exact TransactWriteItems each kind of commit becomes.
import { createHash } from 'node:crypto';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import {
  eventToItem,
  headToItem,
  hookMarkerToItem,
  hookToItem,
  runToItem,
  stepToItem,
  waitToItem,
} from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { runShard } from '../../../../src/adapters/aws/dynamodb/keys.js';
import type { Logger } from '../../../../src/ports/logger.js';
import { at, bytes, commit, event, eventId, hook, record, RUN_ID, run, step, T0, TABLES, wait } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const NOW = T0 + 10_000;
const store = (options: ConstructorParameters<typeof DynamoDbEventStore>[2] = {}) =>
  new DynamoDbEventStore(client, TABLES, { now: () => NOW, batchRetry: { attempts: 3, baseDelayMs: 0 }, ...options });
const tokenPk = (token: string) => `T#${createHash('sha256').update(token).digest('hex')}`;

function sentActions(): TransactWriteItem[] {
  const calls = ddb.commandCalls(TransactWriteItemsCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems!;
}

const headAt = (r: ReturnType<typeof record>, expected: number, expiresAt?: number): TransactWriteItem => ({
  Put: {
    TableName: 't-events',
    Item: headToItem(RUN_ID, r, expiresAt),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': { N: String(expected) } },
  },
});
const markerDelete = (hookId: string, runId = RUN_ID): TransactWriteItem => ({
  Delete: { TableName: 't-steps', Key: { pk: { S: runId }, sk: { S: `K#${hookId}` } } },
});
const eventPut = (e: ReturnType<typeof event>, expiresAt?: number): TransactWriteItem => ({
  Put: { TableName: 't-events', Item: eventToItem(e, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' },
});

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteItemsCommand).resolves({});
});

describe('commit', () => {
  it('run_created: head (absent), run item, event — attribute for attribute', async () => {
    const created = event(1, 'run_created', {
      eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input: bytes(1, 2, 3), executionContext: { workflowCoreVersion: '4.8.9' } },
    });
    const rec = { ...record(run('pending'), 1, eventId(1)), lastEventAt: T0 + 1 };
    await store().commit(commit({ expectRun: { kind: 'absent' }, run: rec, runChanged: true, events: [created] }));

    const shard = runShard(RUN_ID);
    expect(sentActions()).toEqual([
      {
        Put: {
          TableName: 't-events',
          Item: {
            pk: { S: RUN_ID },
            sk: { S: '#head' },
            version: { N: '1' },
            lastEventId: { S: eventId(1) },
            lastEventAt: { N: String(T0 + 1) },
            eventCount: { N: '1' },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: 't-runs',
          Item: {
            pk: { S: RUN_ID },
            shard: { S: shard },
            statusShard: { S: `pending#${shard}` },
            runId: { S: RUN_ID },
            status: { S: 'pending' },
            deploymentId: { S: 'dpl_1' },
            workflowName: { S: 'wf//order' },
            specVersion: { N: '3' },
            executionContext: { M: { workflowCoreVersion: { S: '4.8.9' } } },
            input: { B: bytes(1, 2, 3) },
            createdAt: { N: String(T0) },
            updatedAt: { N: String(T0) },
          },
        },
      },
      {
        Put: {
          TableName: 't-events',
          Item: {
            pk: { S: RUN_ID },
            sk: { S: eventId(1) },
            runId: { S: RUN_ID },
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
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  });

  it('resilient start: run created and started in one transaction, events in log order', async () => {
    const created = event(1, 'run_created', { eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input: bytes(1) } });
    const started = event(2, 'run_started');
    const rec = record(run('running', { startedAt: at(2) }), 2, eventId(2));
    await store().commit(commit({ expectRun: { kind: 'absent' }, run: rec, runChanged: true, events: [created, started] }));
    expect(sentActions()).toEqual([
      { Put: { TableName: 't-events', Item: headToItem(RUN_ID, rec), ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: 't-runs', Item: runToItem(rec.run) } },
      eventPut(created),
      eventPut(started),
    ]);
  });

  it('step_created: head at the expected version, event, step; the run item is not rewritten', async () => {
    const rec = record(run('running'), 3, eventId(3));
    const e = event(3, 'step_created', { correlationId: 'step_1', eventData: { stepName: 'charge', input: bytes(9) } });
    const s = step('step_1', 'pending');
    await store().commit(commit({ expectRun: { kind: 'version', version: 2 }, run: rec, events: [e], putSteps: [s] }));
    expect(sentActions()).toEqual([headAt(rec, 2), eventPut(e), { Put: { TableName: 't-steps', Item: stepToItem(s) } }]);
  });

  it('step_started and step_completed: the step item is replaced under the head condition', async () => {
    const started = step('step_1', 'running', { attempt: 1, startedAt: at(4) });
    const rec4 = record(run('running'), 4, eventId(4));
    await store().commit(
      commit({ expectRun: { kind: 'version', version: 3 }, run: rec4, events: [event(4, 'step_started', { correlationId: 'step_1' })], putSteps: [started] }),
    );
    expect(sentActions()[2]).toEqual({ Put: { TableName: 't-steps', Item: stepToItem(started) } });

    ddb.resetHistory();
    const done = step('step_1', 'completed', { attempt: 1, startedAt: at(4), completedAt: at(5), output: bytes(7, 7) });
    const rec5 = { ...record(run('running'), 5, eventId(5)), externalStateAt: T0 + 5 };
    const e = event(5, 'step_completed', { correlationId: 'step_1', eventData: { result: bytes(7, 7) } });
    await store().commit(commit({ expectRun: { kind: 'version', version: 4 }, run: rec5, events: [e], putSteps: [done] }));
    expect(sentActions()).toEqual([headAt(rec5, 4), eventPut(e), { Put: { TableName: 't-steps', Item: stepToItem(done) } }]);
    expect(sentActions()[0]!.Put!.Item!.externalStateAt).toEqual({ N: String(T0 + 5) });
  });

  it('hook_created: hook guarded against other runs, token claimed only if free, marker in the run partition', async () => {
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
    expect(sentActions()).toEqual([
      headAt(rec, 5),
      eventPut(e),
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
      // No stepId: the marker stays out of the byStepId index.
      { Put: { TableName: 't-steps', Item: { pk: { S: RUN_ID }, sk: { S: 'K#hook_1' }, hookId: { S: 'hook_1' } } } },
    ]);
  });

  it('hook_created taking over a token whose holder run is terminal', async () => {
    const h = hook('hook_2', 'tok-1');
    const rec = record(run('running'), 7, eventId(7));
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 6 },
        run: rec,
        events: [event(7, 'hook_created', { correlationId: 'hook_2', eventData: { token: 'tok-1' } })],
        putHooks: [h],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_2', runId: RUN_ID, expect: { kind: 'heldBy', hookId: 'hook_old' } }],
      }),
    );
    expect(sentActions()[2]).toEqual({
      Put: {
        TableName: 't-hooks',
        Item: { pk: { S: tokenPk('tok-1') }, hookId: { S: 'hook_2' }, holderRunId: { S: RUN_ID } },
        ConditionExpression: 'hookId = :heldBy',
        ExpressionAttributeValues: { ':heldBy': { S: 'hook_old' } },
      },
    });
  });

  it('hook_conflict: only the head and the event', async () => {
    const rec = record(run('running'), 8, eventId(8));
    const e = event(8, 'hook_conflict', { correlationId: 'hook_3', eventData: { token: 'tok-1', conflictingRunId: 'wrun_other' } });
    await store().commit(commit({ expectRun: { kind: 'version', version: 7 }, run: rec, events: [e] }));
    expect(sentActions()).toEqual([headAt(rec, 7), eventPut(e)]);
  });

  it('hook_disposed: hook and its marker deleted, token released only by its holder', async () => {
    const rec = record(run('running'), 9, eventId(9));
    const e = event(9, 'hook_disposed', { correlationId: 'hook_1' });
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 8 },
        run: rec,
        events: [e],
        deleteHooks: [hook('hook_1', 'tok-1')],
        tokenReleases: [{ token: 'tok-1', hookId: 'hook_1' }],
      }),
    );
    expect(sentActions()).toEqual([
      headAt(rec, 8),
      eventPut(e),
      {
        Delete: {
          TableName: 't-hooks',
          Key: { pk: { S: tokenPk('tok-1') } },
          ConditionExpression: 'hookId = :hookId',
          ExpressionAttributeValues: { ':hookId': { S: 'hook_1' } },
        },
      },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_1' } } } },
      markerDelete('hook_1'),
    ]);
  });

  it('a release and a claim of one token become one conditional put', async () => {
    const rec = record(run('running'), 10, eventId(10));
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 9 },
        run: rec,
        events: [event(10, 'hook_created', { correlationId: 'hook_4' })],
        putHooks: [hook('hook_4', 'tok-1')],
        deleteHooks: [hook('hook_1', 'tok-1')],
        tokenReleases: [{ token: 'tok-1', hookId: 'hook_1' }],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_4', runId: RUN_ID, expect: { kind: 'absent' } }],
      }),
    );
    const tokenActions = sentActions().filter((a) => (a.Put ?? a.Delete)!.TableName === 't-hooks' && JSON.stringify(a).includes(tokenPk('tok-1')));
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

  it('a takeover deletes the old hook and its marker in the old hook\'s run', async () => {
    const old = hook('hook_old', 'tok-1', 'wrun_other');
    const h = hook('hook_5', 'tok-1');
    const rec = record(run('running'), 10, eventId(10));
    await store().commit(
      commit({
        expectRun: { kind: 'version', version: 9 },
        run: rec,
        events: [event(10, 'hook_created', { correlationId: 'hook_5' })],
        putHooks: [h],
        deleteHooks: [old],
        tokenClaims: [{ token: 'tok-1', hookId: 'hook_5', runId: RUN_ID, expect: { kind: 'heldBy', hookId: 'hook_old' } }],
      }),
    );
    expect(sentActions().slice(3)).toEqual([
      expect.objectContaining({ Put: expect.objectContaining({ TableName: 't-hooks', Item: hookToItem(h) }) }),
      { Put: { TableName: 't-steps', Item: hookMarkerToItem(RUN_ID, 'hook_5') } },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_old' } } } },
      markerDelete('hook_old', 'wrun_other'),
    ]);
  });

  it('a hook put and deleted in one commit writes neither hook nor marker', async () => {
    const h = hook('hook_6', 'tok-6');
    const rec = record(run('completed', { completedAt: at(10) }), 10, eventId(10));
    await store().commit(
      commit({ expectRun: { kind: 'version', version: 9 }, run: rec, runChanged: true, events: [event(10, 'run_completed')], putHooks: [h], deleteHooks: [h] }),
    );
    expect(sentActions().slice(3)).toEqual([{ Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_6' } } } }, markerDelete('hook_6')]);
  });

  it('wait_created and wait_completed: wait items in the steps table', async () => {
    const created = wait('wait_1');
    const rec = record(run('running'), 11, eventId(11));
    const e = event(11, 'wait_created', { correlationId: 'wait_1', eventData: { resumeAt: at(60_000) } });
    await store().commit(commit({ expectRun: { kind: 'version', version: 10 }, run: rec, events: [e], putWaits: [created] }));
    expect(sentActions()).toEqual([headAt(rec, 10), eventPut(e), { Put: { TableName: 't-steps', Item: waitToItem(created) } }]);

    ddb.resetHistory();
    const completed = wait('wait_1', 'completed', { completedAt: at(61_000), updatedAt: at(61_000) });
    const rec12 = record(run('running'), 12, eventId(12));
    const done = event(12, 'wait_completed', { correlationId: 'wait_1' });
    await store().commit(commit({ expectRun: { kind: 'version', version: 11 }, run: rec12, events: [done], putWaits: [completed] }));
    expect(sentActions()).toEqual([headAt(rec12, 11), eventPut(done), { Put: { TableName: 't-steps', Item: waitToItem(completed) } }]);
  });

  it('terminal run: run rewritten, children disposed, every written item stamped with the TTL', async () => {
    const expiresAt = Math.floor(NOW / 1000) + 7 * 86_400;
    const rec = record(run('completed', { output: bytes(4), completedAt: at(13) }), 13, eventId(13));
    const e = event(13, 'run_completed', { eventData: { output: bytes(4) } });
    await store({ runRetentionDays: 7 }).commit(
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
    expect(sentActions()).toEqual([
      headAt(rec, 12, expiresAt),
      { Put: { TableName: 't-runs', Item: runToItem(rec.run, expiresAt) } },
      eventPut(e, expiresAt),
      {
        Delete: {
          TableName: 't-hooks',
          Key: { pk: { S: tokenPk('tok-1') } },
          ConditionExpression: 'hookId = :hookId',
          ExpressionAttributeValues: { ':hookId': { S: 'hook_1' } },
        },
      },
      { Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_1' } } } },
      markerDelete('hook_1'),
      { Delete: { TableName: 't-steps', Key: { pk: { S: RUN_ID }, sk: { S: `W#${RUN_ID}-wait_1` } } } },
    ]);
    expect(sentActions()[1]!.Put!.Item!.expiresAt).toEqual({ N: String(expiresAt) });
  });

  it('no TTL without retention, and none on live runs', async () => {
    const rec = record(run('running'), 3, eventId(3));
    await store({ runRetentionDays: 7 }).commit(commit({ expectRun: { kind: 'version', version: 2 }, run: rec, events: [event(3, 'step_created')] }));
    expect(JSON.stringify(sentActions())).not.toContain('expiresAt');
    ddb.resetHistory();
    const done = record(run('cancelled', { completedAt: at(3) }), 3, eventId(3));
    await store().commit(commit({ expectRun: { kind: 'version', version: 2 }, run: done, runChanged: true, events: [event(3, 'run_cancelled')] }));
    expect(JSON.stringify(sentActions())).not.toContain('expiresAt');
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
      // head, run, event, then 60 conditional token releases, then 37 hook deletes.
      expect(actions.slice(3, 63).every((a) => a.Delete?.ConditionExpression === 'hookId = :hookId')).toBe(true);
      expect(actions.slice(63).every((a) => a.Delete?.TableName === 't-hooks' && a.Delete.ConditionExpression === undefined)).toBe(true);
      expect(actions.at(-1)).toEqual({ Delete: { TableName: 't-hooks', Key: { pk: { S: 'H#hook_36' } } } });

      // After it: the 23 other hooks, then all 60 markers and 60 waits (hooks before their markers).
      expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
      const batches = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(batches.map((b) => Object.entries(b).map(([table, requests]) => [table, requests.length]))).toEqual([
        [['t-hooks', 23]],
        [['t-steps', 25]],
        [['t-steps', 25]],
        [['t-steps', 25]],
        [['t-steps', 25]],
        [['t-steps', 20]],
      ]);
      expect(batches[0]!['t-hooks']![0]).toEqual({ DeleteRequest: { Key: { pk: { S: 'H#hook_37' } } } });
      const stepDeletes = batches.slice(1).flatMap((b) => b['t-steps']!.map((r) => r.DeleteRequest!.Key!.sk!.S));
      expect(stepDeletes).toEqual([...hooks.map((h) => `K#${h.hookId}`), ...waits.map((w) => `W#${w.waitId}`)]);
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
      expect(releases).toHaveLength(13);
      expect(releases[0]).toEqual({
        TableName: 't-hooks',
        Key: { pk: { S: tokenPk('tok-97') } },
        ConditionExpression: 'hookId = :hookId',
        ExpressionAttributeValues: { ':hookId': { S: 'hook_097' } },
      });
      const deletes = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(deletes.flatMap((b) => b['t-hooks'] ?? [])).toHaveLength(110);
      expect(deletes.flatMap((b) => b['t-steps'] ?? [])).toEqual(many.map((h) => ({ DeleteRequest: { Key: markerDelete(h.hookId).Delete!.Key } })));
    });

    it('retries unprocessed batch items', async () => {
      ddb
        .on(BatchWriteItemCommand)
        .resolvesOnce({ UnprocessedItems: { 't-steps': [{ DeleteRequest: { Key: { pk: { S: RUN_ID }, sk: { S: `W#${RUN_ID}-wait_00` } } } }] } })
        .resolves({});
      await store().commit(big);
      const calls = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!);
      expect(calls).toHaveLength(7);
      expect(calls[1]).toEqual({ 't-steps': [{ DeleteRequest: { Key: { pk: { S: RUN_ID }, sk: { S: `W#${RUN_ID}-wait_00` } } } }] });
    });

    it('logs, without throwing, when post-commit cleanup fails (the commit stands)', async () => {
      const warn = jest.fn<Logger['warn']>();
      const logger: Logger = { debug: jest.fn(), info: jest.fn(), warn, error: jest.fn() };
      ddb.on(BatchWriteItemCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
      await expect(store({ logger }).commit(big)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith('dynamodb.commit.overflow_cleanup_failed', {
        runId: RUN_ID,
        deletes: 143,
        tokenReleases: 0,
        error: 'InternalServerError',
      });
    });

    it('refuses a commit whose writes alone exceed one transaction', async () => {
      const steps = Array.from({ length: 99 }, (_, i) => step(`step_${i}`, 'pending'));
      await expect(store().commit({ ...big, deleteHooks: [], tokenReleases: [], deleteWaits: [], putSteps: steps })).rejects.toMatchObject({
        name: 'WorkflowWorldError',
        status: 400,
        code: 'COMMIT_TOO_LARGE',
      });
      expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    });
  });
});
