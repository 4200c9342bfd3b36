// Item layout of the streams table (TABLES.streams: pk = stream name, sk = N).
//
//   chunk  sk = 0, 1, …   d (B, the chunk; absent when empty); the chunk at
//                         index 0 also carries runId (S, the byRun GSI key);
//                         w (S) names the PutItem that wrote it
//   end    sk = eof and   end (N, = eof): the EOF, at the two indexes after
//          sk = eof + 1   the last chunk. Writers only ever try the end they
//                         know or one past it, so no chunk can land there or later
//   head   sk = HEAD_SK   eof (N, the data count), runId (S), closedAt (N);
//                         written with the end item, so it exists only once
//                         the stream is closed
//
// Indexes are dense: an item is only ever put, conditionally, at the index
// after the last one. So the last item tells where a stream ends, and one
// ascending Query from any index returns chunks, then the end, then the head.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Above any chunk index a stream can reach. */
export const HEAD_SK = Number.MAX_SAFE_INTEGER;

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  data: 'd',
  writer: 'w',
  end: 'end',
  eof: 'eof',
  runId: 'runId',
  closedAt: 'closedAt',
} as const;

export type Item = Record<string, AttributeValue>;

/** Where a stream ends: the next free index, and whether that index holds the EOF. */
export interface StreamEnd {
  next: number;
  closed: boolean;
}

export const n = (value: number): AttributeValue => ({ N: String(value) });

export function streamKey(name: string, sk: number): Item {
  return { [ATTR.pk]: { S: name }, [ATTR.sk]: n(sk) };
}

export function chunkItem(name: string, runId: string, index: number, data: Uint8Array): Item {
  const item = streamKey(name, index);
  // Empty binary values are omitted rather than stored: the absence reads back as empty.
  if (data.byteLength > 0) item[ATTR.data] = { B: data };
  // One GSI entry per stream while it is open; the head adds the second at close.
  if (index === 0) item[ATTR.runId] = { S: runId };
  return item;
}

export const endItem = (name: string, sk: number, eof: number): Item => ({ ...streamKey(name, sk), [ATTR.end]: n(eof) });

export function headItem(name: string, runId: string, eof: number, closedAt: number): Item {
  return { ...streamKey(name, HEAD_SK), [ATTR.eof]: n(eof), [ATTR.runId]: { S: runId }, [ATTR.closedAt]: n(closedAt) };
}

/** Bytes a chunk item counts for against a transaction's 4 MB limit, from above. */
export const chunkSizeBound = (name: string, runId: string, data: Uint8Array): number =>
  data.byteLength + Buffer.byteLength(name) + Buffer.byteLength(runId) + 64;

export const skOf = (item: Item): number => Number(item[ATTR.sk]?.N);

export const chunkData = (item: Item): Uint8Array => item[ATTR.data]?.B ?? new Uint8Array(0);

/** The data count if `item` marks the EOF (the end item or the head), else undefined. */
export function eofOf(item: Item): number | undefined {
  const sk = skOf(item);
  if (sk === HEAD_SK) return Number(item[ATTR.eof]?.N);
  return item[ATTR.end]?.N === undefined ? undefined : Number(item[ATTR.end].N);
}

/** Where the stream ends, from its last item (undefined: the stream has no items). */
export function endFromLast(item: Item | undefined): StreamEnd {
  if (!item) return { next: 0, closed: false };
  const eof = eofOf(item);
  return eof === undefined ? { next: skOf(item) + 1, closed: false } : { next: eof, closed: true };
}
