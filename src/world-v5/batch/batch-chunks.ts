// Splits a batch into the chunks one atomic commit can hold. On DynamoDB a
// commit of several events is one TransactWriteItems: at most 100 actions
// and 4 MB. A chunk holds at most MAX_CHUNK_EVENTS events and an estimated
// MAX_CHUNK_BYTES of payload (payloads above the inline limit go to S3 and
// count as a pointer); a born-running pair is never split. Each chunk is
// atomic; a batch of several chunks is not (docs/architecture.md).
import { encodedSize } from '../../domain/payload-routing.js';
import { isPairStart, type BatchRequest } from './batch-rules.js';

/**
 * Events in a batch write one item each (hook events, which write more, are
 * not batchable), so 100 would fit; 50 leaves half the transaction to the
 * hook and wait deletes a run's terminal event brings along.
 */
export const MAX_CHUNK_EVENTS = 50;
/** Under DynamoDB's 4 MB per transaction, with room for keys, commit record and estimate error. */
export const MAX_CHUNK_BYTES = 3 * 1024 * 1024;
/** What a payload moved to S3 leaves in its item. */
const POINTER_BYTES = 256;

export interface ChunkLimits {
  maxEvents: number;
  maxBytes: number;
  maxInlinePayloadBytes: number;
}

export function estimatedBytes(request: BatchRequest, maxInlinePayloadBytes: number): number {
  let bytes = 256;
  for (const value of Object.values(request.eventData ?? {})) {
    const size = encodedSize(value);
    bytes += size > maxInlinePayloadBytes ? POINTER_BYTES : size;
  }
  return bytes;
}

/** Index ranges [start, end) of the chunks, in order, covering every request. */
export function chunkBatch(requests: readonly BatchRequest[], limits: ChunkLimits): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < requests.length; i++) {
    // A pair moves as one: its size and count are the step_created's and its own.
    if (isPairStart(requests, i)) continue;
    const pair = isPairStart(requests, i + 1) ? 2 : 1;
    let size = 0;
    for (let j = i; j < i + pair; j++) size += estimatedBytes(requests[j]!, limits.maxInlinePayloadBytes);
    const count = i - start;
    if (count > 0 && (count + pair > limits.maxEvents || bytes + size > limits.maxBytes)) {
      chunks.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < requests.length) chunks.push([start, requests.length]);
  return chunks;
}
