// The real clock: wall time and timer-based sleeps.
import type { Clock } from '../../ports/clock.js';

/** setTimeout fires at once for delays above 2^31-1 ms, so longer sleeps are taken in hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  /** Resolves after `ms`; rejects with `signal.reason` as soon as the signal aborts (like timers/promises). */
  async sleep(ms: number, signal?: AbortSignal, options?: { unref?: boolean }): Promise<void> {
    let remaining = Math.max(0, ms);
    do {
      const hop = Math.min(remaining, MAX_TIMER_MS);
      await timer(hop, signal, options?.unref === true);
      remaining -= hop;
    } while (remaining > 0);
  }
}

function timer(ms: number, signal: AbortSignal | undefined, unref: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (unref) handle.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
