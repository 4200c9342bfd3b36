// Long delays on a queue whose per-message delay is capped (SQS: 900 s) are
// chained: each hop carries the absolute due time, and every hop's delay is
// derived from it and the current time. Processing latency between hops
// therefore never accumulates: the last hop lands on the due time, not on
// "sum of hops plus overheads".

/** SQS's largest DelaySeconds. */
export const DEFAULT_MAX_HOP_SECONDS = 900;

/** Whether a message due at `dueAt` (epoch ms; undefined = no delay) may be delivered at `now`. */
export function isDue(dueAt: number | undefined, now: number): boolean {
  return dueAt === undefined || dueAt <= now;
}

/**
 * Delay, in whole seconds, of the next hop towards `dueAt`: 0 when already due,
 * otherwise the remaining time rounded up (never early), at most `maxHopSeconds`.
 */
export function nextHopSeconds(dueAt: number | undefined, now: number, maxHopSeconds = DEFAULT_MAX_HOP_SECONDS): number {
  checkMaxHop(maxHopSeconds);
  if (isDue(dueAt, now)) return 0;
  const remainingSeconds = Math.ceil(((dueAt as number) - now) / 1000);
  return Math.min(maxHopSeconds, remainingSeconds);
}

/** Absolute due time (epoch ms) for a delay of `delaySeconds` from `now`; undefined when there is no delay. */
export function dueAtAfter(delaySeconds: number, now: number): number | undefined {
  if (!Number.isFinite(delaySeconds) || delaySeconds < 0) {
    throw new RangeError(`delay must be a finite number of seconds ≥ 0; got ${delaySeconds}`);
  }
  return delaySeconds === 0 ? undefined : now + Math.ceil(delaySeconds * 1000);
}

/**
 * The delays of every message sent for a delay of `delaySeconds`, assuming
 * each hop is re-sent the moment it arrives: `[0]` for no delay,
 * `[2, 2, 2, 2, 2]` for 10 s with a 2 s cap, 2 880 × 900 for 30 days.
 */
export function hopDelays(delaySeconds: number, maxHopSeconds = DEFAULT_MAX_HOP_SECONDS): number[] {
  checkMaxHop(maxHopSeconds);
  const dueAt = dueAtAfter(delaySeconds, 0);
  const hops: number[] = [];
  let now = 0;
  do {
    const hop = nextHopSeconds(dueAt, now, maxHopSeconds);
    hops.push(hop);
    now += hop * 1000;
  } while (!isDue(dueAt, now));
  return hops;
}

function checkMaxHop(maxHopSeconds: number): void {
  if (!Number.isInteger(maxHopSeconds) || maxHopSeconds < 1) {
    throw new RangeError(`the largest hop must be a positive whole number of seconds; got ${maxHopSeconds}`);
  }
}
