// Timing rules of delivery leases, in one place. Lease ends are absolute epoch
// ms written by the holder's clock and read by other processes' clocks, so
// every "has it ended?" question allows for skew between them.

/**
 * A lease counts as ended for a contender only this long after its written
 * end. The holder extends when half its lease is left, so it always has at
 * least half a lease in hand: clocks that differ by less than this margin plus
 * half the lease never see a live lease as ended (30 s + 30 s at the default
 * 60 s lease).
 */
export const LEASE_SKEW_MARGIN_MS = 30_000;

/** The time before which a written lease end counts as lapsed, for a contender whose clock reads `now`. */
export function lapsedBefore(now: number): number {
  return now - LEASE_SKEW_MARGIN_MS;
}

/** Whether a contender whose clock reads `now` may take a lease that ends at `leaseEndsAt`. */
export function leaseLapsed(leaseEndsAt: number, now: number): boolean {
  return leaseEndsAt < lapsedBefore(now);
}

/** How long into a lease of `leaseMs` the holder extends it: bodies that end sooner cost no extension. */
export function extensionDelayMs(leaseMs: number): number {
  return leaseMs / 2;
}

/** Whole seconds a copy waits for a lease that ends at `leaseEndsAt` to lapse, as the contender's clock sees it; at least 1, at most `maxSeconds`. */
export function deferralSeconds(leaseEndsAt: number, now: number, maxSeconds: number): number {
  const wait = Math.ceil((leaseEndsAt + LEASE_SKEW_MARGIN_MS - now) / 1000);
  return Math.min(maxSeconds, Math.max(1, wait));
}

/**
 * When the safety-net message of a step run in process (its sender holds the
 * lease ending at `leaseEndsAt`) is due: just after that lease counts as
 * lapsed for any contender. A runner that died is then replaced at once; one
 * still running has extended its lease, so the copy is deferred.
 */
export function safetyNetDueAt(leaseEndsAt: number): number {
  return leaseEndsAt + LEASE_SKEW_MARGIN_MS + 1_000;
}

/**
 * True when a message received `receiveCount` times is close enough to the
 * queue's dead-letter threshold that its failures need an operator's
 * attention: the last tenth of the receives (45–50 of 50), never the first.
 */
export function nearDeadLetter(receiveCount: number, maxReceiveCount: number): boolean {
  return receiveCount > 1 && receiveCount >= maxReceiveCount - Math.ceil(maxReceiveCount / 10);
}
