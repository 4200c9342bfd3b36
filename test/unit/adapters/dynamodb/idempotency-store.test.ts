// The DynamoDB commands behind send claims, delivery leases and wake-up marks.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbIdempotencyStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-idempotency-store.js';

const ddb = mockClient(DynamoDBClient);
const NOW = 1_750_000_000_500;
const store = new DynamoDbIdempotencyStore(new DynamoDBClient({ region: 'us-east-1' }), 't-steps', () => NOW);
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }), item ? { Item: item } : {});

beforeEach(() => ddb.reset());

describe('DynamoDbIdempotencyStore', () => {
  it('claims a delivery nonce with one conditional PutItem; a held one answers false; other failures map to world errors', async () => {
    ddb.on(PutItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    expect(await store.claimNonce('delivery-nonce:ab12', 301)).toBe(true);
    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Item: { pk: { S: 'Q#n#delivery-nonce:ab12' }, sk: { S: 'Q' }, expiresAt: { N: String(1_750_000_000 + 301) } },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS',
      ExpressionAttributeValues: { ':nowS': { N: '1750000000' } },
    });
    expect(await store.claimNonce('delivery-nonce:ab12', 301)).toBe(false);
    await expect(store.claimNonce('delivery-nonce:cd34', 301)).rejects.toMatchObject({ status: 429 });
  });

  it('claims a key for a send with one conditional UpdateItem, leased and windowed, reporting the holder on failure', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store.claimSend('step:abc', 'msg-1', 30, 3600)).toEqual({ won: true });
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'Q#k#step:abc' }, sk: { S: 'Q' } },
      UpdateExpression: 'SET mid = :m, st = :claimed, lease = :lease, att = :zero, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS OR (st = :claimed AND lease < :now)',
      ExpressionAttributeValues: {
        ':m': { S: 'msg-1' },
        ':claimed': { S: 'claimed' },
        ':lease': { N: String(NOW + 30_000) },
        ':zero': { N: '0' },
        ':exp': { N: '1750003600' },
        ':nowS': { N: '1750000000' },
        ':now': { N: String(NOW) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('reads the holder from the failed condition, or with a consistent GetItem when DynamoDB did not return it', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({ mid: { S: 'msg-0' } })).rejectsOnce(conditionFailed());
    ddb.on(GetItemCommand).resolves({ Item: { mid: { S: 'msg-9' } } });
    expect(await store.claimSend('k', 'msg-1', 30, 3600)).toEqual({ won: false, holderId: 'msg-0' });
    expect(await store.claimSend('k', 'msg-1', 30, 3600)).toEqual({ won: false, holderId: 'msg-9' });
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({ ConsistentRead: true, Key: { pk: { S: 'Q#k#k' } } });
  });

  it('begins a delivery by taking the lease and counting the attempt in one write', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: { att: { N: '2' }, st: { S: 'delivering' } } });
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600)).toEqual({ kind: 'start', attempt: 2 });
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('SET st = :delivering, lease = :lease ADD att :one');
    expect(input.ConditionExpression).toBe('mid = :m AND expiresAt >= :nowS AND (st <> :delivering OR lease < :now)');
    expect(input.ReturnValues).toBe('UPDATED_NEW');
  });

  it('reports a copy in flight as busy until the lease ends, and another owner as superseded', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({ mid: { S: 'msg-1' }, st: { S: 'delivering' }, lease: { N: String(NOW + 5000) }, expiresAt: { N: '1750003600' } }));
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt: NOW + 5000 });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({ mid: { S: 'msg-2' }, st: { S: 'sent' }, expiresAt: { N: '1750003600' } }));
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600)).toEqual({ kind: 'superseded' });
  });

  it('claims a never-claimed key on delivery with a second, creating write', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({})).resolves({});
    ddb.on(GetItemCommand).resolves({});
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600)).toEqual({ kind: 'start', attempt: 1 });
    expect(ddb.commandCalls(UpdateItemCommand)[1]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :nowS');
  });

  it('ignores a lost condition when confirming, extending or releasing (the key moved on)', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.markSent('k', 'm')).resolves.toBeUndefined();
    await expect(store.extendDelivery('k', 'm', 60)).resolves.toBeUndefined();
    await expect(store.releaseDelivery('k', 'm', true)).resolves.toBeUndefined();
    expect(ddb.commandCalls(UpdateItemCommand)[2]!.args[0].input.UpdateExpression).toBe('SET st = :sent, att = :zero REMOVE lease');
  });

  it('marks, reads (consistently) and clears a run wake-up; a newer mark survives a stale clear', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store.markWakeup('wrun_1', 'w-1', 60)).toEqual({ won: true });
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toMatchObject({
      Key: { pk: { S: 'Q#w#wrun_1' }, sk: { S: 'Q' } },
      ConditionExpression: 'attribute_not_exists(pk) OR lease < :now OR mid = :m',
    });
    ddb.on(GetItemCommand).resolves({ Item: { mid: { S: 'w-1' }, lease: { N: String(NOW + 1) } } });
    expect(await store.pendingWakeup('wrun_1')).toBe('w-1');
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    await expect(store.clearWakeup('wrun_1', 'w-0')).resolves.toBeUndefined();
    expect(ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toMatchObject({ ConditionExpression: 'mid = :m' });
  });

  it('with a signing time, takes the lease and makes the replay check in the same single write', async () => {
    const SIGNED = NOW - 40;
    ddb.on(UpdateItemCommand).resolves({ Attributes: { att: { N: '1' } } });
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, SIGNED)).toEqual({ kind: 'start', attempt: 1 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } },
      UpdateExpression: 'SET st = :delivering, lease = :lease, ts = :ts ADD att :one',
      ConditionExpression: 'mid = :m AND expiresAt >= :nowS AND (st <> :delivering OR lease < :now) AND (attribute_not_exists(ts) OR ts < :ts)',
      ExpressionAttributeValues: {
        ':m': { S: 'msg-1' },
        ':delivering': { S: 'delivering' },
        ':lease': { N: String(NOW + 60_000) },
        ':one': { N: '1' },
        ':nowS': { N: '1750000000' },
        ':now': { N: String(NOW) },
        ':ts': { N: String(SIGNED) },
      },
      ReturnValues: 'UPDATED_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('reports a request signed no later than a delivery that began as replayed (also while that one runs), a newer one as busy', async () => {
    const held = { mid: { S: 'msg-1' }, st: { S: 'delivering' }, lease: { N: String(NOW + 5000) }, ts: { N: String(NOW - 100) }, expiresAt: { N: '1750003600' } };
    ddb.on(UpdateItemCommand).rejects(conditionFailed(held));
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, NOW - 100)).toEqual({ kind: 'replayed' });
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, NOW - 200)).toEqual({ kind: 'replayed' });
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, NOW - 50)).toEqual({ kind: 'busy', leaseEndsAt: NOW + 5000 });
    // After the delivery ended (lease released), a replay of its request is still refused.
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(conditionFailed({ ...held, st: { S: 'sent' }, lease: undefined }));
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, NOW - 100)).toEqual({ kind: 'replayed' });
  });

  it('with a signing time, a never-claimed key is claimed with it; throttling maps to a retryable error', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolvesOnce({});
    ddb.on(GetItemCommand).resolves({});
    expect(await store.beginDelivery('k', 'msg-1', 60, 3600, NOW)).toEqual({ kind: 'start', attempt: 1 });
    const second = ddb.commandCalls(UpdateItemCommand)[1]!.args[0].input;
    expect(second.UpdateExpression).toBe('SET mid = :m, st = :delivering, lease = :lease, att = :one, expiresAt = :exp, ts = :ts');
    expect(second.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :nowS');
    expect(second.ExpressionAttributeValues?.[':ts']).toEqual({ N: String(NOW) });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.beginDelivery('k', 'msg-1', 60, 3600, NOW)).rejects.toMatchObject({ name: 'ThrottleError' });
  });

  it('releases only the lease its own signed delivery took', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await store.releaseDelivery('k', 'msg-1', false, NOW - 7);
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('mid = :m AND st = :delivering AND ts = :ts');
    expect(input.ExpressionAttributeValues).toEqual({ ':m': { S: 'msg-1' }, ':delivering': { S: 'delivering' }, ':sent': { S: 'sent' }, ':ts': { N: String(NOW - 7) } });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.releaseDelivery('k', 'msg-1', true, NOW - 7)).resolves.toBeUndefined();
  });

  it('maps other failures', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.claimSend('k', 'o', 1, 1)).rejects.toMatchObject({ name: 'ThrottleError' });
  });
});
