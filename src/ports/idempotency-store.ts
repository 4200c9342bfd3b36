// Remembers which message owns an idempotency key, for a window.
export interface IdempotencyStore {
  /**
   * Claims `key` for `ownerId` until `now + ttlSeconds`. Returns true when the
   * key was free, expired, or already owned by `ownerId` (a redelivery of the
   * same message); false when another owner holds it: a duplicate.
   */
  claim(key: string, ownerId: string, ttlSeconds: number): Promise<boolean>;
}
