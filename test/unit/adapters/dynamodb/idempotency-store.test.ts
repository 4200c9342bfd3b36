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
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { LEASE_SKEW_MARGIN_MS } from '../../../../src/domain/delivery/lease.js';

const ddb = mockClient(DynamoDBClient);
const NOW = 1_750_000_000_500;
const store = new DynamoDbIdempotencyStore(new DynamoDBClient({ region: 'us-east-1' }), 't-steps', new ManualClock(NOW));
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
      UpdateExpression: 'SET mid = :m, st = :claimed, lease = :lease, att = :zero, expiresAt = :exp REMOVE nonce, seen',
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

  it('claims a key for a step run in process with its delivery lease in the same UpdateItem, as beginDelivery would leave it', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed({ mid: { S: 'msg-0' }, st: { S: 'delivering' }, lease: { N: String(NOW + 9_000) } }));
    expect(await store.claimInline('step:abc', 'msg-1', 'n-1', 60, 3600)).toEqual({ won: true, leaseEndsAt: NOW + 60_000 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'Q#k#step:abc' }, sk: { S: 'Q' } },
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, att = :one, expiresAt = :exp, nonce = :n, seen = :ns',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS OR (st = :claimed AND lease < :now)',
      ExpressionAttributeValues: {
        ':m': { S: 'msg-1' },
        ':delivering': { S: 'delivering' },
        ':claimed': { S: 'claimed' },
        ':lease': { N: String(NOW + 60_000) },
        ':exp': { N: '1750003600' },
        ':nowS': { N: '1750000000' },
        ':now': { N: String(NOW) },
        ':one': { N: '1' },
        ':n': { S: 'n-1' },
        ':ns': { SS: ['n-1'] },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // A key being delivered (by another process's run) is held for the window: no claim end to wait for.
    expect(await store.claimInline('step:abc', 'msg-2', 'n-2', 60, 3600)).toEqual({ won: false, holderId: 'msg-0' });
  });

  it('gives up an inline claim only while its own nonce holds the key; a plain claim only while unconfirmed', async () => {
    ddb.on(DeleteItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).resolvesOnce({});
    await store.abandonClaim('k', 'msg-1', 'n-1');
    await store.abandonClaim('k', 'msg-1', 'n-1');
    await store.abandonClaim('k', 'msg-1');
    expect(ddb.commandCalls(DeleteItemCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: 't-steps', Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } }, ConditionExpression: 'mid = :m AND nonce = :n', ExpressionAttributeValues: { ':m': { S: 'msg-1' }, ':n': { S: 'n-1' } } },
      { TableName: 't-steps', Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } }, ConditionExpression: 'mid = :m AND nonce = :n', ExpressionAttributeValues: { ':m': { S: 'msg-1' }, ':n': { S: 'n-1' } } },
      {
        TableName: 't-steps',
        Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } },
        ConditionExpression: 'mid = :m AND st = :claimed',
        ExpressionAttributeValues: { ':m': { S: 'msg-1' }, ':claimed': { S: 'claimed' } },
      },
    ]);
  });

  it('reads the holder from the failed condition, or with a consistent GetItem when DynamoDB did not return it', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({ mid: { S: 'msg-0' }, st: { S: 'claimed' }, lease: { N: String(NOW + 9_000) } })).rejectsOnce(conditionFailed());
    ddb.on(GetItemCommand).resolves({ Item: { mid: { S: 'msg-9' }, st: { S: 'sent' } } });
    // An unconfirmed claim reports when its lease ends; a sent one does not.
    expect(await store.claimSend('k', 'msg-1', 30, 3600)).toEqual({ won: false, holderId: 'msg-0', claimEndsAt: NOW + 9_000 });
    expect(await store.claimSend('k', 'msg-1', 30, 3600)).toEqual({ won: false, holderId: 'msg-9' });
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({ ConsistentRead: true, Key: { pk: { S: 'Q#k#k' } } });
  });

  it('begins a delivery in one write: the nonce takes the lease, joins the seen set (the replay check), and the attempt counts', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: { att: { N: '2' }, st: { S: 'delivering' } } });
    expect(await store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'start', attempt: 2, leaseEndsAt: NOW + 60_000 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } },
      // On a key with no record the same write creates it: ADD starts att and seen from nothing, expiresAt opens the window.
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, nonce = :n, expiresAt = if_not_exists(expiresAt, :exp) ADD att :one, seen :ns',
      ConditionExpression:
        'attribute_not_exists(pk) OR (mid = :m AND expiresAt >= :nowS AND (st <> :delivering OR lease < :lapsed) AND (attribute_not_exists(seen) OR NOT contains(seen, :n)))',
      ExpressionAttributeValues: {
        ':m': { S: 'msg-1' },
        ':delivering': { S: 'delivering' },
        ':lease': { N: String(NOW + 60_000) },
        ':n': { S: 'n-1' },
        ':ns': { SS: ['n-1'] },
        ':one': { N: '1' },
        ':exp': { N: '1750003600' },
        ':nowS': { N: '1750000000' },
        // A lease counts as lapsed only the skew margin after its written end.
        ':lapsed': { N: String(NOW - LEASE_SKEW_MARGIN_MS) },
      },
      ReturnValues: 'UPDATED_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('the first delivery of a key with no record (a workflow message, an unclaimed step) costs that one write and no read', async () => {
    ddb.on(UpdateItemCommand).resolves({ Attributes: { mid: { S: 'msg-1' }, st: { S: 'delivering' }, att: { N: '1' }, seen: { SS: ['n-1'] } } });
    expect(await store.beginDelivery('msg#msg-1', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'start', attempt: 1, leaseEndsAt: NOW + 60_000 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input.Key).toEqual({ pk: { S: 'Q#k#msg#msg-1' }, sk: { S: 'Q' } });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('reports a copy in flight as busy until the lease ends, a seen nonce as replayed, and another owner as superseded', async () => {
    const held = { mid: { S: 'msg-1' }, st: { S: 'delivering' }, lease: { N: String(NOW + 5000) }, seen: { SS: ['n-1'] }, expiresAt: { N: '1750003600' } };
    ddb.on(UpdateItemCommand).rejects(conditionFailed(held));
    expect(await store.beginDelivery('k', 'msg-1', 'n-2', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt: NOW + 5000 });
    expect(await store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'replayed' });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed({ mid: { S: 'msg-2' }, st: { S: 'sent' }, expiresAt: { N: '1750003600' } }));
    expect(await store.beginDelivery('k', 'msg-1', 'n-3', 60, 3600)).toEqual({ kind: 'superseded' });
  });

  it('a record whose window ended (TTL not yet run) is replaced by a second, creating write; throttling maps to a retryable error', async () => {
    const ended = { mid: { S: 'msg-0' }, st: { S: 'delivering' }, att: { N: '3' }, seen: { SS: ['n-0'] }, lease: { N: String(NOW + 5000) }, expiresAt: { N: '1749999999' } };
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed(ended)).resolves({});
    expect(await store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'start', attempt: 1, leaseEndsAt: NOW + 60_000 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(2);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateItemCommand)[1]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } },
      // A new record: the old message's attempts and nonces go with it.
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, att = :one, expiresAt = :exp, nonce = :n, seen = :ns',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS',
      ExpressionAttributeValues: {
        ':m': { S: 'msg-1' },
        ':delivering': { S: 'delivering' },
        ':lease': { N: String(NOW + 60_000) },
        ':exp': { N: '1750003600' },
        ':nowS': { N: '1750000000' },
        ':one': { N: '1' },
        ':n': { S: 'n-1' },
        ':ns': { SS: ['n-1'] },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).rejects.toMatchObject({ name: 'ThrottleError' });
  });

  it('a lost condition without the item (DynamoDB Local, dynalite) reads it consistently; one that went meanwhile is claimed', async () => {
    const live = { mid: { S: 'msg-1' }, st: { S: 'delivering' }, lease: { N: String(NOW + 5000) }, seen: { SS: ['n-1'] }, expiresAt: { N: '1750003600' } };
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).rejectsOnce(conditionFailed()).resolves({});
    ddb.on(GetItemCommand).resolvesOnce({ Item: live }).resolvesOnce({});
    expect(await store.beginDelivery('k', 'msg-1', 'n-2', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt: NOW + 5000 });
    expect(await store.beginDelivery('k', 'msg-1', 'n-2', 60, 3600)).toEqual({ kind: 'start', attempt: 1, leaseEndsAt: NOW + 60_000 });
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 't-steps', Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } }, ConsistentRead: true },
      { TableName: 't-steps', Key: { pk: { S: 'Q#k#k' }, sk: { S: 'Q' } }, ConsistentRead: true },
    ]);
    expect(ddb.commandCalls(UpdateItemCommand)[2]!.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk) OR expiresAt < :nowS');
  });

  it('the creating write lost to another delivery: its record refuses this one, or it is busy when DynamoDB did not return it', async () => {
    const ended = { mid: { S: 'msg-1' }, expiresAt: { N: '1749999999' } };
    const raced = { mid: { S: 'msg-1' }, st: { S: 'delivering' }, lease: { N: String(NOW + 60_000) }, seen: { SS: ['n-9'] }, expiresAt: { N: '1750003600' } };
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed(ended)).rejectsOnce(conditionFailed(raced)).rejectsOnce(conditionFailed(ended)).rejectsOnce(conditionFailed());
    expect(await store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt: NOW + 60_000 });
    expect(await store.beginDelivery('k', 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt: NOW });
  });

  it('extends and releases only the lease its own nonce holds; a lost condition means the lease moved on', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store.extendDelivery('k', 'msg-1', 'n-1', 60)).toBe(NOW + 60_000);
    await store.releaseDelivery('k', 'msg-1', 'n-1', false);
    const [extend, release] = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(extend).toMatchObject({ UpdateExpression: 'SET lease = :lease', ConditionExpression: 'mid = :m AND st = :delivering AND nonce = :n', ReturnValuesOnConditionCheckFailure: 'NONE' });
    expect(release!.ConditionExpression).toBe('mid = :m AND st = :delivering AND nonce = :n');
    expect(release!.ExpressionAttributeValues).toEqual({ ':m': { S: 'msg-1' }, ':delivering': { S: 'delivering' }, ':sent': { S: 'sent' }, ':n': { S: 'n-1' } });
    ddb.reset();
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.markSent('k', 'm')).resolves.toBeUndefined();
    expect(await store.extendDelivery('k', 'm', 'n-1', 60)).toBeUndefined();
    await expect(store.releaseDelivery('k', 'm', 'n-1', true)).resolves.toBeUndefined();
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

  it('maps other failures', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.claimSend('k', 'o', 1, 1)).rejects.toMatchObject({ name: 'ThrottleError' });
  });
});
