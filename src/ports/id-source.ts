// Randomness for ids, behind a port so tests can make ids deterministic.
export interface IdSource {
  /** `n` random bytes. */
  randomBytes(n: number): Uint8Array;
}
