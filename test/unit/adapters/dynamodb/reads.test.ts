// Point reads: the exact requests, strongly consistent on base tables.
import { createHash } from 'node:crypto';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { eventToItem, headToItem, hookToItem, runToItem, stepToItem, waitToItem } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { BlobPointer } from '../../../../src/domain/model.js';
import { at, bytes, event, eventId, hook, RUN_ID, run, step, T0, TABLES, wait } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES, { batchRetry: { attempts: 3, baseDelayMs: 0 } });

beforeEach(() => ddb.reset());

describe('getRun', () => {
  const r = run('running', { startedAt: at(2), input: new BlobPointer('payloads/x/input.bin', 80_000) });
  const head = { version: 2, lastEventId: eventId(2), lastEventAt: T0 + 2, eventCount: 2 };
  const request = {
    RequestItems: {
      't-runs': { Keys: [{ pk: { S: RUN_ID } }], ConsistentRead: true },
      't-events': { Keys: [{ pk: { S: RUN_ID }, sk: { S: '#head' } }], ConsistentRead: true },
    },
  };

  it('reads the run item and the head item in one consistent BatchGetItem', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { 't-runs': [runToItem(r)], 't-events': [headToItem(RUN_ID, head)] } });
    const found = await store.getRun(RUN_ID);
    expect(ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input)).toEqual([request]);
    expect(found).toEqual({ run: r, ...head });
    expect(found!.run.input).toBeInstanceOf(BlobPointer);
    expect(found!.run.startedAt).toBeInstanceOf(Date);
  });

  it('retries unprocessed keys', async () => {
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { 't-runs': [runToItem(r)] }, UnprocessedKeys: { 't-events': request.RequestItems['t-events'] } })
      .resolves({ Responses: { 't-events': [headToItem(RUN_ID, head)] } });
    expect(await store.getRun(RUN_ID)).toEqual({ run: r, ...head });
    expect(ddb.commandCalls(BatchGetItemCommand)[1]!.args[0].input).toEqual({ RequestItems: { 't-events': request.RequestItems['t-events'] } });
  });

  it('gives up with a ThrottleError when keys stay unprocessed', async () => {
    ddb.on(BatchGetItemCommand).resolves({ UnprocessedKeys: request.RequestItems });
    await expect(store.getRun(RUN_ID)).rejects.toMatchObject({ name: 'ThrottleError' });
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(3);
  });

  it('is undefined for an unknown run, or one whose items TTL is removing', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { 't-runs': [], 't-events': [] } });
    expect(await store.getRun(RUN_ID)).toBeUndefined();
    ddb.on(BatchGetItemCommand).resolves({ Responses: { 't-runs': [runToItem(r)], 't-events': [] } });
    expect(await store.getRun(RUN_ID)).toBeUndefined();
  });
});

describe('getRunEntity', () => {
  it('reads the run item alone: one consistent GetItem, no head', async () => {
    const r = run('completed', { output: bytes(3), completedAt: at(5) });
    ddb.on(GetItemCommand).resolves({ Item: runToItem(r) });
    expect(await store.getRunEntity(RUN_ID)).toEqual(r);
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([{ TableName: 't-runs', Key: { pk: { S: RUN_ID } }, ConsistentRead: true }]);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });

  it('is undefined for an unknown run', async () => {
    ddb.on(GetItemCommand).resolves({});
    expect(await store.getRunEntity(RUN_ID)).toBeUndefined();
  });
});

describe('entity reads', () => {
  it('getStep with a run id: one consistent GetItem', async () => {
    const s = step('step_1', 'completed', { output: bytes(5), completedAt: at(4) });
    ddb.on(GetItemCommand).resolves({ Item: stepToItem(s) });
    expect(await store.getStep(RUN_ID, 'step_1')).toEqual(s);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: RUN_ID }, sk: { S: 'S#step_1' } },
      ConsistentRead: true,
    });
  });

  it('getStep without a run id: locate on byStepId, then read consistently', async () => {
    const s = step('step_1', 'running', { attempt: 2, startedAt: at(3) });
    ddb.on(QueryCommand).resolves({ Items: [{ pk: { S: RUN_ID }, sk: { S: 'S#step_1' }, stepId: { S: 'step_1' } }] });
    ddb.on(GetItemCommand).resolves({ Item: stepToItem(s) });
    expect(await store.getStep(undefined, 'step_1')).toEqual(s);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      IndexName: 'byStepId',
      KeyConditionExpression: 'stepId = :stepId',
      ExpressionAttributeValues: { ':stepId': { S: 'step_1' } },
      Limit: 1,
    });
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: RUN_ID }, sk: { S: 'S#step_1' } },
      ConsistentRead: true,
    });
  });

  it('getStep without a run id: undefined when the index has no such step', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.getStep(undefined, 'step_x')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
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

  it('getHook, getWait and getEvent read their keys', async () => {
    const h = hook('hook_1', 'tok-1');
    const w = wait('wait_1');
    const e = event(3, 'hook_received', { correlationId: 'hook_1', eventData: { payload: bytes(1) } });
    ddb.on(GetItemCommand, { TableName: 't-hooks' }).resolves({ Item: hookToItem(h) });
    ddb.on(GetItemCommand, { TableName: 't-steps' }).resolves({ Item: waitToItem(w) });
    ddb.on(GetItemCommand, { TableName: 't-events' }).resolves({ Item: eventToItem(e) });
    expect(await store.getHook('hook_1')).toEqual(h);
    expect(await store.getWait(RUN_ID, w.waitId)).toEqual(w);
    expect(await store.getEvent(RUN_ID, e.eventId)).toEqual(e);
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: { S: 'H#hook_1' } },
      { pk: { S: RUN_ID }, sk: { S: `W#${w.waitId}` } },
      { pk: { S: RUN_ID }, sk: { S: e.eventId } },
    ]);
  });

  it('the head item is never an event', async () => {
    expect(await store.getEvent(RUN_ID, '#head')).toBeUndefined();
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('maps read failures to the contract errors', async () => {
    ddb.on(GetItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.getHook('hook_1')).rejects.toMatchObject({ name: 'ThrottleError' });
  });
});
