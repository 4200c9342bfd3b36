// Idempotency claims in the steps table of the local DynamoDB.
import { jest } from '@jest/globals';
import { DynamoDbIdempotencyStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { startLocalEventStore, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(30_000);

let local: LocalEventStore;
let now = Date.UTC(2030, 0, 1);
let store: DynamoDbIdempotencyStore;
beforeAll(async () => {
  local = await startLocalEventStore();
  store = new DynamoDbIdempotencyStore(local.client, local.aws.names.tables.steps, () => now);
});
afterAll(async () => {
  await local.stop();
});

describe('DynamoDbIdempotencyStore on local DynamoDB', () => {
  it('one owner per key within the window; the owner may claim again; expiry frees it', async () => {
    expect(await store.claim('step:k1', 'msg-1', 60)).toBe(true);
    expect(await store.claim('step:k1', 'msg-2', 60)).toBe(false);
    expect(await store.claim('step:k1', 'msg-1', 60)).toBe(true);
    now += 61_000;
    expect(await store.claim('step:k1', 'msg-2', 60)).toBe(true);
    expect(await store.claim('step:k1', 'msg-1', 60)).toBe(false);
  });

  it('concurrent claims of one key: exactly one owner wins', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim('step:race', `msg-${i}`, 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('very long keys are hashed into a valid partition key', async () => {
    const long = 'k'.repeat(3000);
    expect(await store.claim(long, 'a', 60)).toBe(true);
    expect(await store.claim(long, 'b', 60)).toBe(false);
  });
});
