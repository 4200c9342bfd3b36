// Per-run data keys for the runtime's AES-256-GCM payload encryption (contract §6).
export interface RunKeySource {
  /** The same 32 bytes for the same run in every process, or undefined to store plaintext. */
  keyForRun(runId: string): Promise<Uint8Array | undefined>;
}
