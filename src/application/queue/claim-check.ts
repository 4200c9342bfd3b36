// Bodies above the transport limit travel as a claim check: the payload goes
// to the blob store under `queue/<envelope id>` and the message carries a
// pointer. The upload is marked committed once the message exists (stores
// expire uncommitted uploads), reused by chained hops and reschedules, and
// deleted once the message is finally acknowledged.
import { WorkflowWorldError } from '@workflow/errors';
import { CLAIM_CHECK_PREFIX } from '../../domain/claim-check.js';
import { messageGoesToBlob } from '../../domain/payload-routing.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { MessageQueue, QueueChannel } from '../../ports/message-queue.js';
import { encodeEnvelope, hasPayloadRef, type Envelope, type WireEnvelope } from './envelope.js';
import { parseTagged, stringifyTagged } from './tagged-json.js';

export const QUEUE_BLOB_PREFIX = CLAIM_CHECK_PREFIX.queue;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function queueBlobKey(envelopeId: string): string {
  return `${QUEUE_BLOB_PREFIX}${encodeURIComponent(envelopeId)}`;
}

export interface TransportBody {
  body: string;
  /** Set when this call uploaded the payload: commit it once the message is sent. */
  uploadedKey?: string;
}

/** The message body for `envelope`: inline when it fits `maxMessageBytes`, else with its payload offloaded. */
export async function toTransportBody(envelope: WireEnvelope, blobStore: BlobStore, maxMessageBytes: number): Promise<TransportBody> {
  const body = encodeEnvelope(envelope);
  if (!messageGoesToBlob(utf8.encode(body).byteLength, maxMessageBytes)) return { body };
  if (hasPayloadRef(envelope)) throw tooLarge(envelope.id, maxMessageBytes);
  const { payload, ...fields } = envelope;
  const bytes = utf8.encode(stringifyTagged(payload));
  const key = queueBlobKey(envelope.id);
  const pointer = encodeEnvelope({ ...fields, payloadRef: { key, byteLength: bytes.byteLength } });
  // Checked before the upload, so an impossible message leaves no orphaned blob.
  if (messageGoesToBlob(utf8.encode(pointer).byteLength, maxMessageBytes)) throw tooLarge(envelope.id, maxMessageBytes);
  await blobStore.put(key, bytes);
  return { body: pointer, uploadedKey: key };
}

/** Sends the message, then commits the payload it points to: an upload whose send failed is left to expire. */
export async function sendTransportBody(
  queue: MessageQueue,
  blobStore: BlobStore,
  channel: QueueChannel,
  transport: TransportBody,
  delaySeconds: number,
): Promise<void> {
  await queue.send(channel, { body: transport.body, delaySeconds });
  if (transport.uploadedKey) await blobStore.markCommitted?.(transport.uploadedKey);
}

/** The envelope with its payload inline, fetched from the blob store when it was offloaded. */
export async function resolvePayload(envelope: WireEnvelope, blobStore: BlobStore): Promise<Envelope> {
  if (!hasPayloadRef(envelope)) return envelope;
  const { payloadRef, ...fields } = envelope;
  const bytes = await blobStore.get(payloadRef.key);
  return { ...fields, payload: parseTagged(utf8Decoder.decode(bytes)) };
}

/** Whether a resolve failed because the blob is gone (a duplicate of an already finished message). */
export function isMissingPayload(error: unknown): boolean {
  return WorkflowWorldError.is(error) && error.status === 404;
}

/** Deletes the offloaded payload, if any, once no message points to it any more. */
export async function discardPayload(envelope: WireEnvelope, blobStore: BlobStore): Promise<void> {
  if (hasPayloadRef(envelope)) await blobStore.delete(envelope.payloadRef.key);
}

function tooLarge(id: string, limit: number): WorkflowWorldError {
  return new WorkflowWorldError(`Queue message ${id} exceeds ${limit} bytes even with its payload offloaded (headers too large)`, {
    status: 400,
  });
}
