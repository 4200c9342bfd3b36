// Derives each run's key from one master key with HKDF-SHA256, as world-vercel
// does: no per-run state to store, and every process derives the same key.
// The master key is given, or loaded on first use (an SSM parameter).
import { hkdfSync } from 'node:crypto';
import type { RunKeySource } from '../../ports/run-key-source.js';

const ZERO_SALT = new Uint8Array(32);

/** The master key, none (plaintext), or a loader called on each use (it caches). */
export type MasterKey = Uint8Array | undefined | (() => Promise<Uint8Array>);

export class HkdfRunKeySource implements RunKeySource {
  constructor(
    private readonly masterKey: MasterKey,
    /** Binds keys to one installation: the same run id elsewhere gets another key. */
    private readonly installation: string,
  ) {}

  async keyForRun(runId: string): Promise<Uint8Array | undefined> {
    if (!this.masterKey) return undefined;
    const master = typeof this.masterKey === 'function' ? await this.masterKey() : this.masterKey;
    return new Uint8Array(hkdfSync('sha256', master, ZERO_SALT, `${this.installation}|${runId}`, 32));
  }
}
