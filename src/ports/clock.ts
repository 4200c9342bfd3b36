export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when aborted (like timers/promises). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
