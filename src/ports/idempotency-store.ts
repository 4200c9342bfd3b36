// Durable records that keep the number of queue messages linear in the work
// and each message's effect single (docs/queue-protocol.md):
//
// - per idempotency key, which message owns it and where that message is:
//   claimed (a send is under way, leased), sent, or being delivered (leased
//   by one delivery, identified by its nonce);
// - per run, the one pending workflow wake-up (leased).
//
// Leases are what keeps them crash-safe: a process that dies between a claim
// and its send, or during a delivery, blocks nothing past its lease.

export type SendClaim =
  /** This message now owns the key: send it. */
  | { won: true }
  /**
   * Another message owns the key: send nothing. `claimEndsAt` (epoch ms) is
   * set while the holder's send is not confirmed: past it, ask again.
   */
  | { won: false; holderId: string; claimEndsAt?: number };

export type DeliveryStart =
  /** This delivery holds the lease until `leaseEndsAt`; `attempt` counts real deliveries (1-based). */
  | { kind: 'start'; attempt: number; leaseEndsAt: number }
  /** Another delivery of the same message holds the lease until `leaseEndsAt` (its holder's clock). */
  | { kind: 'busy'; leaseEndsAt: number }
  /** The key belongs to another message now (this one's claim lapsed before it was sent). */
  | { kind: 'superseded' }
  /** A delivery with this nonce already began: this request is a replay. */
  | { kind: 'replayed' };

export type InlineClaim =
  /** This message owns the key and the delivery `nonce` holds its lease until `leaseEndsAt`: run it here. */
  | { won: true; leaseEndsAt: number }
  | Extract<SendClaim, { won: false }>;

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
  /**
   * Claims `key` for `messageId` and takes its delivery lease for `nonce` in
   * the same write: the sender runs the message itself (a step run in
   * process), its queue message being only the safety net. Wins as
   * claimSend does; the lease, `seen` and the attempt count start as
   * beginDelivery's would.
   */
  claimInline(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<InlineClaim>;
  /** Records that `messageId` was sent, so its claim no longer lapses. No-op if the key moved on. */
  markSent(key: string, messageId: string): Promise<void>;
  /**
   * Gives up a claim whose send failed, so a re-queue sends at once. No-op if
   * the key moved on. With `nonce`, the inline claim (claimInline) that nonce holds.
   */
  abandonClaim(key: string, messageId: string, nonce?: string): Promise<void>;
  /**
   * Takes the delivery lease of `key` for the delivery `nonce` of `messageId`.
   * Wins unless another delivery holds a lease that has not lapsed (with the
   * skew margin, domain/delivery/lease.ts). The same write is the replay
   * check: a nonce that began a delivery of the key before is `replayed`. A
   * message whose key was never claimed (or whose window ended) claims it
   * here; a key with no record at all costs this one write too.
   */
  beginDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<DeliveryStart>;
  /** Extends the lease `nonce` holds; the new end, or undefined when it no longer holds it. */
  extendDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number): Promise<number | undefined>;
  /**
   * Gives back the lease `nonce` holds so the next delivery starts at once
   * (failed handler, reschedule); never another delivery's lease.
   * `resetAttempts` for a reschedule, which starts the count again.
   */
  releaseDelivery(key: string, messageId: string, nonce: string, resetAttempts: boolean): Promise<void>;

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
