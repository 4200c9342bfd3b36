// Send claims, delivery leases and wake-up marks in Maps, expiring by the
// injected clock; the same rules as the DynamoDB adapter's conditions.
import type { Clock } from '../../ports/clock.js';
import { leaseLapsed } from '../../domain/delivery/lease.js';
import type { DeliveryStart, IdempotencyStore, InlineClaim, SendClaim } from '../../ports/idempotency-store.js';

type KeyState = 'claimed' | 'sent' | 'delivering';

interface KeyRecord {
  messageId: string;
  state: KeyState;
  /** Lease end (claimed, delivering), epoch ms. */
  until: number;
  attempts: number;
  /** End of the idempotency window, epoch ms. */
  expiresAt: number;
  /** The delivery that holds (or last held) the lease. */
  nonce?: string;
  /** Every delivery nonce that began on this key (replay check). */
  seen: Set<string>;
}

interface WakeupMark {
  messageId: string;
  until: number;
}

/** Expired records are swept after this many writes so the maps do not grow without bound. */
const SWEEP_EVERY = 1000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly wakeups = new Map<string, WakeupMark>();
  private readonly nonces = new Map<string, number>();
  private sinceSweep = 0;

  constructor(private readonly clock: Clock) {}

  async claimNonce(nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = this.tick();
    const until = this.nonces.get(nonce);
    if (until !== undefined && until > now) return false;
    this.nonces.set(nonce, now + ttlSeconds * 1000);
    return true;
  }

  async claimSend(key: string, messageId: string, leaseSeconds: number, windowSeconds: number): Promise<SendClaim> {
    const now = this.tick();
    const lost = this.heldAgainst(key, messageId, now);
    if (lost) return lost;
    this.keys.set(key, { messageId, state: 'claimed', until: now + leaseSeconds * 1000, attempts: 0, expiresAt: now + windowSeconds * 1000, seen: new Set() });
    return { won: true };
  }

  async claimInline(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<InlineClaim> {
    const now = this.tick();
    const lost = this.heldAgainst(key, messageId, now);
    if (lost) return lost;
    const leaseEndsAt = now + leaseSeconds * 1000;
    this.keys.set(key, { messageId, state: 'delivering', until: leaseEndsAt, attempts: 1, expiresAt: now + windowSeconds * 1000, nonce, seen: new Set([nonce]) });
    return { won: true, leaseEndsAt };
  }

  /** The holder a claim of `key` loses to: a live record of another message, unless only an unconfirmed claim whose lease ended. */
  private heldAgainst(key: string, messageId: string, now: number): Extract<SendClaim, { won: false }> | undefined {
    const held = this.keys.get(key);
    if (held && held.expiresAt > now && held.messageId !== messageId && !(held.state === 'claimed' && held.until <= now)) {
      return { won: false, holderId: held.messageId, claimEndsAt: held.state === 'claimed' ? held.until : undefined };
    }
    return undefined;
  }

  async markSent(key: string, messageId: string): Promise<void> {
    const held = this.keys.get(key);
    if (held?.messageId === messageId && held.state === 'claimed') held.state = 'sent';
  }

  async abandonClaim(key: string, messageId: string, nonce?: string): Promise<void> {
    const held = this.keys.get(key);
    if (held?.messageId !== messageId) return;
    if (nonce === undefined ? held.state === 'claimed' : held.nonce === nonce) this.keys.delete(key);
  }

  async beginDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<DeliveryStart> {
    const now = this.tick();
    const leaseEndsAt = now + leaseSeconds * 1000;
    const held = this.keys.get(key);
    if (!held || held.expiresAt <= now) {
      this.keys.set(key, { messageId, state: 'delivering', until: leaseEndsAt, attempts: 1, expiresAt: now + windowSeconds * 1000, nonce, seen: new Set([nonce]) });
      return { kind: 'start', attempt: 1, leaseEndsAt };
    }
    if (held.messageId !== messageId) return { kind: 'superseded' };
    if (held.seen.has(nonce)) return { kind: 'replayed' };
    if (held.state === 'delivering' && !leaseLapsed(held.until, now)) return { kind: 'busy', leaseEndsAt: held.until };
    held.state = 'delivering';
    held.until = leaseEndsAt;
    held.attempts += 1;
    held.nonce = nonce;
    held.seen.add(nonce);
    return { kind: 'start', attempt: held.attempts, leaseEndsAt };
  }

  async extendDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number): Promise<number | undefined> {
    const held = this.keys.get(key);
    if (held?.messageId !== messageId || held.state !== 'delivering' || held.nonce !== nonce) return undefined;
    held.until = this.clock.now() + leaseSeconds * 1000;
    return held.until;
  }

  async releaseDelivery(key: string, messageId: string, nonce: string, resetAttempts: boolean): Promise<void> {
    const held = this.keys.get(key);
    if (held?.messageId !== messageId || held.state !== 'delivering' || held.nonce !== nonce) return;
    held.state = 'sent';
    held.until = 0;
    if (resetAttempts) held.attempts = 0;
  }

  async markWakeup(runId: string, messageId: string, leaseSeconds: number): Promise<SendClaim> {
    const now = this.tick();
    const held = this.wakeups.get(runId);
    if (held && held.until > now && held.messageId !== messageId) return { won: false, holderId: held.messageId };
    this.wakeups.set(runId, { messageId, until: now + leaseSeconds * 1000 });
    return { won: true };
  }

  async pendingWakeup(runId: string): Promise<string | undefined> {
    const held = this.wakeups.get(runId);
    return held && held.until > this.tick() ? held.messageId : undefined;
  }

  async clearWakeup(runId: string, messageId: string): Promise<void> {
    if (this.wakeups.get(runId)?.messageId === messageId) this.wakeups.delete(runId);
  }

  private tick(): number {
    const now = this.clock.now();
    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      for (const [key, record] of this.keys) if (record.expiresAt <= now) this.keys.delete(key);
      for (const [runId, mark] of this.wakeups) if (mark.until <= now) this.wakeups.delete(runId);
      for (const [nonce, until] of this.nonces) if (until <= now) this.nonces.delete(nonce);
    }
    return now;
  }
}
