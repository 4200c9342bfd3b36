// Idempotency claims in a Map, expiring by the injected clock.
import type { Clock } from '../../ports/clock.js';
import type { IdempotencyStore } from '../../ports/idempotency-store.js';

interface Claim {
  ownerId: string;
  expiresAt: number;
}

/** Expired claims are swept after this many claims so the map does not grow without bound. */
const SWEEP_EVERY = 1000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly claims = new Map<string, Claim>();
  private sinceSweep = 0;

  constructor(private readonly clock: Clock) {}

  async claim(key: string, ownerId: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock.now();
    this.sweep(now);
    const held = this.claims.get(key);
    if (held && held.expiresAt > now && held.ownerId !== ownerId) return false;
    // Free, expired, or a redelivery of the owner's message: (re)claim for a fresh window.
    this.claims.set(key, { ownerId, expiresAt: now + ttlSeconds * 1000 });
    return true;
  }

  private sweep(now: number): void {
    if (++this.sinceSweep < SWEEP_EVERY) return;
    this.sinceSweep = 0;
    for (const [key, claim] of this.claims) if (claim.expiresAt <= now) this.claims.delete(key);
  }
}
