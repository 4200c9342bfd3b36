// queue(): validation, envelope, first hop of a delay, claim check.
import { WorkflowWorldError } from '@workflow/errors';
import type { ValidQueueName } from '@workflow/world';
import { decodeEnvelope, hasPayloadRef, type Envelope } from '../../../../src/application/queue/envelope.js';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';
import { LocalCoordination } from '../../../../src/application/queue/local-coordination.js';
import { makeQueue } from '../../../../src/application/queue/producer.js';
import { createSendCoalescer } from '../../../../src/application/queue/send-coalescer.js';
import { RecordingLogger, START, createHarness, receiveNow, type Harness } from './harness.js';

let h: Harness;
let sends: number;
let queue: ReturnType<typeof makeQueue>;

function setup(options: { maxHopSeconds?: number; maxMessageBytes?: number } = {}) {
  h = createHarness();
  sends = 0;
  queue = makeQueue({
    queue: h.queue,
    blobStore: h.blobs,
    clock: h.clock,
    ids: h.ids,
    deploymentId: 'aws:test',
    maxHopSeconds: options.maxHopSeconds ?? 900,
    maxMessageBytes: options.maxMessageBytes ?? 256 * 1024,
    afterSend: () => sends++,
  });
}

beforeEach(() => setup());

it('sends a workflow message on the workflow channel and returns its msg_ id', async () => {
  const { messageId } = await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  expect(messageId).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
  const [message] = await receiveNow(h, 'workflow');
  const envelope = decodeEnvelope(message!.body) as Envelope;
  expect(envelope).toEqual({ v: 1, id: messageId, queueName: '__wkf_workflow_wf', deploymentId: 'aws:test', payload: { runId: 'wrun_1' } });
  expect(await receiveNow(h, 'step')).toEqual([]);
  expect(sends).toBe(1);
});

it('carries idempotency key, headers and deployment id, and routes step names to the step channel', async () => {
  const payload = { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' };
  await queue('__wkf_step_step//./src/a//b' as ValidQueueName, payload, {
    idempotencyKey: 'step_1',
    headers: { traceparent: '00-1-2-01' },
    deploymentId: 'dpl_other',
  });
  const [message] = await receiveNow(h, 'step');
  expect(decodeEnvelope(message!.body)).toMatchObject({ idempotencyKey: 'step_1', headers: { traceparent: '00-1-2-01' }, deploymentId: 'dpl_other', payload });
});

it('gives every message a distinct id', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 20; i++) ids.add((await queue('__wkf_workflow_wf' as ValidQueueName, { runId: `wrun_${i}` })).messageId!);
  expect(ids.size).toBe(20);
});

it('sends a long delay as its first capped hop with the absolute due time', async () => {
  setup({ maxHopSeconds: 2 });
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 10 });
  expect(await receiveNow(h, 'workflow')).toEqual([]);
  await h.clock.advance(2_000);
  const [message] = await receiveNow(h, 'workflow');
  expect(decodeEnvelope(message!.body).dueAt).toBe(START + 10_000);
});

it('sends a zero delay immediately without a due time', async () => {
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 0 });
  const [message] = await receiveNow(h, 'workflow');
  expect(decodeEnvelope(message!.body).dueAt).toBeUndefined();
});

it('offloads an oversize payload to the blob store', async () => {
  setup({ maxMessageBytes: 2048 });
  const input = new Uint8Array(10_000).fill(7);
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', runInput: { input } } as never);
  const [message] = await receiveNow(h, 'workflow');
  expect(hasPayloadRef(decodeEnvelope(message!.body))).toBe(true);
  expect(h.blobs.keys()).toHaveLength(1);
  expect(h.blobs.keys()[0]).toMatch(/^queue\/msg_/);
});

it('rejects invalid names, delays and keys with a 400 WorkflowWorldError naming the problem', async () => {
  const cases: Array<[() => Promise<unknown>, RegExp]> = [
    [() => queue('orders' as ValidQueueName, { runId: 'r' }), /Invalid queue name "orders"/],
    [() => queue('__wkf_workflow_' as ValidQueueName, { runId: 'r' }), /Invalid queue name/],
    [() => queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'r' }, { delaySeconds: -1 }), /Invalid delaySeconds -1/],
    [() => queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'r' }, { delaySeconds: Number.NaN }), /Invalid delaySeconds/],
    [() => queue('__wkf_step_s' as ValidQueueName, { runId: 'r' }, { idempotencyKey: '' }), /Invalid idempotencyKey/],
  ];
  for (const [call, message] of cases) {
    const error = await call().catch((e: unknown) => e);
    expect(WorkflowWorldError.is(error)).toBe(true);
    expect((error as WorkflowWorldError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
  }
  expect(h.queue.messageCount('workflow') + h.queue.messageCount('step')).toBe(0);
  expect(sends).toBe(0);
});

describe('the step-sent signal (replay pacing)', () => {
  const stepPayload = (stepId: string) => ({ workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId });

  function withCoalescer(onStepSent: (runId: string) => void) {
    const store = new MemoryIdempotencyStore(h.clock);
    const coalescer = createSendCoalescer({
      store,
      local: new LocalCoordination(h.clock),
      clock: h.clock,
      logger: new RecordingLogger(),
      settings: { claimLeaseSeconds: 30, deliveryLeaseSeconds: 60, wakeupLeaseSeconds: 60, idempotencyWindowSeconds: 3600 },
    });
    const coalesced = makeQueue({
      queue: h.queue,
      blobStore: h.blobs,
      clock: h.clock,
      ids: h.ids,
      deploymentId: 'aws:test',
      maxHopSeconds: 900,
      maxMessageBytes: 256 * 1024,
      coalescer,
      onStepSent,
    });
    return { coalesced, coalescer };
  }

  it('names the run of every step message actually sent, not of coalesced or workflow ones', async () => {
    const runs: string[] = [];
    const { coalesced, coalescer } = withCoalescer((runId) => runs.push(runId));
    try {
      await coalesced('__wkf_step_s' as ValidQueueName, stepPayload('step_1'), { idempotencyKey: 'step_1' });
      await coalesced('__wkf_step_s' as ValidQueueName, stepPayload('step_1'), { idempotencyKey: 'step_1' }); // coalesced
      await coalesced('__wkf_step_s' as ValidQueueName, stepPayload('step_2'), { idempotencyKey: 'step_2' });
      await coalesced('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
      expect(runs).toEqual(['wrun_1', 'wrun_1']);
      expect(await receiveNow(h, 'step')).toHaveLength(2);
    } finally {
      coalescer.close();
    }
  });

  it('without a coalescer every step send counts', async () => {
    const runs: string[] = [];
    const plain = makeQueue({
      queue: h.queue,
      blobStore: h.blobs,
      clock: h.clock,
      ids: h.ids,
      deploymentId: 'aws:test',
      maxHopSeconds: 900,
      maxMessageBytes: 256 * 1024,
      onStepSent: (runId) => runs.push(runId),
    });
    await plain('__wkf_step_s' as ValidQueueName, stepPayload('step_1'), { idempotencyKey: 'step_1' });
    await plain('__wkf_step_s' as ValidQueueName, { notAStep: true } as never);
    expect(runs).toEqual(['wrun_1']);
  });
});
