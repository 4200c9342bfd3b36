export { BY_RUN_INDEX, DEFAULT_GAP_TIMEOUT_MS, DynamoDbStreamStore, type DynamoDbStreamStoreOptions } from './dynamodb-stream-store.js';
export { DEFAULT_BATCH_RETRY, type BatchRetry } from './batch-put.js';
export { HEAD_SK } from './stream-items.js';
