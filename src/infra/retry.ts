// The one retry and polling helper. Pauses come from a Clock's sleep (tests
// pass one that returns at once); each is `factor` times the last, up to
// `maxDelayMs`; an attempt budget and/or a total-wait budget ends the loop.
// With `random` (in [0, 1)) each pause is drawn from [pause/2, pause].
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Clock } from '../ports/clock.js';

export type Sleep = (ms: number) => Promise<void>;

const systemClock = new SystemClock();
export const realSleep: Sleep = (ms) => systemClock.sleep(ms);

export interface Pacing {
  /** The first pause. */
  delayMs: number;
  /** Growth of each next pause (default 1: fixed). */
  factor?: number;
  maxDelayMs?: number;
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Longest total wait (pauses, or wall time when longer) before giving up. */
  maxWaitMs?: number;
  sleep?: Sleep;
  /** Reads wall time for maxWaitMs. Default: the system clock. */
  now?: Clock['now'];
  random?: () => number;
  /** Called before each pause with the time waited so far. */
  onWait?: (waitedMs: number) => void;
}

/** Pauses between attempts; `next()` is false once the budget is spent. */
function pacer(pacing: Pacing): { next(): Promise<boolean> } {
  const sleep = pacing.sleep ?? realSleep;
  const now = pacing.now ?? (() => systemClock.now());
  const start = now();
  let attempt = 1;
  let delay = pacing.delayMs;
  let waited = 0;
  return {
    async next() {
      if (pacing.attempts !== undefined && attempt >= pacing.attempts) return false;
      if (pacing.maxWaitMs !== undefined && Math.max(waited, now() - start) + delay > pacing.maxWaitMs) return false;
      pacing.onWait?.(waited);
      const pause = pacing.random ? Math.round(delay * (0.5 + pacing.random() / 2)) : delay;
      await sleep(pause);
      waited += pause;
      attempt++;
      delay = Math.min(delay * (pacing.factor ?? 1), pacing.maxDelayMs ?? Number.POSITIVE_INFINITY);
      return true;
    },
  };
}

/** Calls `call` again while it fails with an error `retryable` accepts and the budget lasts; then rethrows. */
export async function retryWhile<T>(call: () => Promise<T>, retryable: (error: unknown) => boolean, pacing: Pacing): Promise<T> {
  const pauses = pacer(pacing);
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || !(await pauses.next())) throw error;
    }
  }
}

/** The first value `probe` returns other than undefined; throws once the budget is spent. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, what: string, pacing: Pacing): Promise<T> {
  const pauses = pacer(pacing);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (!(await pauses.next())) {
      throw new Error(
        pacing.maxWaitMs !== undefined ? `Timed out after ${Math.round(pacing.maxWaitMs / 1000)} s waiting for ${what}` : `Timed out waiting for ${what}`,
      );
    }
  }
}
