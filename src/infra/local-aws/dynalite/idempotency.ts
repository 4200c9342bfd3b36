// ClientRequestToken semantics of TransactWriteItems: within 10 minutes of a
// successful request, the same token with the same parameters succeeds again
// without writing; with other parameters it is refused. The SDK fills in a
// fresh token per call and reuses it on its own retries, so this is what
// keeps a retried commit from being applied twice.
import { createHash } from 'node:crypto';
import { idempotentParameterMismatch } from './api-error.js';

const WINDOW_MS = 10 * 60 * 1000;
/** Bounds memory: tokens are per call, and a long local session makes many. */
const MAX_ENTRIES = 10_000;

export class IdempotencyTokens {
  private readonly seen = new Map<string, { fingerprint: string; expiresAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = WINDOW_MS,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** 'replay' when this token already succeeded with these parameters; throws when the parameters differ. */
  check(token: string, fingerprint: string): 'new' | 'replay' {
    const entry = this.seen.get(token);
    if (!entry || entry.expiresAt <= this.now()) return 'new';
    if (entry.fingerprint !== fingerprint) throw idempotentParameterMismatch();
    return 'replay';
  }

  remember(token: string, fingerprint: string): void {
    this.seen.delete(token);
    this.seen.set(token, { fingerprint, expiresAt: this.now() + this.windowMs });
    this.evict();
  }

  get size(): number {
    return this.seen.size;
  }

  /** Map order is insertion order, so the oldest entries come first. */
  private evict(): void {
    const now = this.now();
    for (const [token, entry] of this.seen) {
      if (entry.expiresAt > now && this.seen.size <= this.maxEntries) break;
      this.seen.delete(token);
    }
  }
}

/** The request's parameters without the token, as a digest. */
export function requestFingerprint(body: Record<string, unknown>): string {
  const { ClientRequestToken: _token, ...rest } = body;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
