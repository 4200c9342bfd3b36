// Polls until a resource reaches a state. Starts fast, because emulators settle
// in milliseconds, and backs off towards a few seconds, because real tables
// take seconds to minutes.
const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 3000;

export const DEFAULT_TABLE_WAIT_MS = 10 * 60 * 1000;

/** Resolves with the first value `probe` returns other than undefined. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_DELAY_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
