// The writes that move a stream's end. Each is one request that lands only if
// its first index is still the stream's end: every item is put with
// attribute_not_exists, and an index below the end always holds an item.
//   'taken':    an item already holds one of the indexes, so the first one is
//               below the end: another writer, or the EOF, got there first.
//   'conflict': another transaction was writing one of them at that moment;
//               it may yet fail, so nothing is known about the end.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  PutItemCommand,
  TransactWriteItemsCommand,
  type CancellationReason,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { WorkflowWorldError } from '@workflow/errors';
import { awsErrorName, throttled, toWorldError } from '../aws-errors.js';
import { MAX_TRANSACTION_ACTIONS } from '../dynamodb/tables.js';
import { ATTR, chunkItem, chunkSizeBound, endItem, headItem, type Item } from './stream-items.js';

export type WriteOutcome = 'written' | 'taken' | 'conflict';

/** Under DynamoDB's 4 MB per transaction, with room for request overhead. */
const MAX_TRANSACTION_BYTES = 4_000_000;
const TRANSACT = 'DynamoDB.TransactWriteItems';
const THROTTLE_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const IF_NEW = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': ATTR.pk } };

/**
 * Splits an append into the runs that each fit one transaction (100 items,
 * 4 MB). Each run lands contiguously; a writer in another process may land
 * between two runs of one large append.
 */
export function transactionRuns(name: string, runId: string, chunks: Uint8Array[]): Uint8Array[][] {
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const size = chunkSizeBound(name, runId, chunk);
    if (run.length > 0 && (run.length === MAX_TRANSACTION_ACTIONS || bytes + size > MAX_TRANSACTION_BYTES)) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(chunk);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Puts `chunks` at `first`, `first + 1`, …: one PutItem for one chunk, else one transaction. */
export function putChunks(
  client: DynamoDBClient,
  table: string,
  name: string,
  runId: string,
  first: number,
  chunks: Uint8Array[],
): Promise<WriteOutcome> {
  const items = chunks.map((data, i) => chunkItem(name, runId, first + i, data));
  if (items.length === 1) return putOne(client, table, items[0]!);
  return transact(client, items.map((Item) => ({ Put: { TableName: table, Item, ...IF_NEW } })));
}

/** Puts the end items at `eof` and `eof + 1` and the head, together: the stream is closed at `eof`. */
export function putEof(client: DynamoDBClient, table: string, name: string, runId: string, eof: number, now: number): Promise<WriteOutcome> {
  return transact(client, [
    { Put: { TableName: table, Item: endItem(name, eof, eof), ...IF_NEW } },
    { Put: { TableName: table, Item: endItem(name, eof + 1, eof), ...IF_NEW } },
    { Put: { TableName: table, Item: headItem(name, runId, eof, now), ...IF_NEW } },
  ]);
}

async function putOne(client: DynamoDBClient, table: string, item: Item): Promise<WriteOutcome> {
  // Names this request, so a resend by the SDK after a lost response can tell its own item apart.
  const writer = randomBytes(9).toString('base64url');
  try {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...item, [ATTR.writer]: { S: writer } },
        ...IF_NEW,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'written';
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'ConditionalCheckFailedException') {
      return (error as { Item?: Item }).Item?.[ATTR.writer]?.S === writer ? 'written' : 'taken';
    }
    if (name === 'TransactionConflictException') return 'conflict';
    throw toWorldError(error, 'DynamoDB.PutItem');
  }
}

async function transact(client: DynamoDBClient, actions: TransactWriteItem[]): Promise<WriteOutcome> {
  try {
    // The token makes the SDK's own resends idempotent: a transaction that landed is not applied twice.
    await client.send(new TransactWriteItemsCommand({ TransactItems: actions, ClientRequestToken: randomUUID() }));
    return 'written';
  } catch (error) {
    if (awsErrorName(error) !== 'TransactionCanceledException') throw toWorldError(error, TRANSACT);
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const codes = reasons.map((r) => r.Code).filter((code): code is string => code !== undefined && code !== 'None');
    if (codes.includes('ConditionalCheckFailed')) return 'taken';
    if (codes.includes('TransactionConflict')) return 'conflict';
    if (codes.some((code) => THROTTLE_CODES.has(code))) throw throttled(`${TRANSACT} cancelled: throttled`);
    const code = codes[0] ?? 'TransactionCanceled';
    // Nothing was written, so only a malformed request is worth not retrying.
    throw new WorkflowWorldError(`${TRANSACT} cancelled: ${code}`, { status: code === 'ValidationError' ? 400 : 503, code, cause: error });
  }
}
