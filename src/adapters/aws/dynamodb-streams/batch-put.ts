// Writes chunk items with BatchWriteItem (25 per request, requests in
// parallel) and re-sends whatever DynamoDB leaves unprocessed, with jittered
// exponential backoff. Indexes are already reserved, so order between
// requests does not matter: readers wait for each index in turn.
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../ports/clock.js';
import { throttled, toWorldError } from '../aws-errors.js';
import { MAX_BATCH_WRITE } from '../dynamodb/tables.js';
import type { Item } from './stream-items.js';

export interface BatchRetry {
  /** Sends of one batch, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** At most about 5 s of backoff in all before giving up on unprocessed items. */
export const DEFAULT_BATCH_RETRY: BatchRetry = { attempts: 8, baseMs: 50, maxMs: 2000 };

export async function batchPut(client: DynamoDBClient, table: string, items: Item[], clock: Clock, retry: BatchRetry): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_WRITE) batches.push(items.slice(i, i + MAX_BATCH_WRITE));
  await Promise.all(batches.map((batch) => putBatch(client, table, batch, clock, retry)));
}

async function putBatch(client: DynamoDBClient, table: string, items: Item[], clock: Clock, retry: BatchRetry): Promise<void> {
  let pending: WriteRequest[] = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; ; attempt++) {
    let out;
    try {
      out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.BatchWriteItem');
    }
    pending = out.UnprocessedItems?.[table] ?? [];
    if (pending.length === 0) return;
    if (attempt >= retry.attempts) {
      throw throttled(`DynamoDB.BatchWriteItem left ${pending.length} stream chunks unprocessed after ${attempt} attempts`);
    }
    const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
    await clock.sleep(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
