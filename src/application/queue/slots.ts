// A counting limit on messages being processed, shared by the channel
// pollers. Pollers do not reserve slots across a long poll (an idle channel
// would starve the busy one for up to 20 s); instead each received message
// acquires a slot before it runs, first come first served.
export class Slots {
  private free: number;
  private readonly acquirers: Array<() => void> = [];
  private readonly freeWaiters = new Set<() => void>();

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer; got ${limit}`);
    this.free = limit;
  }

  get available(): number {
    return this.free;
  }

  /** Resolves true once a slot is free, false if `signal` aborts first. Takes nothing. */
  async waitForFree(signal: AbortSignal): Promise<boolean> {
    while (this.free === 0) {
      if (signal.aborted) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.freeWaiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.freeWaiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    return !signal.aborted;
  }

  /** Takes a slot: synchronously when one is free, else when one is released (in order). */
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.acquirers.push(resolve));
  }

  release(): void {
    const next = this.acquirers.shift();
    if (next) return next(); // hand the slot over directly
    this.free++;
    for (const wake of [...this.freeWaiters]) wake();
  }
}
