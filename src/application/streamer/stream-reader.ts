// readFromStream: replays stored chunks from a start index, then tails the
// stream by adaptive polling until EOF or cancel. Pull-based, so nothing is
// polled while the consumer is not reading.
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { StreamStore } from '../../ports/stream-store.js';
import type { ChunkClaimCheck } from './claim-check.js';
import { PollBackoff, type PollOptions } from './poll-backoff.js';
import { isRetryable } from './retryable.js';
import type { StreamNotifier } from './stream-notifier.js';

/** Consecutive retryable store failures a reader tolerates before erroring. */
export const MAX_CONSECUTIVE_READ_FAILURES = 5;

export interface TailDeps {
  store: StreamStore;
  claimCheck: ChunkClaimCheck;
  clock: Clock;
  notifier: StreamNotifier;
  poll: PollOptions;
  /** Chunks fetched per store read. */
  pageSize: number;
  logger?: Logger;
}

export interface TailHandle {
  stream: ReadableStream<Uint8Array>;
  /** Stops polling and errors the stream (used when the streamer shuts down). */
  abort(reason: Error): void;
}

export function openTail(deps: TailDeps, name: string, startIndex: number, onFinished: () => void): TailHandle {
  const { store, claimCheck, clock, notifier, logger } = deps;
  const backoff = new PollBackoff(deps.poll);
  const stopped = new AbortController();
  let next = startIndex;
  let failures = 0;
  // Set by a local write; makes the reader poll again instead of sleeping.
  let dirty = false;
  let wake: (() => void) | undefined;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;

  const unsubscribe = notifier.subscribe(name, () => {
    dirty = true;
    wake?.();
  });
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    stopped.abort();
    unsubscribe();
    onFinished();
  };

  const sleep = async (ms: number) => {
    const timer = new AbortController();
    const cancelTimer = () => timer.abort();
    stopped.signal.addEventListener('abort', cancelTimer, { once: true });
    wake = cancelTimer;
    const aborted = new Promise<void>((resolve) => timer.signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      await Promise.race([clock.sleep(ms, timer.signal).catch(() => undefined), aborted]);
    } finally {
      wake = undefined;
      stopped.signal.removeEventListener('abort', cancelTimer);
      timer.abort(); // releases the clock's timer when a wake-up won the race
    }
  };

  const readPage = async () => {
    for (;;) {
      try {
        const page = await store.read(name, next, deps.pageSize);
        failures = 0;
        return page;
      } catch (error) {
        if (!isRetryable(error) || ++failures >= MAX_CONSECUTIVE_READ_FAILURES) throw error;
        logger?.warn('stream read failed; retrying', { stream: name, failures, error: (error as Error).name });
        await sleep(backoff.nextIdleDelay(clock.now()));
        if (stopped.signal.aborted) return undefined;
      }
    }
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
      },
      async pull(controller) {
        try {
          for (;;) {
            if (stopped.signal.aborted) return;
            dirty = false;
            const page = await readPage();
            if (!page || stopped.signal.aborted) return;
            let emitted = false;
            const contiguous = takeContiguous(page.chunks, next);
            if (contiguous.length > 0) {
              const bodies = await Promise.all(contiguous.map((c) => claimCheck.resolve(c.data)));
              if (stopped.signal.aborted) return;
              for (const body of bodies) {
                // Zero-length chunks are skipped but still take an index.
                if (body.byteLength > 0) {
                  controller.enqueue(body);
                  emitted = true;
                }
              }
              next += contiguous.length;
              backoff.reset();
            }
            if (page.done && next >= page.dataCount) {
              finish();
              controller.close();
              return;
            }
            if (emitted) return;
            // Only zero-length chunks, or a local write landed meanwhile: poll again now.
            if (contiguous.length > 0 || dirty) continue;
            await sleep(backoff.nextIdleDelay(clock.now()));
          }
        } catch (error) {
          finish();
          throw error;
        }
      },
      cancel() {
        finish();
      },
    },
    // No read-ahead: polling happens only while a consumer waits for data.
    { highWaterMark: 0 },
  );

  return {
    stream,
    abort(reason) {
      if (finished) return;
      finish();
      controllerRef?.error(reason);
    },
  };
}

/** The chunks that continue exactly at `from`, in order; a store never skips, but a reader must not trust a hole. */
function takeContiguous<T extends { index: number }>(chunks: T[], from: number): T[] {
  const out: T[] = [];
  for (const chunk of chunks) {
    if (chunk.index !== from + out.length) break;
    out.push(chunk);
  }
  return out;
}
