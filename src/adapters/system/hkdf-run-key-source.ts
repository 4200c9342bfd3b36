// Derives each run's key from one master key with HKDF-SHA256, as world-vercel
// does: no per-run state to store, and every process derives the same key.
import { hkdfSync } from 'node:crypto';
import type { RunKeySource } from '../../ports/run-key-source.js';

const ZERO_SALT = new Uint8Array(32);

export class HkdfRunKeySource implements RunKeySource {
  constructor(
    private readonly masterKey: Uint8Array | undefined,
    /** Binds keys to one installation: the same run id elsewhere gets another key. */
    private readonly installation: string,
  ) {}

  async keyForRun(runId: string): Promise<Uint8Array | undefined> {
    if (!this.masterKey) return undefined;
    return new Uint8Array(hkdfSync('sha256', this.masterKey, ZERO_SALT, `${this.installation}|${runId}`, 32));
  }
}
