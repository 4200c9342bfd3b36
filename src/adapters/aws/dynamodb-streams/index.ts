export { BY_RUN_INDEX, DynamoDbStreamStore, MAX_WRITE_ATTEMPTS, type DynamoDbStreamStoreOptions } from './dynamodb-stream-store.js';
export { HEAD_SK } from './stream-items.js';
