// Durable records that keep the number of queue messages linear in the work
// and each message's effect single (docs/queue-protocol.md, "Coalescing"):
//
// - per idempotency key, which message owns it and where that message is:
//   claimed (a send is under way, leased), sent, or being delivered (leased);
// - per run, the one pending workflow wake-up (leased).
//
// Leases are what keeps them crash-safe: a process that dies between a claim
// and its send, or during a delivery, blocks nothing past its lease.

export type SendClaim =
  /** This message now owns the key: send it. */
  | { won: true }
  /** Another message owns the key (claimed, sent or delivering): send nothing. */
  | { won: false; holderId: string };

export type DeliveryStart =
  /** This delivery holds the lease; `attempt` counts real deliveries (1-based). */
  | { kind: 'start'; attempt: number }
  /** Another copy of the same message holds an unexpired lease. */
  | { kind: 'busy'; leaseEndsAt: number }
  /** The key belongs to another message now (this one's claim lapsed before it was sent). */
  | { kind: 'superseded' }
  /** A delivery of this key signed at or after `signedAt` already began: this request is a replay. */
  | { kind: 'replayed' };

/** One-time nonces: refuses a replayed signed delivery across every process sharing the secret. */
export interface NonceStore {
  /** True the first time `nonce` is claimed within `ttlSeconds`; false for a repeat. */
  claimNonce(nonce: string, ttlSeconds: number): Promise<boolean>;
}

export interface IdempotencyStore extends NonceStore {
  /**
   * Claims `key` for `messageId` before it is sent. Wins when the key is free,
   * its window ended, or it is only claimed (not sent) under a lapsed lease.
   */
  claimSend(key: string, messageId: string, leaseSeconds: number, windowSeconds: number): Promise<SendClaim>;
  /** Records that `messageId` was sent, so its claim no longer lapses. No-op if the key moved on. */
  markSent(key: string, messageId: string): Promise<void>;
  /** Gives up a claim whose send failed, so a re-queue sends at once. No-op if the key moved on. */
  abandonClaim(key: string, messageId: string): Promise<void>;
  /**
   * Takes the delivery lease of `key` for `messageId`. A message whose key was
   * never claimed (sent by an older version) claims it here. With `signedAt`
   * (the signed delivery's timestamp, epoch ms) the same write is the replay
   * check: it is refused as `replayed` unless `signedAt` is later than that of
   * every delivery of the key that began before.
   */
  beginDelivery(key: string, messageId: string, leaseSeconds: number, windowSeconds: number, signedAt?: number): Promise<DeliveryStart>;
  /** Extends a held delivery lease (long handlers). */
  extendDelivery(key: string, messageId: string, leaseSeconds: number): Promise<void>;
  /**
   * Releases the delivery lease so the next delivery of `messageId` starts at
   * once (failed handler, reschedule). `resetAttempts` for a reschedule, which
   * starts the count again. With `signedAt`, only the lease taken by the signed
   * delivery of that timestamp is released (never another copy's).
   */
  releaseDelivery(key: string, messageId: string, resetAttempts: boolean, signedAt?: number): Promise<void>;

  /**
   * Marks `messageId` as the run's pending wake-up until `leaseSeconds` from
   * now. Loses to an unexpired mark of another message.
   */
  markWakeup(runId: string, messageId: string, leaseSeconds: number): Promise<SendClaim>;
  /** The run's pending wake-up, if any and unexpired: a strongly consistent read. */
  pendingWakeup(runId: string): Promise<string | undefined>;
  /** Clears the run's mark if `messageId` still holds it: called before a replay reads the log. */
  clearWakeup(runId: string, messageId: string): Promise<void>;
}
