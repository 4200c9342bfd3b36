// BatchGetItem / BatchWriteItem may leave part of a request unprocessed (under
// throttling, or over the 16 MB response limit); both helpers resubmit the
// remainder with backoff until it is done or the attempts run out.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { jitteredPauseMs } from '../../../domain/backoff.js';
import type { Clock } from '../../../ports/clock.js';
import { SystemClock } from '../../system/system-clock.js';
import { throttled, toWorldError } from '../aws-errors.js';
import type { Item } from './item-mappers.js';
import { MAX_BATCH_GET, MAX_BATCH_WRITE } from './tables.js';

export interface BatchRetry {
  attempts: number;
  baseDelayMs: number;
  /** Pauses between resubmissions. Default: the system clock's. */
  sleep?: Clock['sleep'];
  /** In [0, 1), for the jitter. Default Math.random. */
  random?: () => number;
}

export const DEFAULT_BATCH_RETRY: BatchRetry = { attempts: 8, baseDelayMs: 25 };

const systemClock = new SystemClock();
/** Full jitter, capped at one second. */
const BACKOFF_CAP_MS = 1000;

/**
 * Sends `first`, then whatever each response left unprocessed, with backoff,
 * until nothing is left; a ThrottleError when attempts run out.
 */
async function untilProcessed<P extends object>(
  operation: string,
  retry: BatchRetry,
  first: P,
  send: (pending: P) => Promise<P | undefined>,
): Promise<void> {
  let pending: P | undefined = first;
  for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
    if (attempt >= retry.attempts) throw throttled(`DynamoDB.${operation} left requests unprocessed`);
    if (attempt > 0) {
      const pause = jitteredPauseMs(attempt, { baseMs: retry.baseDelayMs, capMs: BACKOFF_CAP_MS }, retry.random ?? Math.random);
      await (retry.sleep ?? ((ms) => systemClock.sleep(ms)))(pause);
    }
    try {
      pending = await send(pending);
    } catch (error) {
      throw toWorldError(error, `DynamoDB.${operation}`);
    }
  }
}

/** Consistent reads of keys across tables; returns items per table. */
export async function batchGetAll(
  client: DynamoDBClient,
  request: Record<string, KeysAndAttributes>,
  retry: BatchRetry = DEFAULT_BATCH_RETRY,
): Promise<Record<string, Item[]>> {
  const found: Record<string, Item[]> = Object.fromEntries(Object.keys(request).map((table) => [table, []]));
  await untilProcessed('BatchGetItem', retry, request, async (pending) => {
    const output = await client.send(new BatchGetItemCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(output.Responses ?? {})) (found[table] ??= []).push(...items);
    return output.UnprocessedKeys;
  });
  return found;
}

/** Splits `keys` of one table into BatchGetItem-sized consistent reads, run in parallel. */
export async function getMany(client: DynamoDBClient, table: string, keys: Item[], retry?: BatchRetry): Promise<Item[]> {
  const chunks = chunk(keys, MAX_BATCH_GET);
  const pages = await Promise.all(
    chunks.map((part) => batchGetAll(client, { [table]: { Keys: part, ConsistentRead: true } }, retry)),
  );
  return pages.flatMap((page) => page[table] ?? []);
}

export async function writeAll(client: DynamoDBClient, table: string, requests: WriteRequest[], retry: BatchRetry = DEFAULT_BATCH_RETRY): Promise<void> {
  for (const part of chunk(requests, MAX_BATCH_WRITE)) {
    await untilProcessed('BatchWriteItem', retry, { [table]: part }, async (pending) => {
      const output = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
      return output.UnprocessedItems;
    });
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
