// A counting limit on in-flight messages, shared by the channel pollers.
// Slots are reserved before a receive so two pollers never over-subscribe.
export class Slots {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer; got ${limit}`);
    this.free = limit;
  }

  /** Waits for at least one free slot and reserves up to `max`; 0 when `signal` aborts first. */
  async reserveUpTo(max: number, signal: AbortSignal): Promise<number> {
    while (this.free === 0) {
      if (signal.aborted) return 0;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        };
        this.waiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    if (signal.aborted) return 0;
    const reserved = Math.min(max, this.free);
    this.free -= reserved;
    return reserved;
  }

  release(count: number): void {
    if (count <= 0) return;
    this.free += count;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
