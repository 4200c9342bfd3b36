// Point reads: the log tail first (newest first, strongly consistent), then
// the projection, and the tail applied on top.
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Event } from '@workflow/world';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { encodeRecord, recordOf } from '../../../../src/adapters/aws/dynamodb/commit-record.js';
import { eventToItem, hookToItem, runToItem, stepToItem, waitToItem, waitTombstone, type Item } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { BlobPointer, type Commit } from '../../../../src/domain/model.js';
import { at, bytes, commit, event, eventId, hook, record, RUN_ID, run, step, T0, TABLES, wait } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES, { batchRetry: { attempts: 3, baseDelayMs: 0 } });

/** The event items a commit writes, newest first (as the tail Query returns them). */
function logItems(c: Commit, projected: number): Item[] {
  const rec = recordOf(c, projected);
  return c.events.map((e, i) => ({ ...eventToItem(e, rec.firstSeq + i), ...(i === c.events.length - 1 ? encodeRecord(rec, c.events) : {}) })).reverse();
}
const tailQuery = {
  TableName: 't-events',
  KeyConditionExpression: 'pk = :runId',
  ExpressionAttributeValues: { ':runId': { S: RUN_ID } },
  ScanIndexForward: false,
  ConsistentRead: true,
  Limit: 8,
};

const running = run('running', { startedAt: at(2), updatedAt: at(2), input: new BlobPointer('payloads/x/input.bin', 80_000) });
const startedCommit = commit({ expectRun: { kind: 'version', version: 1 }, run: record(running, 2, eventId(2)), runChanged: true, events: [event(2, 'run_started')] });

beforeEach(() => ddb.reset());

