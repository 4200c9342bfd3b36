// queue() refuses header names and values that delivery could never carry
// (they would fail every attempt until the DLQ), naming the header; nothing is sent.
import { WorkflowWorldError } from '@workflow/errors';
import type { ValidQueueName } from '@workflow/world';
import { buildDeliveryRequest } from '../../../../src/application/queue/delivery-protocol.js';
import { decodeEnvelope, type Envelope } from '../../../../src/application/queue/envelope.js';
import { makeQueue } from '../../../../src/application/queue/producer.js';
import { createHarness, receiveNow, type Harness } from './harness.js';

let h: Harness;
let queue: ReturnType<typeof makeQueue>;

beforeEach(() => {
  h = createHarness();
  queue = makeQueue({ queue: h.queue, blobStore: h.blobs, clock: h.clock, ids: h.ids, deploymentId: 'aws:test', maxHopSeconds: 900, maxMessageBytes: 256 * 1024 });
});

const send = (headers: unknown) => queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { headers: headers as Record<string, string> });

it.each([
  ['has a space', { 'bad header': 'v' }, /header name "bad header"/],
  ['is empty', { '': 'v' }, /header name ""/],
  ['has a colon', { 'x:y': 'v' }, /header name "x:y"/],
  ['is non-ASCII', { 'é': 'v' }, /header name "é"/],
  ['starts with a dot', { '.x': 'v' }, /header name ".x"/],
  ['contains ".."', { 'a..b': 'v' }, /header name "a..b"/],
  ['uses the reserved aws. prefix', { 'AWS.trace': 'v' }, /header name "AWS.trace"/],
  ['is longer than 256 characters', { ['h'.repeat(257)]: 'v' }, /header name "h{257}"/],
  ['has a CR/LF in its value', { traceparent: 'a\r\nx-injected: 1' }, /header "traceparent".*control character/],
  ['has a NUL in its value', { traceparent: 'a\u0000' }, /header "traceparent".*control character/],
  ['has a character beyond Latin-1 in its value', { tracestate: 'price=€' }, /header "tracestate".*beyond Latin-1/],
  ['has a non-string value', { traceparent: 42 }, /header "traceparent".*must be a string/],
])('refuses a header that %s with a 400 naming it, sending nothing', async (_label, headers, named) => {
  const error = await send(headers).catch((e: unknown) => e);
  expect(WorkflowWorldError.is(error)).toBe(true);
  expect((error as WorkflowWorldError).status).toBe(400);
  expect((error as Error).message).toMatch(named);
  expect(await receiveNow(h, 'workflow')).toEqual([]);
});

it('accepts trace headers and delivers them', async () => {
  const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=b, c=d', 'x-custom_header.v2': 'ü ok' };
  await send(headers);
  const [message] = await receiveNow(h, 'workflow');
  const envelope = decodeEnvelope(message!.body) as Envelope;
  const request = buildDeliveryRequest(envelope, 1, 'secret', h.clock.now());
  expect(request.headers.get('traceparent')).toBe(headers.traceparent);
  expect(request.headers.get('tracestate')).toBe(headers.tracestate);
});
