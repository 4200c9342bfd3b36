// Oversize bodies travel as a pointer to the blob store.
import { WorkflowWorldError } from '@workflow/errors';
import { ValidQueueName } from '@workflow/world';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import {
  QUEUE_BLOB_PREFIX,
  discardPayload,
  isMissingPayload,
  resolvePayload,
  sendTransportBody,
  toTransportBody,
} from '../../../../src/application/queue/claim-check.js';
import type { BlobStore } from '../../../../src/ports/blob-store.js';
import type { MessageQueue } from '../../../../src/ports/message-queue.js';
import { ENVELOPE_VERSION, decodeEnvelope, hasPayloadRef, type Envelope } from '../../../../src/application/queue/envelope.js';

const LIMIT = 2048;

const envelope = (payload: unknown, headers?: Record<string, string>): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_01J00000000000000000000001',
  queueName: ValidQueueName.parse('__wkf_workflow_wf'),
  deploymentId: 'aws:test',
  headers,
  payload,
});

let blobs: MemoryBlobStore;
beforeEach(() => {
  blobs = new MemoryBlobStore();
});

it('keeps a body that fits inline and writes no blob', async () => {
  const { body, uploadedKey } = await toTransportBody(envelope({ runId: 'wrun_1' }), blobs, LIMIT);
  expect(hasPayloadRef(decodeEnvelope(body))).toBe(false);
  expect(uploadedKey).toBeUndefined();
  expect(blobs.keys()).toEqual([]);
});

it('offloads an oversize payload under queue/ and resolves it back exactly', async () => {
  const input = new Uint8Array(4096).map((_, i) => i % 251);
  const original = envelope({ runId: 'wrun_1', runInput: { input } }, { traceparent: 't' });
  const { body, uploadedKey } = await toTransportBody(original, blobs, LIMIT);
  expect(uploadedKey).toBe(`${QUEUE_BLOB_PREFIX}msg_01J00000000000000000000001`);
  expect(new TextEncoder().encode(body).byteLength).toBeLessThanOrEqual(LIMIT);
  const wire = decodeEnvelope(body);
  expect(hasPayloadRef(wire)).toBe(true);
  expect(blobs.keys()).toEqual([`${QUEUE_BLOB_PREFIX}msg_01J00000000000000000000001`]);
  expect(wire).toMatchObject({ id: original.id, queueName: original.queueName, headers: { traceparent: 't' } });

  const resolved = await resolvePayload(wire, blobs);
  expect(resolved).toEqual(original);

  await discardPayload(wire, blobs);
  expect(blobs.keys()).toEqual([]);
  const missing = await resolvePayload(wire, blobs).catch((e: unknown) => e);
  expect(isMissingPayload(missing)).toBe(true);
});

it('reuses an existing pointer instead of uploading again', async () => {
  const pointer = await toTransportBody(envelope({ big: 'x'.repeat(5000) }), blobs, LIMIT);
  const wire = decodeEnvelope(pointer.body);
  const again = await toTransportBody({ ...wire, dueAt: 99 }, blobs, LIMIT);
  expect(decodeEnvelope(again.body)).toEqual({ ...wire, dueAt: 99 });
  expect(again.uploadedKey).toBeUndefined();
  expect(blobs.keys()).toHaveLength(1);
});

it('refuses a message whose headers alone exceed the limit', async () => {
  const error = await toTransportBody(envelope({}, { big: 'h'.repeat(LIMIT) }), blobs, LIMIT).catch((e: unknown) => e);
  expect(WorkflowWorldError.is(error)).toBe(true);
  expect((error as WorkflowWorldError).status).toBe(400);
  expect(blobs.keys()).toEqual([]);
});

it('commits an upload only after the message referencing it was sent', async () => {
  const committed: string[] = [];
  const tracked: BlobStore = Object.assign(blobs, {
    markCommitted: async (key: string) => {
      committed.push(key);
    },
  });
  const sent: string[] = [];
  const queue = {
    maxDelaySeconds: 900,
    maxMessageBytes: LIMIT,
    send: async (_channel: string, message: { body: string }) => {
      sent.push(message.body);
      if (sent.length === 1) throw new Error('send failed');
      return { messageId: 'm' };
    },
  } as unknown as MessageQueue;
  const transport = await toTransportBody(envelope({ big: 'x'.repeat(5000) }), tracked, LIMIT);
  await expect(sendTransportBody(queue, tracked, 'workflow', transport, 0)).rejects.toThrow('send failed');
  expect(committed).toEqual([]);
  await sendTransportBody(queue, tracked, 'workflow', transport, 0);
  expect(committed).toEqual([transport.uploadedKey]);
});
