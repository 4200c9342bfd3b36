// The World's Streamer on top of a StreamStore: writes (with claim checks for
// large chunks), live-tailing reads, snapshot pages and stream metadata.
import { WorkflowWorldError } from '@workflow/errors';
import type { GetChunksOptions, StreamChunksResponse, StreamInfoResponse, Streamer } from '@workflow/world';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamStore } from '../../ports/stream-store.js';
import { MAX_CHUNK_PAGE, getChunkPage } from './chunk-pages.js';
import { ChunkClaimCheck, type PreparedChunk } from './claim-check.js';
import { DEFAULT_POLL, type PollOptions } from './poll-backoff.js';
import { StreamNotifier } from './stream-notifier.js';
import { openTail, type TailHandle } from './stream-reader.js';
import { WriteQueue } from './write-queue.js';

/**
 * Core's writable awaits each flush before it accepts the next chunk, so a
 * single writer never has more than one chunk buffered: the flush timer would
 * batch nothing and only add its delay to every chunk. Each chunk costs the
 * same DynamoDB requests whatever the interval, so flush at once.
 */
export const STREAM_FLUSH_INTERVAL_MS = 0;

/** Chunks a reader fetches per store read while catching up. */
export const READ_PAGE_SIZE = 100;

export interface StreamerDeps {
  store: StreamStore;
  blobs: BlobStore;
  clock: Clock;
  logger?: Logger;
  /** Chunks above this many bytes go to the BlobStore (claim check). */
  maxInlineBytes: number;
  /** Live-tail cadence; defaults to DEFAULT_POLL. */
  poll?: PollOptions;
  /** Share one notifier between streamers of a process so local writes wake every local reader. */
  notifier?: StreamNotifier;
  /** Key prefix for offloaded chunks; defaults to the payload prefix. */
  blobPrefix?: string;
}

export interface WorldStreamer extends Streamer {
  streamFlushIntervalMs: number;
  writeToStreamMulti(name: string, runId: string, chunks: (string | Uint8Array)[]): Promise<void>;
  /** Stops every live reader (they error) and refuses new reads. */
  close(): Promise<void>;
}

const utf8 = new TextEncoder();

function toBytes(chunk: string | Uint8Array): Uint8Array {
  if (typeof chunk === 'string') return utf8.encode(chunk);
  if (chunk instanceof Uint8Array) return chunk;
  throw new WorkflowWorldError('Stream chunks must be strings or Uint8Array', { status: 400 });
}

function assertName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new WorkflowWorldError('Stream name must be a non-empty string', { status: 400 });
  }
}

/** Data written after closeStream would be silently lost: say so (a multi-chunk write lands whole or not at all). */
function writeAfterClose(name: string): WorkflowWorldError {
  return new WorkflowWorldError(`Cannot write to stream "${name}": it was closed with closeStream`, { status: 409, code: 'STREAM_CLOSED' });
}

/** As listings do: an integer from 1 to MAX_CHUNK_PAGE, or undefined for the default. */
function assertChunkLimit(limit: unknown): void {
  if (limit === undefined) return;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_CHUNK_PAGE) {
    throw new WorkflowWorldError(`Invalid limit ${String(limit)}: use an integer from 1 to ${MAX_CHUNK_PAGE}`, { status: 400 });
  }
}

/** Frames every chunk; if any upload fails, removes the ones that succeeded. */
async function prepareAll(claimCheck: ChunkClaimCheck, name: string, runId: string, bytes: Uint8Array[]): Promise<PreparedChunk[]> {
  const results = await Promise.allSettled(bytes.map((b) => claimCheck.prepare(name, runId, b)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const ready = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (!failed) return ready;
  await claimCheck.discard(ready);
  throw failed.reason;
}

export function createStreamer(deps: StreamerDeps): WorldStreamer {
  const { store, clock, logger } = deps;
  const claimCheck = new ChunkClaimCheck({ blobs: deps.blobs, maxInlineBytes: deps.maxInlineBytes, blobPrefix: deps.blobPrefix });
  const notifier = deps.notifier ?? new StreamNotifier();
  const queue = new WriteQueue();
  const poll = deps.poll ?? DEFAULT_POLL;
  const readers = new Set<TailHandle>();
  let closed = false;

  const write = (name: string, runId: string, chunks: (string | Uint8Array)[]): Promise<void> => {
    assertName(name);
    const bytes = chunks.map(toBytes);
    // Blob uploads start now, in parallel; the append keeps its place in the queue.
    const prepared = prepareAll(claimCheck, name, runId, bytes);
    prepared.catch(() => undefined); // observed by the queued task below
    return queue.run(name, async () => {
      const ready = await prepared;
      try {
        if ((await store.append(name, runId, ready.map((c) => c.stored))) === 'closed') throw writeAfterClose(name);
      } catch (error) {
        await claimCheck.discard(ready);
        throw error;
      }
      notifier.notify(name);
      await claimCheck.commit(ready);
    });
  };

  return {
    streamFlushIntervalMs: STREAM_FLUSH_INTERVAL_MS,

    async writeToStream(name, runId, chunk) {
      await write(name, runId, [chunk]);
    },

    async writeToStreamMulti(name, runId, chunks) {
      if (chunks.length === 0) return;
      await write(name, runId, chunks);
    },

    async closeStream(name, runId) {
      assertName(name);
      await queue.run(name, () => store.close(name, runId));
      notifier.notify(name);
    },

    async readFromStream(name, startIndex) {
      assertName(name);
      if (closed) throw new WorkflowWorldError('Cannot read stream: the streamer has been closed', { status: 503 });
      let start = startIndex === undefined || !Number.isFinite(startIndex) ? 0 : Math.trunc(startIndex);
      if (start < 0) {
        // Negative starts count back from the data count at open time.
        const info = await store.info(name);
        start = Math.max(0, info.dataCount + start);
      }
      const handle: TailHandle = openTail(
        { store, claimCheck, clock, notifier, poll, pageSize: READ_PAGE_SIZE, logger },
        name,
        start,
        () => readers.delete(handle),
      );
      readers.add(handle);
      return handle.stream;
    },

    listStreamsByRunId(runId) {
      return store.listByRun(runId);
    },

    async getStreamChunks(name: string, _runId: string, options?: GetChunksOptions): Promise<StreamChunksResponse> {
      assertName(name);
      assertChunkLimit(options?.limit);
      return getChunkPage(store, claimCheck, name, options);
    },

    async getStreamInfo(name: string, _runId: string): Promise<StreamInfoResponse> {
      assertName(name);
      const info = await store.info(name);
      return { tailIndex: info.dataCount - 1, done: info.done };
    },

    async close() {
      closed = true;
      const error = new WorkflowWorldError('Cannot read stream: the streamer has been closed', { status: 503 });
      for (const reader of [...readers]) reader.abort(error);
    },
  };
}