describe('getRun', () => {
  it('reads the tail, then the run item, consistently; the run record comes from the newest commit', async () => {
    // Projections written through 2: the tail is empty past the newest item.
    ddb.on(QueryCommand).resolves({ Items: logItems(startedCommit, 2) });
    ddb.on(GetItemCommand).resolves({ Item: runToItem(running, 2) });
    const found = await store.getRun(RUN_ID);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([tailQuery]);
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([{ TableName: 't-runs', Key: { pk: { S: RUN_ID } }, ConsistentRead: true }]);
    expect(found).toEqual({ run: running, version: 2, lastEventId: eventId(2), lastEventAt: T0 + 2, eventCount: 2 });
    expect(found!.run.input).toBeInstanceOf(BlobPointer);
    expect(found!.run.startedAt).toBeInstanceOf(Date);
  });

  it('reads the run item only after the tail has answered (the projection must be read after the newest commit)', async () => {
    let answerTail!: () => void;
    ddb.on(QueryCommand).callsFake(() => new Promise((resolve) => (answerTail = () => resolve({ Items: logItems(startedCommit, 2) }))));
    ddb.on(GetItemCommand).resolves({ Item: runToItem(running, 2) });
    const reading = store.getRun(RUN_ID);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    answerTail();
    expect((await reading)!.run).toEqual(running);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('a run item behind the log is brought up to date from the tail (input kept from the item)', async () => {
    const pending = run('pending', { input: running.input });
    ddb.on(QueryCommand).resolves({ Items: logItems(startedCommit, 1) });
    ddb.on(GetItemCommand).resolves({ Item: runToItem(pending, 1) });
    expect((await store.getRun(RUN_ID))!.run).toEqual(running);
  });

  it('a run whose item was never written is read from its creating commit', async () => {
    const input = bytes(1, 2, 3);
    const created = event(1, 'run_created', { eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input } });
    const r = run('pending', { createdAt: at(1), updatedAt: at(1), input });
    delete (r as { executionContext?: unknown }).executionContext;
    const c = commit({ expectRun: { kind: 'absent' }, run: { ...record(r, 1, eventId(1)), lastEventAt: T0 + 1 }, runChanged: true, events: [created] });
    ddb.on(QueryCommand).resolves({ Items: logItems(c, 0) });
    ddb.on(GetItemCommand).resolves({});
    expect((await store.getRun(RUN_ID))!.run).toEqual(r);
  });

  it('is undefined for a run without events, with no entity read', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.getRun(RUN_ID)).toBeUndefined();
    expect(await store.getRunEntity(RUN_ID)).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('reads of one decision started together share one tail Query', async () => {
    ddb.on(QueryCommand).resolves({ Items: logItems(startedCommit, 2) });
    ddb.on(GetItemCommand, { TableName: 't-runs' }).resolves({ Item: runToItem(running, 2) });
    ddb.on(GetItemCommand, { TableName: 't-steps' }).resolves({});
    await Promise.all([store.getRun(RUN_ID), store.getStep(RUN_ID, 'step_1')]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    await store.getRun(RUN_ID);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });
});

describe('runVersion', () => {
  it('reads the newest event item alone (one consistent Query, Limit 1): its commit record holds the version', async () => {
    ddb.on(QueryCommand).resolves({ Items: logItems(startedCommit, 1).slice(0, 1) });
    expect(await store.runVersion(RUN_ID)).toBe(2);
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([{ ...tailQuery, Limit: 1 }]);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.runVersion(RUN_ID)).toBeUndefined();
  });
});

describe('entity reads', () => {
  it('getStep with a run id: the tail, then one consistent GetItem; a newer state in the tail wins', async () => {
    const s = step('step_1', 'running', { attempt: 1, startedAt: at(4) });
    const done = { ...s, status: 'completed' as const, output: bytes(5), completedAt: at(5), updatedAt: at(5) };
    const e = event(5, 'step_completed', { correlationId: 'step_1', eventData: { result: done.output } });
    ddb.on(QueryCommand).resolves({ Items: logItems(commit({ expectRun: { kind: 'version', version: 4 }, run: record(running, 5, eventId(5)), events: [e], putSteps: [done] }), 4) });
    ddb.on(GetItemCommand).resolves({ Item: stepToItem(s, 4) });
    expect(await store.getStep(RUN_ID, 'step_1')).toEqual(done);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: RUN_ID }, sk: { S: 'S#step_1' } },
      ConsistentRead: true,
    });
    // A projection already at (or past) the tail's state is taken as it is.
    ddb.on(GetItemCommand).resolves({ Item: stepToItem(done, 5) });
    expect(await store.getStep(RUN_ID, 'step_1')).toEqual(done);
  });

  it('getStep without a run id: locate the run on the correlation index, then read it', async () => {
    const s = step('step_1', 'running', { attempt: 2, startedAt: at(3) });
    ddb.on(QueryCommand, { IndexName: 'byCorrelation' }).resolves({ Items: [{ pk: { S: RUN_ID }, sk: { S: 'S#step_1' }, cid: { S: 'step_1' } }] });
    ddb.on(QueryCommand, { TableName: 't-events' }).resolves({ Items: logItems(startedCommit, 2) });
    ddb.on(GetItemCommand).resolves({ Item: stepToItem(s, 2) });
    expect(await store.getStep(undefined, 'step_1')).toEqual(s);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      IndexName: 'byCorrelation',
      KeyConditionExpression: 'cid = :cid',
      ExpressionAttributeValues: { ':cid': { S: 'step_1' } },
    });
  });

  it('getStep without a run id: undefined when the index has no such step', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.getStep(undefined, 'step_x')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('getWait: a tombstone is no wait', async () => {
    const w = wait('wait_1');
    ddb.on(QueryCommand).resolves({ Items: logItems(startedCommit, 2) });
    ddb.on(GetItemCommand).resolves({ Item: waitToItem(w, 2) });
    expect(await store.getWait(RUN_ID, w.waitId)).toEqual(w);
    ddb.on(GetItemCommand).resolves({ Item: waitTombstone(w, 3) });
    expect(await store.getWait(RUN_ID, w.waitId)).toBeUndefined();
  });

  it('getHookByToken: the claim by token hash, then the hook', async () => {
    const h = hook('hook_1', 'tok-1');
    const claimKey = { pk: { S: `T#${createHash('sha256').update('tok-1').digest('hex')}` } };
    ddb.on(GetItemCommand, { Key: claimKey }).resolves({ Item: { ...claimKey, hookId: { S: 'hook_1' } } });
    ddb.on(GetItemCommand, { Key: { pk: { S: 'H#hook_1' } } }).resolves({ Item: hookToItem(h) });
    expect(await store.getHookByToken('tok-1')).toEqual(h);
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 't-hooks', Key: claimKey, ConsistentRead: true },
      { TableName: 't-hooks', Key: { pk: { S: 'H#hook_1' } }, ConsistentRead: true },
    ]);
  });

  it('getHookByToken: undefined for an unclaimed token, or a claim whose hook is gone', async () => {
    ddb.on(GetItemCommand).resolves({});
    expect(await store.getHookByToken('tok-x')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
    ddb.reset();
    ddb.on(GetItemCommand, { Key: { pk: { S: 'H#hook_1' } } }).resolves({});
    ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'T#x' }, hookId: { S: 'hook_1' } } });
    expect(await store.getHookByToken('tok-1')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(2);
  });

  it('getEvent: the run log filtered by event id (events are keyed by sequence number)', async () => {
    const e: Event = event(3, 'hook_received', { correlationId: 'hook_1', eventData: { payload: bytes(1) } });
    ddb.on(QueryCommand).resolves({ Items: [eventToItem(e, 3)] });
    expect(await store.getEvent(RUN_ID, e.eventId)).toEqual(e);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: 't-events',
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :runId',
      FilterExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':runId': { S: RUN_ID }, ':eventId': { S: e.eventId } },
    });
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.getEvent(RUN_ID, '#head')).toBeUndefined();
  });

  it('maps read failures to the contract errors', async () => {
    ddb.on(GetItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.getHook('hook_1')).rejects.toMatchObject({ name: 'ThrottleError' });
    ddb.on(QueryCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.getRun(RUN_ID)).rejects.toMatchObject({ name: 'ThrottleError' });
  });
});
