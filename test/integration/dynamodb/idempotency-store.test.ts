// Send claims, delivery leases and wake-up marks in the steps table of the local DynamoDB.
import { jest } from '@jest/globals';
import { DynamoDbIdempotencyStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { idempotencyStoreContract } from '../../support/idempotency-store-contract.js';
import { startLocalEventStore, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(30_000);

let local: LocalEventStore;
let now = Date.UTC(2030, 0, 1);
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

describe('DynamoDbIdempotencyStore on local DynamoDB', () => {
  idempotencyStoreContract(() => ({
    store: new DynamoDbIdempotencyStore(local.client, local.aws.names.tables.steps, { now: () => now, sleep: async () => undefined }),
    advance: (ms) => {
      now += ms;
    },
  }));
});
