// StreamStore on the DynamoDB streams table. docs/streams.md explains the
// design; stream-items.ts the item layout.
//
// append: one UpdateItem on the head reserves a range of indexes atomically
//   (ADD next :n, refused once the stream is closed), then BatchWriteItem
//   writes the chunks at those indexes.
// close:  one conditional UpdateItem copies `next` into `eof`; the first wins.
// read:   one ConsistentRead Query from the wanted index; readers return only
//   the contiguous run of written chunks, so a reserved index that is not
//   written yet is waited for, never skipped.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../ports/clock.js';
import type { Logger } from '../../../ports/logger.js';
import type { StoredChunk, StreamStore } from '../../../ports/stream-store.js';
import { toWorldError } from '../aws-errors.js';
import { batchPut, DEFAULT_BATCH_RETRY, type BatchRetry } from './batch-put.js';
import { GapTracker } from './gap-tracker.js';
import {
  ATTR,
  chunkData,
  chunkItem,
  dataCountOf,
  gapItem,
  HEAD_SK,
  n,
  parseHead,
  skOf,
  streamKey,
  type HeadState,
  type Item,
} from './stream-items.js';

/**
 * How long readers wait for a reserved index before recording it as a gap.
 * A live writer fills its range within its own retry budget (seconds); this
 * only ends the wait for one that died between reserving and writing.
 */
export const DEFAULT_GAP_TIMEOUT_MS = 30_000;
/** Gaps a single read may record before returning what it has. */
const MAX_GAPS_PER_READ = 25;
export const BY_RUN_INDEX = 'byRun';

export interface DynamoDbStreamStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock: Clock;
  logger?: Logger;
  gapTimeoutMs?: number;
  batchRetry?: BatchRetry;
}

interface Scan {
  chunks: StoredChunk[];
  /** null: the stream has no head (never written). */
  head: HeadState | null;
  /** First reserved index that has no item yet. */
  gapAt?: number;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';

export class DynamoDbStreamStore implements StreamStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly gapTimeoutMs: number;
  private readonly batchRetry: BatchRetry;
  private readonly gaps = new GapTracker();

  constructor(options: DynamoDbStreamStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.clock = options.clock;
    this.logger = options.logger;
    this.gapTimeoutMs = options.gapTimeoutMs ?? DEFAULT_GAP_TIMEOUT_MS;
    this.batchRetry = options.batchRetry ?? DEFAULT_BATCH_RETRY;
  }

  async append(name: string, runId: string, chunks: Uint8Array[]): Promise<void> {
    if (chunks.length === 0) return;
    const first = await this.reserve(name, runId, chunks.length);
    if (first === undefined) return; // closed: data after the first EOF is ignored
    await batchPut(
      this.client,
      this.table,
      chunks.map((data, i) => chunkItem(name, first + i, data)),
      this.clock,
      this.batchRetry,
    );
  }

