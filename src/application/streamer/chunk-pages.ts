// getStreamChunks: a snapshot page of already-written chunks. The cursor is
// opaque (domain cursor codec) and carries the next index to return.
import { WorkflowWorldError } from '@workflow/errors';
import type { GetChunksOptions, StreamChunksResponse } from '@workflow/world';
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import type { StreamStore } from '../../ports/stream-store.js';
import type { ChunkClaimCheck } from './claim-check.js';

export const DEFAULT_CHUNK_PAGE = 100;
export const MAX_CHUNK_PAGE = 1000;

const scopeOf = (name: string) => `chunks:${name}`;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_CHUNK_PAGE;
  return Math.min(MAX_CHUNK_PAGE, Math.max(1, Math.floor(limit)));
}

function startOf(name: string, cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const key = decodeCursor(scopeOf(name), cursor);
  const index = Number(key);
  if (!/^\d+$/.test(key) || !Number.isSafeInteger(index)) {
    throw new WorkflowWorldError('Invalid pagination cursor: malformed', { status: 400 });
  }
  return index;
}

export async function getChunkPage(
  store: StreamStore,
  claimCheck: ChunkClaimCheck,
  name: string,
  options: GetChunksOptions = {},
): Promise<StreamChunksResponse> {
  const limit = pageLimit(options.limit);
  const from = startOf(name, options.cursor);
  // One extra chunk tells whether another page of written chunks exists.
  const page = await store.read(name, from, limit + 1);
  const chunks = page.chunks.slice(0, limit);
  const data = await Promise.all(chunks.map(async (c) => ({ index: c.index, data: await claimCheck.resolve(c.data) })));
  const hasMore = page.chunks.length > limit;
  return {
    data,
    cursor: hasMore ? encodeCursor(scopeOf(name), String(from + chunks.length)) : null,
    hasMore,
    done: page.done,
  };
}
