export { createDynamoDbClient } from './client.js';
export { DynamoDbEventStore, type DynamoDbEventStoreOptions } from './dynamodb-event-store.js';
export { DynamoDbIdempotencyStore } from './dynamodb-idempotency-store.js';
export type { EventStoreTables } from './tables.js';
export { ProjectionLog, type ProjectionLogOptions } from './projection-log.js';
