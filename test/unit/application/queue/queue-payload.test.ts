// queue() refuses a payload JSON cannot carry (or would silently change), with
// a 400 naming the field; nothing is sent.
import { WorkflowWorldError } from '@workflow/errors';
import type { ValidQueueName } from '@workflow/world';
import { decodeEnvelope, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeQueue } from '../../../../src/application/queue/producer.js';
import { createHarness, receiveNow, type Harness } from './harness.js';

let h: Harness;
let queue: ReturnType<typeof makeQueue>;

beforeEach(() => {
  h = createHarness();
  queue = makeQueue({ queue: h.queue, blobStore: h.blobs, clock: h.clock, ids: h.ids, deploymentId: 'aws:test', maxHopSeconds: 900, maxMessageBytes: 256 * 1024 });
});

const send = (payload: unknown) => queue('__wkf_workflow_wf' as ValidQueueName, payload as never);

const circular: Record<string, unknown> = { runId: 'wrun_1' };
circular.self = circular;
let deep: Record<string, unknown> = {};
for (let i = 0; i < 3000; i++) deep = { n: deep };

it.each([
  ['a BigInt', { runId: 'wrun_1', n: 10n }, /payload\.n: a BigInt/],
  ['a circular value', circular, /payload\.self: circular reference/],
  ['nesting 3,000 deep', { runId: 'wrun_1', deep }, /payload\.deep\.n.*nested deeper than 512 levels/],
  ['a Map', { runId: 'wrun_1', m: new Map([['k', 1]]) }, /payload\.m: a Map cannot be stored/],
])('refuses a payload with %s with a 400 naming the field, sending nothing', async (_label, payload, named) => {
  const error = await send(payload).catch((e: unknown) => e);
  expect(WorkflowWorldError.is(error)).toBe(true);
  expect((error as WorkflowWorldError).status).toBe(400);
  expect((error as Error).message).toMatch(named);
  expect(await receiveNow(h, 'workflow')).toEqual([]);
});

it('sends what the runtime sends: ids, a Date and bytes', async () => {
  await send({ runId: 'wrun_1', requestedAt: new Date(0), traceCarrier: { traceparent: 'x' }, bytes: new Uint8Array([1, 2]) });
  const [message] = await receiveNow(h, 'workflow');
  const payload = (decodeEnvelope(message!.body) as Envelope).payload as Record<string, unknown>;
  expect(payload.runId).toBe('wrun_1');
  expect([...(payload.bytes as Uint8Array)]).toEqual([1, 2]);
});
