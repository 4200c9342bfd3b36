// Polling and retry helpers with an injectable sleep, so tests run instantly.

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Total attempts, first one included. */
  attempts: number;
  delayMs: number;
  /** Cap for the doubling delay. */
  maxDelayMs: number;
  sleep: Sleep;
}

/** Retries `fn` while `retryable(error)` holds, doubling the delay each time. */
export async function retryWhile<T>(fn: () => Promise<T>, retryable: (error: unknown) => boolean, options: RetryOptions): Promise<T> {
  let delay = options.delayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !retryable(error)) throw error;
      await options.sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}

/** Polls `check` until it returns a value other than undefined, or throws after `attempts`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  what: string,
  options: { attempts: number; delayMs: number; sleep: Sleep },
): Promise<T> {
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    if (attempt < options.attempts) await options.sleep(options.delayMs);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export function errorName(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  return [e.name, e.Code, e.code].find((v): v is string => typeof v === 'string');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
