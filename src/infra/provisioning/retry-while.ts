// Retries a call while AWS answers with an error it documents as transient
// for a freshly created or recently deleted resource, telling the user why
// it waits. Anything else fails at once.
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryWhileOptions {
  /** Longest total wait before the last error is rethrown. */
  maxWaitMs: number;
  /** Pause between attempts. */
  delayMs: number;
  sleep?: Sleep;
  /** Called before each pause: what is being waited for, and how long so far. */
  onWait?: (waitedMs: number) => void;
}

export async function retryWhile<T>(call: () => Promise<T>, transient: (error: unknown) => boolean, options: RetryWhileOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  let waited = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!transient(error) || waited + options.delayMs > options.maxWaitMs) throw error;
      options.onWait?.(waited);
      await sleep(options.delayMs);
      waited += options.delayMs;
    }
  }
}
