// Item layout of the streams table (TABLES.streams: pk = stream name, sk = N).
//
//   head   sk = HEAD_SK   next (N, indexes reserved so far), eof (N, data count
//                         at the first close), runId (S, the byRun GSI key),
//                         reservedAt / closedAt (N, epoch ms)
//   chunk  sk = 0, 1, …   d (B, the chunk; absent when empty)
//   gap    sk = i         gap (BOOL): a reserved index whose writer never
//                         wrote it, recorded so every reader skips it alike
//
// The head sorts after every chunk, so one ascending Query from any index
// returns the chunks and then the head: an idle tail poll is a single request.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Above any chunk index a stream can reach. */
export const HEAD_SK = Number.MAX_SAFE_INTEGER;

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  data: 'd',
  gap: 'gap',
  next: 'next',
  eof: 'eof',
  runId: 'runId',
  reservedAt: 'reservedAt',
  closedAt: 'closedAt',
} as const;

export type Item = Record<string, AttributeValue>;

export interface HeadState {
  /** Indexes reserved so far; chunks below it are written or about to be. */
  next: number;
  /** Data count fixed by the first close. */
  eof?: number;
  /** When the newest reservation was made (epoch ms). */
  reservedAt?: number;
}

export const n = (value: number): AttributeValue => ({ N: String(value) });

export function streamKey(name: string, sk: number): Item {
  return { [ATTR.pk]: { S: name }, [ATTR.sk]: n(sk) };
}

export function chunkItem(name: string, index: number, data: Uint8Array): Item {
  // Empty binary values are omitted rather than stored: the absence reads back as empty.
  return data.byteLength === 0 ? streamKey(name, index) : { ...streamKey(name, index), [ATTR.data]: { B: data } };
}

export function gapItem(name: string, index: number): Item {
  return { ...streamKey(name, index), [ATTR.gap]: { BOOL: true } };
}

export const skOf = (item: Item): number => Number(item[ATTR.sk]?.N);

export const chunkData = (item: Item): Uint8Array => item[ATTR.data]?.B ?? new Uint8Array(0);

const optionalNumber = (value: AttributeValue | undefined): number | undefined => (value?.N === undefined ? undefined : Number(value.N));

export function parseHead(item: Item): HeadState {
  return {
    next: optionalNumber(item[ATTR.next]) ?? 0,
    eof: optionalNumber(item[ATTR.eof]),
    reservedAt: optionalNumber(item[ATTR.reservedAt]),
  };
}

/** Data count readers see: fixed at close, else everything reserved. */
export const dataCountOf = (head: HeadState | null): number => (head === null ? 0 : (head.eof ?? head.next));
