// Reads a delivery body whose size and tag the (already verified) signature
// header announced: at most `bodyBytes` are read, the HMAC is fed as chunks
// arrive, and reading stops at the first byte too many.
import type { Hmac } from 'node:crypto';
import { tagsEqual } from './signature.js';

export type SignedBodyResult = { kind: 'valid'; text: string } | { kind: 'mismatch' };

export async function readSignedBody(body: ReadableStream<Uint8Array> | null, bodyBytes: number, hmac: Hmac, bodyTag: string): Promise<SignedBodyResult> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > bodyBytes) {
          await reader.cancel().catch(() => undefined);
          return { kind: 'mismatch' };
        }
        hmac.update(value);
        chunks.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (received !== bodyBytes || !tagsEqual(bodyTag, hmac.digest('hex'))) return { kind: 'mismatch' };
  return { kind: 'valid', text: Buffer.concat(chunks, received).toString('utf8') };
}

/** Releases a body that will not be read, so the connection is not left with unread data. */
export function discardBody(body: ReadableStream<Uint8Array> | null): void {
  if (body && !body.locked) void body.cancel().catch(() => undefined);
}
