// Key-ordered listings on Query: the port's exclusive `after` cursor becomes a
// sort-key condition, and one extra item is read to know `hasMore` exactly.
// Where a range bound is inclusive (BETWEEN), the bound items are dropped here.
import { QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Page, PageRequest } from '../../../ports/event-store.js';
import { toWorldError } from '../aws-errors.js';
import type { Item } from './item-mappers.js';

export interface SortRange {
  /** Sort key attribute of the table or index. */
  attr: string;
  /** Only keys with this prefix belong to the listing (steps: `S#`). */
  prefix?: string;
  /** Exclusive lower bound below every listed key (events: `#head`). */
  floor?: string;
}

export interface SortCondition {
  expression?: string;
  values: Record<string, AttributeValue>;
  /** Keys matched by an inclusive bound that are not part of the listing. */
  excluded: string[];
  /** The cursor lies outside the range: the page is empty without asking. */
  empty: boolean;
}

/** Builds the sort-key half of a KeyConditionExpression. `after` is a raw sort key value. */
export function sortCondition(range: SortRange, order: 'asc' | 'desc', after?: string): SortCondition {
  const { attr, prefix, floor } = range;
  const none: SortCondition = { values: {}, excluded: [], empty: false };
  if (after === undefined) {
    if (prefix !== undefined) return { ...none, expression: `begins_with(${attr}, :prefix)`, values: { ':prefix': { S: prefix } } };
    if (floor !== undefined) return { ...none, expression: `${attr} > :floor`, values: { ':floor': { S: floor } } };
    return none;
  }
  const lower = prefix ?? floor;
  if (order === 'asc') {
    if (prefix !== undefined) {
      const upper = prefixUpperBound(prefix);
      if (after >= upper) return { ...none, empty: true };
      const from = after < prefix ? prefix : after;
      return {
        expression: `${attr} BETWEEN :after AND :upper`,
        values: { ':after': { S: from }, ':upper': { S: upper } },
        excluded: [after, upper],
        empty: false,
      };
    }
    if (floor !== undefined && after < floor) return sortCondition(range, order);
    return { ...none, expression: `${attr} > :after`, values: { ':after': { S: after } } };
  }
  if (lower !== undefined) {
    if (after <= lower) return { ...none, empty: true };
    return {
      expression: `${attr} BETWEEN :lower AND :after`,
      values: { ':lower': { S: lower }, ':after': { S: after } },
      excluded: floor !== undefined ? [after, floor] : [after],
      empty: false,
    };
  }
  return { ...none, expression: `${attr} < :after`, values: { ':after': { S: after } } };
}

/** The smallest string greater than every string starting with `prefix`. */
export function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

const FILTERED_READ_STEP = 100;

export interface ListQuery {
  /** Everything but Limit and ExclusiveStartKey. */
  input: QueryCommandInput;
  sortAttr: string;
  excluded: readonly string[];
}

/**
 * Reads up to `want` items of one Query, following LastEvaluatedKey when a
 * page comes back short (1 MB cap, filter expressions, dropped bounds).
 * `complete` is true when the query has nothing after the returned items.
 */
export async function collect(client: DynamoDBClient, query: ListQuery, want: number): Promise<{ items: Item[]; complete: boolean }> {
  const items: Item[] = [];
  const excluded = new Set(query.excluded);
  let start: Record<string, AttributeValue> | undefined;
  do {
    const remaining = want - items.length + excluded.size;
    const output = await send(client, {
      ...query.input,
      // A filter discards items after they are read; read in larger steps then.
      Limit: query.input.FilterExpression ? Math.max(remaining, FILTERED_READ_STEP) : remaining,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of output.Items ?? []) {
      const key = item[query.sortAttr]?.S;
      if (key !== undefined && excluded.has(key)) continue;
      if (items.length < want) items.push(item);
      else return { items, complete: false };
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined && items.length < want);
  return { items, complete: start === undefined };
}

/** One page of one Query: `limit` items, plus one read ahead for `hasMore`. */
export async function queryPage<T>(
  client: DynamoDBClient,
  query: ListQuery,
  page: PageRequest,
  map: (item: Item) => T,
  keyOf: (item: Item) => string,
): Promise<Page<T>> {
  const { items } = await collect(client, query, page.limit + 1);
  return toPage(items, page.limit, map, keyOf);
}

/**
 * Sharded listings: each shard returns its own first `limit + 1` items in
 * order, so the first `limit + 1` of their merge are the global ones.
 */
export async function queryShards<T>(
  client: DynamoDBClient,
  queries: ListQuery[],
  page: PageRequest,
  map: (item: Item) => T,
  keyOf: (item: Item) => string,
): Promise<Page<T>> {
  const results = await Promise.all(queries.map((query) => collect(client, query, page.limit + 1)));
  const direction = page.order === 'desc' ? -1 : 1;
  const merged = results
    .flatMap((result) => result.items)
    .sort((a, b) => direction * (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return toPage(merged, page.limit, map, keyOf);
}

export function toPage<T>(items: Item[], limit: number, map: (item: Item) => T, keyOf: (item: Item) => string): Page<T> {
  const kept = items.slice(0, limit);
  const last = kept.at(-1);
  return { items: kept.map(map), lastKey: last === undefined ? null : keyOf(last), hasMore: items.length > limit };
}

async function send(client: DynamoDBClient, input: QueryCommandInput) {
  try {
    return await client.send(new QueryCommand(input));
  } catch (error) {
    throw toWorldError(error, 'DynamoDB.Query');
  }
}

/** Every item of a query, following LastEvaluatedKey (just the first page when `Limit` is set). */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const output = await send(client, { ...input, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...(output.Items ?? []));
    start = input.Limit !== undefined ? undefined : output.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

export function emptyPage<T>(): Page<T> {
  return { items: [], lastKey: null, hasMore: false };
}
