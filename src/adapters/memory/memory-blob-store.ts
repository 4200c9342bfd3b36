// Blob store in a Map. Bytes are copied in and out so neither the caller nor
// a reader can change what is stored.
import { WorkflowWorldError } from '@workflow/errors';
import type { BlobStore } from '../../ports/blob-store.js';

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Uint8Array>();

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.blobs.set(key, bytes.slice());
  }

  async get(key: string): Promise<Uint8Array> {
    const bytes = this.blobs.get(key);
    if (!bytes) throw new WorkflowWorldError(`Blob not found: ${key}`, { status: 404, code: 'BLOB_NOT_FOUND' });
    return bytes.slice();
  }

  /** Deleting a missing key succeeds, as on S3. */
  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
  }

  /** Stored keys, for tests that check claim-check objects were written or cleaned up. */
  keys(): string[] {
    return [...this.blobs.keys()];
  }
}
