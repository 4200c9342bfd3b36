export interface SleepOptions {
  /** False: the wait alone does not keep the process alive (a timer nobody needs to outlive). Default true. */
  keepAlive?: boolean;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when aborted (like timers/promises). */
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
}
