// Send claims, delivery leases and wake-up marks in the steps table of the local DynamoDB.
import { jest } from '@jest/globals';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { idempotencyRecordKey } from '../../../src/adapters/aws/dynamodb/keys.js';
import { idempotencyStoreContract } from '../../support/idempotency-store-contract.js';
import { startLocalEventStore, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(30_000);

let local: LocalEventStore;
let now = Date.UTC(2030, 0, 1);
const clock = { now: () => now, sleep: async () => undefined };
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

describe('DynamoDbIdempotencyStore on local DynamoDB', () => {
  idempotencyStoreContract(() => ({
    store: new DynamoDbIdempotencyStore(local.client, local.aws.names.tables.steps, clock),
    advance: (ms) => {
      now += ms;
    },
  }));
});

describe('requests per delivery start on local DynamoDB', () => {
  /** A store whose client counts the commands it sends, by name. */
  function countingStore() {
    const client = new DynamoDBClient({ endpoint: local.aws.endpoints.dynamodb, region: local.aws.region, credentials: local.aws.credentials });
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    const store = new DynamoDbIdempotencyStore(client, local.aws.names.tables.steps, clock);
    const take = () => sent.splice(0);
    return { client, store, take };
  }
  const record = async (key: string) =>
    (await local.client.send(new GetItemCommand({ TableName: local.aws.names.tables.steps, Key: idempotencyRecordKey(key), ConsistentRead: true }))).Item;
  const fresh = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`;

  it('a key with no record (a workflow message’s msg# lease): the first delivery is one UpdateItem, creating the record an inline claim leaves', async () => {
    const { client, store, take } = countingStore();
    const id = fresh('msg');
    const key = `msg#${id}`;
    expect(await store.beginDelivery(key, id, 'n-1', 60, 3600)).toEqual({ kind: 'start', attempt: 1, leaseEndsAt: now + 60_000 });
    expect(take()).toEqual(['UpdateItemCommand']);
    const created = await record(key);
    expect(created).toEqual({
      ...idempotencyRecordKey(key),
      mid: { S: id },
      st: { S: 'delivering' },
      lease: { N: String(now + 60_000) },
      att: { N: '1' },
      expiresAt: { N: String(Math.floor(now / 1000) + 3600) },
      nonce: { S: 'n-1' },
      seen: { SS: ['n-1'] },
    });
    const inline = fresh('k');
    await store.claimInline(inline, id, 'n-1', 60, 3600);
    take();
    expect({ ...(await record(inline)), ...idempotencyRecordKey(key) }).toEqual(created);
    // The next start of the same record (a redelivery after a release) is still one write; its window stays.
    await store.releaseDelivery(key, id, 'n-1', false);
    take();
    now += 1_000;
    expect(await store.beginDelivery(key, id, 'n-2', 60, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
    expect(take()).toEqual(['UpdateItemCommand']);
    expect((await record(key))?.expiresAt).toEqual(created?.expiresAt);
    client.destroy();
  });

  it('a refused start is one UpdateItem and, on an emulator that returns no item with the failed condition, one GetItem', async () => {
    const { client, store, take } = countingStore();
    const id = fresh('msg');
    await store.beginDelivery(`msg#${id}`, id, 'n-1', 60, 3600);
    take();
    expect((await store.beginDelivery(`msg#${id}`, id, 'n-2', 60, 3600)).kind).toBe('busy');
    // dynalite 4.0.0 ignores ReturnValuesOnConditionCheckFailure; DynamoDB returns the item and the read is not sent.
    expect(take()).toEqual(['UpdateItemCommand', 'GetItemCommand']);
    client.destroy();
  });

  it('a record whose window ended, not yet removed by TTL: a fresh record for the delivery, in a second write', async () => {
    const { client, store, take } = countingStore();
    const key = fresh('k');
    await store.beginDelivery(key, 'msg-0', 'n-0', 60, 60);
    now += 61_000 + 60_000;
    take();
    expect(await store.beginDelivery(key, 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'start', attempt: 1, leaseEndsAt: now + 60_000 });
    expect(take()).toEqual(['UpdateItemCommand', 'GetItemCommand', 'UpdateItemCommand']);
    expect(await record(key)).toMatchObject({ mid: { S: 'msg-1' }, att: { N: '1' }, seen: { SS: ['n-1'] }, expiresAt: { N: String(Math.floor(now / 1000) + 3600) } });
    client.destroy();
  });
});
