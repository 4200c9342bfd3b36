// Object storage for payloads too large to inline (claim checks).
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Throws a WorkflowWorldError (404) when the object is missing. */
  get(key: string): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
  /**
   * Marks an object as referenced by committed state. Stores that expire
   * uncommitted uploads (S3: tag + lifecycle rule) implement it.
   */
  markCommitted?(key: string): Promise<void>;
}
