// Append-only named chunk logs, addressed by stream name alone.
export interface StoredChunk {
  index: number;
  data: Uint8Array;
}

export interface StreamStore {
  /**
   * Appends chunks as consecutive data indexes, in order, in one call.
   * Resolves 'closed' (nothing written) when the stream already has its EOF.
   */
  append(name: string, runId: string, chunks: Uint8Array[]): Promise<void | 'closed'>;
  /** Appends the EOF marker. Idempotent: the first EOF wins. */
  close(name: string, runId: string): Promise<void>;
  /**
   * Data chunks with index >= fromIndex, ascending, at most `limit`, and whether
   * the stream is closed (EOF exists). Chunks after the first EOF are never returned.
   * `dataCount` is exact once `done`; while the stream is open it is a lower bound.
   */
  read(name: string, fromIndex: number, limit: number): Promise<{ chunks: StoredChunk[]; done: boolean; dataCount: number }>;
  /** Number of data chunks before the first EOF, and whether it exists. */
  info(name: string): Promise<{ dataCount: number; done: boolean }>;
  listByRun(runId: string): Promise<string[]>;
}