  /** First index of a freshly reserved range of `count`, or undefined when the stream is closed. */
  private async reserve(name: string, runId: string, count: number): Promise<number | undefined> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: streamKey(name, HEAD_SK),
          UpdateExpression: 'SET #runId = if_not_exists(#runId, :runId), #reservedAt = :now ADD #next :count',
          ConditionExpression: 'attribute_not_exists(#eof)',
          ExpressionAttributeNames: { '#runId': ATTR.runId, '#reservedAt': ATTR.reservedAt, '#next': ATTR.next, '#eof': ATTR.eof },
          ExpressionAttributeValues: { ':runId': { S: runId }, ':now': n(this.clock.now()), ':count': n(count) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const next = Number(out.Attributes?.[ATTR.next]?.N);
      if (!Number.isSafeInteger(next)) throw new Error('UpdateItem returned no counter');
      return next - count;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw toWorldError(error, 'DynamoDB.UpdateItem');
    }
  }

  async close(name: string, runId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: streamKey(name, HEAD_SK),
          // Fixes the data count at everything reserved so far; later reservations are refused.
          UpdateExpression: 'SET #eof = if_not_exists(#next, :zero), #runId = if_not_exists(#runId, :runId), #closedAt = :now',
          ConditionExpression: 'attribute_not_exists(#eof)',
          ExpressionAttributeNames: { '#eof': ATTR.eof, '#next': ATTR.next, '#runId': ATTR.runId, '#closedAt': ATTR.closedAt },
          ExpressionAttributeValues: { ':zero': n(0), ':runId': { S: runId }, ':now': n(this.clock.now()) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // already closed: the first EOF wins
      throw toWorldError(error, 'DynamoDB.UpdateItem');
    }
  }

  async read(name: string, fromIndex: number, limit: number): Promise<{ chunks: StoredChunk[]; done: boolean; dataCount: number }> {
    const from = Math.max(0, fromIndex);
    const want = Math.max(0, limit);
    const chunks: StoredChunk[] = [];
    let scan: Scan;
    for (let recorded = 0; ; recorded++) {
      scan = await this.scan(name, from + chunks.length, want - chunks.length);
      chunks.push(...scan.chunks);
      if (scan.gapAt === undefined) {
        this.gaps.clear(name);
        break;
      }
      if (recorded >= MAX_GAPS_PER_READ || !(await this.settleGap(name, scan.gapAt, scan.head))) break;
    }
    return { chunks, done: scan.head?.eof !== undefined, dataCount: dataCountOf(scan.head) };
  }

  /** Contiguous written chunks from `from` (at most `limit`), the head, and the first unwritten reserved index. */
  private async scan(name: string, from: number, limit: number): Promise<Scan> {
    const chunks: StoredChunk[] = [];
    let head: HeadState | null | undefined;
    let gapAt: number | undefined;
    let startKey: Item | undefined;
    let complete = false; // the whole range up to and including the head was seen
    outer: for (;;) {
      let out;
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: '#pk = :pk AND #sk >= :from',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
            ExpressionAttributeValues: { ':pk': { S: name }, ':from': n(from) },
            ConsistentRead: true,
            // One more than the chunks still wanted, so the head comes along at the tail.
            Limit: limit - chunks.length + 1,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw toWorldError(error, 'DynamoDB.Query');
      }
      for (const item of out.Items ?? []) {
        const sk = skOf(item);
        if (sk === HEAD_SK) {
          head = parseHead(item);
          complete = true;
          break outer;
        }
        if (chunks.length >= limit) break outer;
        const expected = from + chunks.length;
        if (sk !== expected) {
          gapAt = expected;
          break outer;
        }
        chunks.push({ index: sk, data: chunkData(item) });
      }
      if (!out.LastEvaluatedKey) {
        complete = true; // no head item: the stream was never written
        break;
      }
      startKey = out.LastEvaluatedKey;
    }
    if (head === undefined) head = complete ? null : await this.getHead(name, true);
    const bound = dataCountOf(head);
    const readable = chunks.filter((c) => c.index < bound);
    const end = from + readable.length;
    if (gapAt === undefined && readable.length < limit && end < bound) gapAt = end;
    return { chunks: readable, head, gapAt };
  }

  /**
   * Records a long-missing reserved index as a gap (an empty chunk) once it
   * is older than the timeout. Conditional, so a chunk that lands first wins.
   * Returns whether the caller should read again.
   */
  private async settleGap(name: string, index: number, head: HeadState | null): Promise<boolean> {
    const now = this.clock.now();
    if (this.gaps.age(name, index, now, head?.reservedAt) < this.gapTimeoutMs) return false;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: gapItem(name, index),
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': ATTR.sk },
        }),
      );
      this.logger?.warn('stream index never written; recorded as a gap', { stream: name, index, timeoutMs: this.gapTimeoutMs });
    } catch (error) {
      if (!isConditionFailure(error)) throw toWorldError(error, 'DynamoDB.PutItem');
    }
    this.gaps.clear(name);
    return true;
  }

  async info(name: string): Promise<{ dataCount: number; done: boolean }> {
    const head = await this.getHead(name, false);
    return { dataCount: dataCountOf(head), done: head?.eof !== undefined };
  }

  private async getHead(name: string, withReservedAt: boolean): Promise<HeadState | null> {
    let out;
    try {
      out = await this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: streamKey(name, HEAD_SK),
          ConsistentRead: true,
          ProjectionExpression: withReservedAt ? '#next, #eof, #reservedAt' : '#next, #eof',
          ExpressionAttributeNames: withReservedAt
            ? { '#next': ATTR.next, '#eof': ATTR.eof, '#reservedAt': ATTR.reservedAt }
            : { '#next': ATTR.next, '#eof': ATTR.eof },
        }),
      );
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.GetItem');
    }
    return out.Item ? parseHead(out.Item) : null;
  }

  async listByRun(runId: string): Promise<string[]> {
    const names = new Set<string>();
    let startKey: Item | undefined;
    do {
      let out;
      try {
        // Only head items carry runId, so the index holds one entry per stream.
        out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: BY_RUN_INDEX,
            KeyConditionExpression: '#runId = :runId',
            ExpressionAttributeNames: { '#runId': ATTR.runId },
            ExpressionAttributeValues: { ':runId': { S: runId } },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw toWorldError(error, 'DynamoDB.Query');
      }
      for (const item of out.Items ?? []) if (item[ATTR.pk]?.S) names.add(item[ATTR.pk]!.S!);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return [...names];
  }
}
