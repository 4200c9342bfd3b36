// How the streamer frames each chunk before handing it to the StreamStore.
// The store treats bytes as opaque; one leading kind byte tells an inline
// chunk from a claim check (a pointer to a blob), so user bytes never need to
// be inspected or escaped.
import { WorkflowWorldError } from '@workflow/errors';

const INLINE = 0x00;
const BLOB = 0x01;

export type ChunkBody = { kind: 'inline'; data: Uint8Array } | { kind: 'blob'; key: string };

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeInline(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.byteLength + 1);
  out[0] = INLINE;
  out.set(data, 1);
  return out;
}

export function encodeBlobRef(key: string): Uint8Array {
  const keyBytes = utf8Encoder.encode(key);
  const out = new Uint8Array(keyBytes.byteLength + 1);
  out[0] = BLOB;
  out.set(keyBytes, 1);
  return out;
}

/**
 * Reverses the framing. An empty stored chunk (a gap the store gave up
 * waiting for) reads as an empty inline chunk: skipped by readers, still counted.
 */
export function decodeEnvelope(stored: Uint8Array): ChunkBody {
  if (stored.byteLength === 0) return { kind: 'inline', data: stored };
  const body = stored.subarray(1);
  // A copy, so callers that use `.buffer` never see the kind byte.
  if (stored[0] === INLINE) return { kind: 'inline', data: body.slice() };
  if (stored[0] === BLOB) {
    try {
      return { kind: 'blob', key: utf8Decoder.decode(body) };
    } catch (cause) {
      throw corrupt(cause);
    }
  }
  throw corrupt();
}

const corrupt = (cause?: unknown) =>
  new WorkflowWorldError('Stored stream chunk has an unknown envelope', { status: 500, code: 'STREAM_CHUNK_CORRUPT', cause });
