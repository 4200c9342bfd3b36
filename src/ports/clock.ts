export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms`; rejects with `signal.reason` when aborted (like
   * timers/promises). `unref`: background work that must not keep the
   * process alive for this sleep.
   */
  sleep(ms: number, signal?: AbortSignal, options?: { unref?: boolean }): Promise<void>;
}
