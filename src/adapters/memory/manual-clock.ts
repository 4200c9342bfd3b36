// A clock that only moves when a test says so. Sleeps resolve in due order as
// `advance` passes them, with the woken code allowed to run (and to sleep
// again) before time moves further, as it would in real time.
import type { Clock } from '../../ports/clock.js';

interface Sleeper {
  due: number;
  seq: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly sleepers = new Set<Sleeper>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Resolves once `advance` reaches now + ms (a non-positive ms resolves at once); rejects with `signal.reason` on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (ms <= 0) return resolve();
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal!.reason);
      };
      const sleeper: Sleeper = {
        due: this.current + ms,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sleeps currently waiting for time to pass: lets a test wait until the code under test is idle. */
  get pendingSleeps(): number {
    return this.sleepers.size;
  }

  /**
   * Moves time forward by `ms`, stopping at each due sleep to wake it and let
   * the woken code run (including sleeps it starts that fall due within the window).
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of ms; got ${ms}`);
    const target = this.current + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.current = Math.max(this.current, next.due);
      this.sleepers.delete(next);
      next.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }

  private nextDue(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (s.due <= limit && (!best || s.due < best.due || (s.due === best.due && s.seq < best.seq))) best = s;
    }
    return best;
  }
}

/** Lets promise chains and queued callbacks woken by a resolved sleep run to their next wait. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
