// StreamStore on the DynamoDB streams table. docs/streams.md explains the
// design; stream-items.ts the item layout.
//
// append: one conditional write at the index where this process last saw the
//   stream end (PutItem for one chunk, TransactWriteItems for several). If
//   another writer got there first, try the next index, then look the end up.
// close:  the same, with the two end items and the head in one transaction;
//   the first EOF takes the index, so the first close wins.
// read:   one ConsistentRead Query from the wanted index returns the chunks,
//   then the end items and the head if the stream is closed.
import { QueryCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../../ports/clock.js';
import type { Logger } from '../../../ports/logger.js';
import type { StoredChunk, StreamStore } from '../../../ports/stream-store.js';
import { throttled, toWorldError } from '../aws-errors.js';
import { EndCache } from './end-cache.js';
import { ATTR, chunkData, endFromLast, eofOf, n, skOf, type Item, type StreamEnd } from './stream-items.js';
import { putChunks, putEof, transactionRuns, type WriteOutcome } from './stream-writes.js';

export const BY_RUN_INDEX = 'byRun';
/**
 * Attempts one write makes before giving up (retryably). In a local test, 16
 * writers appending back to back to one stream needed at most 37.
 */
export const MAX_WRITE_ATTEMPTS = 100;

export interface DynamoDbStreamStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock: Clock;
  logger?: Logger;
}

export class DynamoDbStreamStore implements StreamStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly ends = new EndCache();

  constructor(options: DynamoDbStreamStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  async append(name: string, runId: string, chunks: Uint8Array[]): Promise<void | 'closed'> {
    for (const run of transactionRuns(name, runId, chunks)) {
      const first = await this.writeAtEnd(name, (at) => putChunks(this.client, this.table, name, runId, at, run));
      if (first === undefined) return 'closed'; // nothing lands after the first EOF
      this.ends.set(name, { next: first + run.length, closed: false });
    }
  }

  async close(name: string, runId: string): Promise<void> {
    const eof = await this.writeAtEnd(name, (at) => putEof(this.client, this.table, name, runId, at, this.clock.now()));
    if (eof !== undefined) this.ends.set(name, { next: eof, closed: true });
  }

  /**
   * Runs `write` at the stream's end until it lands; the index it landed at,
   * or undefined once the stream is closed.
   *
   * After losing the index it knew to be the end, a writer races for the
   * next one at once, without a lookup: a winner that writes on goes there
   * too, so the race is fair. Looking the end up first would leave it one
   * round trip behind a busy winner every time, and starve it. It guesses
   * once, then looks up: the EOF takes two indexes, so a guess past a
   * closed stream's end fails as well, and nothing lands after the EOF.
   */
  private async writeAtEnd(name: string, write: (at: number) => Promise<WriteOutcome>): Promise<number | undefined> {
    let end = this.ends.get(name) ?? (await this.locateEnd(name));
    let guess = false;
    for (let attempt = 1; ; attempt++) {
      if (end.closed) {
        this.ends.set(name, end);
        return undefined;
      }
      const outcome = await write(end.next);
      if (outcome === 'written') return end.next;
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        this.logger?.warn('stream write lost every race for the end of the stream', { stream: name, attempts: attempt });
        throw throttled(`Stream write lost ${attempt} races for the end of the stream to other writers`);
      }
      // Only a lost race at a known end proves the index taken, and so the next one at most the end.
      guess = outcome === 'taken' && !guess;
      end = guess ? { next: end.next + 1, closed: false } : await this.locateEnd(name);
    }
  }

  /** The stream's last item says where it ends: one strongly consistent Query, newest first. */
  private async locateEnd(name: string): Promise<StreamEnd> {
    const out = await this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk, '#eof': ATTR.eof, '#end': ATTR.end },
      ExpressionAttributeValues: { ':pk': { S: name } },
      // Read capacity is charged for the whole item anyway; this only keeps chunk bytes off the wire.
      ProjectionExpression: '#sk, #eof, #end',
      ScanIndexForward: false,
      Limit: 1,
    });
    return endFromLast(out.Items?.[0]);
  }

  async read(name: string, fromIndex: number, limit: number): Promise<{ chunks: StoredChunk[]; done: boolean; dataCount: number }> {
    const from = Math.max(0, fromIndex);
    const want = Math.max(0, limit);
    const chunks: StoredChunk[] = [];
    let eof: number | undefined;
    let cut = false; // stopped before the stream's last item
    let startKey: Item | undefined;
    pages: do {
      const out = await this.query({
        KeyConditionExpression: '#pk = :pk AND #sk >= :from',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
        ExpressionAttributeValues: { ':pk': { S: name }, ':from': n(from) },
        // One more than the chunks still wanted, so the end item comes along when it is next.
        Limit: want - chunks.length + 1,
        ExclusiveStartKey: startKey,
      });
      for (const item of out.Items ?? []) {
        eof = eofOf(item);
        if (eof !== undefined) break pages;
        // The chunks of one transaction can become visible one by one: never return past a missing index.
        if (chunks.length >= want || skOf(item) !== from + chunks.length) {
          cut = true;
          break pages;
        }
        chunks.push({ index: skOf(item), data: chunkData(item) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    if (eof !== undefined) return { chunks, done: true, dataCount: eof };
    if (cut) {
      const end = await this.locateEnd(name);
      return { chunks, done: end.closed, dataCount: end.next };
    }
    // Open, with nothing after what was read: exact when chunks came back, a lower bound when none did.
    return { chunks, done: false, dataCount: chunks.length > 0 ? from + chunks.length : 0 };
  }

  async info(name: string): Promise<{ dataCount: number; done: boolean }> {
    const end = await this.locateEnd(name);
    return { dataCount: end.next, done: end.closed };
  }

  async listByRun(runId: string): Promise<string[]> {
    const names = new Set<string>();
    let startKey: Item | undefined;
    do {
      let out;
      try {
        // Chunk 0 and the head carry runId: at most two entries per stream.
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

  private async query(input: Omit<QueryCommandInput, 'TableName' | 'ConsistentRead'>) {
    try {
      return await this.client.send(new QueryCommand({ TableName: this.table, ConsistentRead: true, ...input }));
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.Query');
    }
  }
}
