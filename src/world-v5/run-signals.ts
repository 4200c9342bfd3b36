// In-process notification that a run's status changed: the v5 facade's
// events.create raises it after each run-lifecycle commit, and
// runs.waitForTerminalStatus waits on it instead of reading on a timer.
// One per installation and process, so every world instance of the process
// sees the commits of the others.
import type { Clock } from '../ports/clock.js';

export class RunSignals {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Wakes every waiter of `runId`. */
  notify(runId: string): void {
    const set = this.waiters.get(runId);
    if (!set) return;
    this.waiters.delete(runId);
    for (const wake of set) wake();
  }

  /**
   * Resolves on the next notify of `runId`, after `ms` (background: does not
   * keep the process alive), or on abort, whichever comes first.
   */
  async wait(clock: Clock, runId: string, ms: number, signal?: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let wake!: () => void;
    const notified = new Promise<void>((resolve) => (wake = resolve));
    let set = this.waiters.get(runId);
    if (!set) this.waiters.set(runId, (set = new Set()));
    set.add(wake);
    try {
      await Promise.race([notified, clock.sleep(ms, stop.signal, { unref: true }).catch(() => undefined)]);
    } finally {
      stop.abort();
      signal?.removeEventListener('abort', onAbort);
      const current = this.waiters.get(runId);
      current?.delete(wake);
      if (current?.size === 0) this.waiters.delete(runId);
    }
  }

  /** Runs with waiters (tests). */
  get waitingRuns(): number {
    return this.waiters.size;
  }
}
