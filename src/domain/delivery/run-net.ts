// Timing of a run's safety net (application/queue/run-nets.ts): one delayed
// workflow message per run and process that stands for every step the
// process runs in process for that run. If the process dies, the net replays
// the run, which re-queues what the dead process held.
import { LEASE_SKEW_MARGIN_MS } from './lease.js';

/**
 * How long before a net falls due the process arms its successor while it
 * still runs steps of the run: the time a send has to become durable before
 * the old net can be received.
 */
export const RUN_NET_REARM_LEAD_MS = 10_000;

/**
 * A net's delay: a delivery lease taken when it is sent counts as lapsed for
 * any contender by the time it falls due, so a dead runner's step is taken
 * over at once (a later lease is waited for, as any copy waits).
 */
export function runNetDelayMs(leaseSeconds: number): number {
  return leaseSeconds * 1000 + LEASE_SKEW_MARGIN_MS + 1_000;
}

/** Whether a net due at `dueAt` still covers work that starts at `now`: it cannot be received before its successor is armed. */
export function runNetCovers(dueAt: number, now: number): boolean {
  return dueAt - now > RUN_NET_REARM_LEAD_MS;
}

/** How long from `now` until the successor of a net due at `dueAt` is armed (if the run is still held then). */
export function runNetRearmInMs(dueAt: number, now: number): number {
  return Math.max(0, dueAt - RUN_NET_REARM_LEAD_MS - now);
}
