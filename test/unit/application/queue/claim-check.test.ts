// Oversize bodies travel as a pointer to the blob store.
import { WorkflowWorldError } from '@workflow/errors';
import { ValidQueueName } from '@workflow/world';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import {
  QUEUE_BLOB_PREFIX,
  discardPayload,
  isMissingPayload,
  resolvePayload,
  toTransportBody,
} from '../../../../src/application/queue/claim-check.js';
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
  const body = await toTransportBody(envelope({ runId: 'wrun_1' }), blobs, LIMIT);
  expect(hasPayloadRef(decodeEnvelope(body))).toBe(false);
  expect(blobs.keys()).toEqual([]);
});

it('offloads an oversize payload under queue/ and resolves it back exactly', async () => {
  const input = new Uint8Array(4096).map((_, i) => i % 251);
  const original = envelope({ runId: 'wrun_1', runInput: { input } }, { traceparent: 't' });
  const body = await toTransportBody(original, blobs, LIMIT);
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
  const pointerBody = await toTransportBody(envelope({ big: 'x'.repeat(5000) }), blobs, LIMIT);
  const wire = decodeEnvelope(pointerBody);
  const again = await toTransportBody({ ...wire, dueAt: 99 }, blobs, LIMIT);
  expect(decodeEnvelope(again)).toEqual({ ...wire, dueAt: 99 });
  expect(blobs.keys()).toHaveLength(1);
});

it('refuses a message whose headers alone exceed the limit', async () => {
  const error = await toTransportBody(envelope({}, { big: 'h'.repeat(LIMIT) }), blobs, LIMIT).catch((e: unknown) => e);
  expect(WorkflowWorldError.is(error)).toBe(true);
  expect((error as WorkflowWorldError).status).toBe(400);
  expect(blobs.keys()).toEqual([]);
});
