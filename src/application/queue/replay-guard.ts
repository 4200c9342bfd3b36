// Refuses a signed delivery seen before: the body tag is a nonce, valid for as
// long as its timestamp is within the tolerance. Checked in memory first (free),
// then claimed in the durable store when several processes share the secret,
// so a replay sent to another replica is refused too. With the process-local
// key (no shared secret) no other process can verify the tag, and a restart
// changes the key, so memory alone is complete and no write is paid.
import type { Clock } from '../../ports/clock.js';
import type { NonceStore } from '../../ports/idempotency-store.js';

export const REPLAY_KEY_PREFIX = 'delivery-nonce:';
/** Expired nonces are swept once the set has grown by this many since the last sweep. */
const SWEEP_EVERY = 1024;

export interface ReplayGuardDeps {
  clock: Clock;
  toleranceSeconds: number;
  /** Durable claims; omitted when only this process can sign. */
  store?: NonceStore;
}

export interface ReplayGuard {
  /**
   * True the first time `tag` is seen within its window; false for a replay.
   * Throws when the store cannot decide. `durable: false` checks this process
   * only, for a delivery whose lease write makes the cross-process check.
   */
  claim(tag: string, sentAt: number, durable?: boolean): Promise<boolean>;
}

export function createReplayGuard(deps: ReplayGuardDeps): ReplayGuard {
  const seen = new Map<string, number>();
  let sinceSweep = 0;
  const sweep = (now: number): void => {
    if (++sinceSweep < SWEEP_EVERY) return;
    sinceSweep = 0;
    for (const [tag, expiresAt] of seen) if (expiresAt <= now) seen.delete(tag);
  };
  return {
    async claim(tag, sentAt, durable = true) {
      const now = deps.clock.now();
      sweep(now);
      // The signature verifies until sentAt + tolerance; the nonce must outlive that.
      const expiresAt = sentAt + deps.toleranceSeconds * 1000;
      const held = seen.get(tag);
      if (held !== undefined && held > now) return false;
      seen.set(tag, expiresAt);
      if (!deps.store || !durable) return true;
      try {
        const ttlSeconds = Math.max(1, Math.ceil((expiresAt - now) / 1000) + 1);
        return await deps.store.claimNonce(`${REPLAY_KEY_PREFIX}${tag}`, ttlSeconds);
      } catch (error) {
        // Undecided: forget the local claim so the sender's retry is judged afresh.
        seen.delete(tag);
        throw error;
      }
    },
  };
}
