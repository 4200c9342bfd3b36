// Live-tail polling cadence: fast while chunks flow, backing off while the
// stream is idle, back to fast as soon as something arrives.

export interface PollOptions {
  /** Delay between polls while data flows, and during the grace period. */
  minMs: number;
  /** Longest delay while idle; sets the idle read cost (60000 / maxMs reads per minute). */
  maxMs: number;
  /** Idle time spent at `minMs` before backing off, so bursty writers keep low latency. */
  graceMs?: number;
}

/** 25 ms while data flows or for the first second of silence, then doubling to 1 s. */
export const DEFAULT_POLL: Required<PollOptions> = { minMs: 25, maxMs: 1000, graceMs: 1000 };

export class PollBackoff {
  private readonly options: Required<PollOptions>;
  private idleSince: number | undefined;
  private delay: number;

  constructor(options: PollOptions = DEFAULT_POLL) {
    const minMs = Math.max(1, options.minMs);
    this.options = { minMs, maxMs: Math.max(minMs, options.maxMs), graceMs: options.graceMs ?? DEFAULT_POLL.graceMs };
    this.delay = minMs;
  }

  /** New data arrived: poll fast again. */
  reset(): void {
    this.idleSince = undefined;
    this.delay = this.options.minMs;
  }

  /** A poll found nothing at `now`: how long to wait before the next one. */
  nextIdleDelay(now: number): number {
    this.idleSince ??= now;
    if (now - this.idleSince < this.options.graceMs) return this.options.minMs;
    this.delay = Math.min(this.options.maxMs, this.delay * 2);
    return this.delay;
  }
}
