// Long delays on a queue whose per-message delay is capped (SQS: 900 s) are
// chained in hops. Each hop's body carries two measures of what is left: the
// absolute due time (by the sender's clock) and the delay left after that hop
// (counted by the queue's own delays, so by no process clock). The next hop
// takes the smaller. With the due time alone, a receiver whose clock is behind
// the sender's would hold the message for the skew; with the count alone,
// the time between hops would add up over a long chain. Taking the smaller is
// never late by either, and at most the clocks' skew early, which a wake-up
// tolerates (the runtime checks the wait again and asks for the rest).

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

/** When a message is held back: its absolute due time and the delay its current hop leaves (ms). */
export interface HopSchedule {
  dueAt?: number;
  restMs?: number;
}

/** The next hop towards a delay: its whole-second delay and what is left after it (ms). */
export interface Hop {
  delaySeconds: number;
  restMs: number;
}

/**
 * The hop a message held back by `schedule` still needs at `now`, or
 * undefined when it is due: by the due time on this clock, or because the
 * queue's delays have run out.
 */
export function planHop(schedule: HopSchedule, now: number, maxHopSeconds = DEFAULT_MAX_HOP_SECONDS): Hop | undefined {
  checkMaxHop(maxHopSeconds);
  const byClock = schedule.dueAt === undefined ? Infinity : schedule.dueAt - now;
  const byCount = schedule.restMs === undefined ? Infinity : schedule.restMs;
  const remainingMs = Math.min(byClock, byCount);
  if (remainingMs === Infinity || remainingMs <= 0) return undefined;
  const delaySeconds = Math.min(maxHopSeconds, Math.ceil(remainingMs / 1000));
  return { delaySeconds, restMs: Math.max(0, remainingMs - delaySeconds * 1000) };
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
  let hop = planHop({ dueAt }, now, maxHopSeconds);
  hops.push(hop?.delaySeconds ?? 0);
  while (hop) {
    now += hop.delaySeconds * 1000;
    hop = planHop({ dueAt, restMs: hop.restMs }, now, maxHopSeconds);
    if (hop) hops.push(hop.delaySeconds);
  }
  return hops;
}

function checkMaxHop(maxHopSeconds: number): void {
  if (!Number.isInteger(maxHopSeconds) || maxHopSeconds < 1) {
    throw new RangeError(`the largest hop must be a positive whole number of seconds; got ${maxHopSeconds}`);
  }
}
