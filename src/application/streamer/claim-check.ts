// Chunks too large for a store item travel as claim checks: the bytes go to
// the BlobStore and the stream keeps only the key. Reads resolve them back,
// so readers never see the difference.
import { CLAIM_CHECK_PREFIX } from '../../domain/claim-check.js';
import { DYNAMODB_ITEM_HEADROOM_BYTES, DYNAMODB_ITEM_LIMIT_BYTES, payloadBlobKey } from '../../domain/payload-routing.js';
import type { BlobStore } from '../../ports/blob-store.js';
import { decodeEnvelope, encodeBlobRef, encodeInline } from './chunk-envelope.js';

export interface ChunkClaimCheckOptions {
  blobs: BlobStore;
  maxInlineBytes: number;
  blobPrefix?: string;
}

export interface PreparedChunk {
  stored: Uint8Array;
  /** Set when the chunk was offloaded, so a failed append can remove the orphan. */
  blobKey?: string;
}

export class ChunkClaimCheck {
  private readonly inlineLimit: number;
  private readonly prefix: string;

  constructor(private readonly options: ChunkClaimCheckOptions) {
    // Never above what one item can hold, whatever the configured threshold.
    this.inlineLimit = Math.min(options.maxInlineBytes, DYNAMODB_ITEM_LIMIT_BYTES - DYNAMODB_ITEM_HEADROOM_BYTES);
    // Under the run's payload prefix by default, so run-scoped cleanup covers them.
    this.prefix = options.blobPrefix ?? CLAIM_CHECK_PREFIX.payloads;
  }

  async prepare(name: string, runId: string, data: Uint8Array): Promise<PreparedChunk> {
    if (data.byteLength <= this.inlineLimit) return { stored: encodeInline(data) };
    const key = payloadBlobKey(this.prefix, runId, name, `chunk-${crypto.randomUUID()}`);
    await this.options.blobs.put(key, data);
    return { stored: encodeBlobRef(key), blobKey: key };
  }

  /**
   * The chunks are in the stream: their blobs must outlive the store's expiry
   * of uncommitted uploads (docs/payloads.md, "Orphans").
   */
  async commit(chunks: PreparedChunk[]): Promise<void> {
    const { blobs } = this.options;
    if (!blobs.markCommitted) return;
    await Promise.all(chunks.map((c) => (c.blobKey ? blobs.markCommitted!(c.blobKey) : undefined)));
  }

  /** Best effort: an orphaned blob costs storage, never correctness. */
  async discard(chunks: PreparedChunk[]): Promise<void> {
    await Promise.all(chunks.map((c) => (c.blobKey ? this.options.blobs.delete(c.blobKey).catch(() => undefined) : undefined)));
  }

  async resolve(stored: Uint8Array): Promise<Uint8Array> {
    const body = decodeEnvelope(stored);
    return body.kind === 'inline' ? body.data : this.options.blobs.get(body.key);
  }
}
