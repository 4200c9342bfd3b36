// The per-message logic shared by the consumer and the Lambda handler.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import type { DeliveryResult } from '../../../../src/application/queue/delivery-protocol.js';
import { decodeEnvelope, encodeEnvelope } from '../../../../src/application/queue/envelope.js';
import { createInProcessDeliverer } from '../../../../src/application/queue/in-process-deliverer.js';
import { LocalCoordination } from '../../../../src/application/queue/local-coordination.js';
import { createMessageProcessor, type Disposition, type ProcessorSettings } from '../../../../src/application/queue/message-processor.js';
import { makeQueue } from '../../../../src/application/queue/producer.js';
import { createDispatch, type RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { createDeliveryLifecycle } from '../../../../src/application/queue/delivery-lifecycle.js';
import { LEASE_SKEW_MARGIN_MS } from '../../../../src/domain/delivery/lease.js';
import type { QueueChannel, ReceivedMessage } from '../../../../src/ports/message-queue.js';
import { START, createHarness, receiveNow, type Harness } from './harness.js';

const DAY_SECONDS = 86_400;
const LIFECYCLE = { leaseSeconds: 30, maxHandlerSeconds: 900, idempotencyWindowSeconds: 3600 };
const SETTINGS: ProcessorSettings = {
  maxHopSeconds: 900,
  maxMessageBytes: 256 * 1024,
  maxReceiveCount: 5,
  retryBaseSeconds: 1,
  retryMaxSeconds: 60,
  leaseSeconds: 30,
  extendLease: false,
  maxHandlerSeconds: 900,
};
const SECRET_MARKER = 'do-not-log-this-payload';

interface Call {
  payload: unknown;
  attempt: number;
  messageId: string;
  at: number;
}

let h: Harness;
let calls: Call[];
let respond: (call: Call) => Promise<void | { timeoutSeconds: number }>;
let processor: ReturnType<typeof createMessageProcessor>;
let queue: ReturnType<typeof makeQueue>;

function setup(settings: Partial<ProcessorSettings> = {}, harness = { maxReceiveCount: 5, maxMessageBytes: undefined as number | undefined }) {
  h = createHarness(harness);
  calls = [];
  respond = async () => undefined;
  const handler: RuntimeHandler = async (payload, meta) => {
    const call = { payload, attempt: meta.attempt, messageId: meta.messageId, at: h.clock.now() };
    calls.push(call);
    return respond(call);
  };
  // Keyed step messages are leased where the step runs: in the dispatch.
  const lifecycle = createDeliveryLifecycle({ store: h.idempotency, clock: h.clock, logger: h.logger, settings: LIFECYCLE });
  h.registry.register('__wkf_workflow_', createDispatch('__wkf_workflow_', handler, { lifecycle }));
  h.registry.register('__wkf_step_', createDispatch('__wkf_step_', handler, { lifecycle }));
  const full: ProcessorSettings = { ...SETTINGS, maxMessageBytes: harness.maxMessageBytes ?? 256 * 1024, ...settings };
  processor = createMessageProcessor({
    queue: h.queue,
    blobStore: h.blobs,
    idempotencyStore: h.idempotency,
    deliverer: createInProcessDeliverer(h.registry),
    clock: h.clock,
    logger: h.logger,
    random: () => 0.5,
    settings: full,
  });
  queue = makeQueue({
    queue: h.queue,
    blobStore: h.blobs,
    clock: h.clock,
    ids: h.ids,
    deploymentId: 'aws:test',
    maxHopSeconds: full.maxHopSeconds,
    maxMessageBytes: full.maxMessageBytes,
  });
}

/** Applies a disposition the way the polling consumer does. */
async function settle(channel: QueueChannel, message: ReceivedMessage, disposition: Disposition): Promise<void> {
  if (disposition.kind === 'ack') {
    await h.queue.ack(channel, message.receipt);
    await disposition.afterAck?.();
  } else {
    await h.queue.setVisibility(channel, message.receipt, disposition.visibilitySeconds);
  }
}

/** Receives and processes everything visible now on `channel`; returns how many messages it handled. */
async function pumpNow(channel: QueueChannel = 'workflow'): Promise<Disposition[]> {
  const out: Disposition[] = [];
  for (const message of await receiveNow(h, channel)) {
    const disposition = await processor.process(channel, message);
    await settle(channel, message, disposition);
    out.push(disposition);
  }
  return out;
}

beforeEach(() => setup());

it('delivers a due message with its payload and attempt 1, then acks it', async () => {
  const { messageId } = await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', input: new Uint8Array([1, 2, 3]) } as never);
  expect(await pumpNow()).toEqual([{ kind: 'ack', afterAck: expect.any(Function) }]);
  expect(calls).toEqual([{ payload: { runId: 'wrun_1', input: new Uint8Array([1, 2, 3]) }, attempt: 1, messageId, at: START }]);
  expect(h.queue.messageCount('workflow')).toBe(0);
});

it('chains an early message without reaching the handler, and delivers it when due', async () => {
  setup({ maxHopSeconds: 2 });
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 5 });
  let hops = 0;
  while (calls.length === 0) {
    await h.clock.advance(1_000);
    const done = await pumpNow();
    if (done.length > 0 && calls.length === 0) hops++;
  }
  // Sent with 2 s, then re-chained at t=2 s (2 s) and t=4 s (1 s); delivered at exactly 5 s.
  expect(hops).toBe(2);
  expect(calls[0]!.at).toBe(START + 5_000);
  expect(calls[0]!.attempt).toBe(1);
});

it('delivers a delayed message when its delay has run out, though the receiver\'s clock is 60 s behind the sender\'s', async () => {
  const ahead = { now: () => h.clock.now() + 30_000, sleep: h.clock.sleep.bind(h.clock) };
  const senderAhead = makeQueue({ queue: h.queue, blobStore: h.blobs, clock: ahead, ids: h.ids, deploymentId: 'aws:test', maxHopSeconds: 900, maxMessageBytes: 256 * 1024 });
  await senderAhead('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 1 });
  // The processor's clock (h.clock) plays the replica 30 s behind; the sender was 30 s ahead.
  await h.clock.advance(1_000);
  await pumpNow();
  expect(calls.map((c) => c.at - START)).toEqual([1_000]);
});

it('counts a chain\'s hops by the queue\'s delays: a receiver whose clock is behind adds nothing', async () => {
  setup({ maxHopSeconds: 2 });
  const ahead = { now: () => h.clock.now() + 30_000, sleep: h.clock.sleep.bind(h.clock) };
  const senderAhead = makeQueue({ queue: h.queue, blobStore: h.blobs, clock: ahead, ids: h.ids, deploymentId: 'aws:test', maxHopSeconds: 2, maxMessageBytes: 256 * 1024 });
  await senderAhead('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 5 });
  const hops: number[] = [];
  while (calls.length === 0) {
    await h.clock.advance(1_000);
    for (const message of await receiveNow(h, 'workflow')) {
      const restMs = decodeEnvelope(message.body).restMs;
      await settle('workflow', message, await processor.process('workflow', message));
      if (calls.length === 0) hops.push(restMs ?? -1);
    }
  }
  // Hops of 2 s leaving 3 s, then 1 s, then due: 5 s after the send, as the sender meant.
  expect(hops).toEqual([3_000, 1_000]);
  expect(calls[0]!.at).toBe(START + 5_000);
});

it('re-sends the same payload for {timeoutSeconds} before acking, with a fresh attempt and the same message id', async () => {
  const { messageId } = await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  // Fail once so the rescheduling delivery is attempt 2.
  respond = async (call) => {
    if (call.attempt === 1 && calls.length === 1) throw new Error('transient');
    if (calls.length === 2) return { timeoutSeconds: 30 };
  };
  await pumpNow();
  await h.clock.advance(2_000);
  const [message] = await receiveNow(h, 'workflow');
  expect(message!.receiveCount).toBe(2);
  const disposition = await processor.process('workflow', message!);
  // The follow-up exists before the caller acks the current message.
  expect(disposition.kind).toBe('ack');
  expect(h.queue.messageCount('workflow')).toBe(2);
  await settle('workflow', message!, disposition);
  expect(calls.map((c) => c.attempt)).toEqual([1, 2]);

  await h.clock.advance(29_000);
  expect(await pumpNow()).toEqual([]);
  await h.clock.advance(1_000);
  await pumpNow();
  expect(calls.map((c) => [c.attempt, c.messageId, c.at - START])).toEqual([
    [1, messageId, 0],
    [2, messageId, 2_000],
    [1, messageId, 32_000],
  ]);
  expect(calls[2]!.payload).toEqual({ runId: 'wrun_1' });
});

it('redelivers at once for {timeoutSeconds: 0}', async () => {
  respond = async () => (calls.length === 1 ? { timeoutSeconds: 0 } : undefined);
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await pumpNow();
  const [again] = await receiveNow(h, 'workflow', 0);
  expect(decodeEnvelope(again!.body).dueAt).toBeUndefined();
});

it('sleeps 30 days in 2 880 hops of 900 s and wakes the handler exactly on time', async () => {
  respond = async () => (calls.length === 1 ? { timeoutSeconds: 30 * DAY_SECONDS } : undefined);
  const sends: number[] = [];
  const send = h.queue.send.bind(h.queue);
  h.queue.send = async (channel, message) => {
    sends.push(message.delaySeconds);
    return send(channel, message);
  };
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await pumpNow();
  expect(calls).toHaveLength(1);
  while (calls.length < 2) {
    await h.clock.advance(900_000);
    await pumpNow();
  }
  // The first send is the original message; then one reschedule plus 2 879 re-chained hops.
  expect(sends.slice(1)).toHaveLength(2880);
  expect(sends.slice(1).every((d) => d === 900)).toBe(true);
  expect(calls[1]!.at).toBe(START + 30 * DAY_SECONDS * 1000);
  expect(calls[1]!.attempt).toBe(1);
});

it('hides a failed message for its backoff, and the attempt counts up on each redelivery', async () => {
  respond = async () => {
    throw new Error('boom');
  };
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  // random() = 0.5 → floor(0.5 · (ceiling + 1)) with ceilings 1, 2, 4 → 1, 1, 2 s.
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    await h.clock.advance(i === 0 ? 0 : delays.at(-1)! * 1000);
    const [d] = await pumpNow();
    expect(d!.kind).toBe('retry');
    delays.push((d as { visibilitySeconds: number }).visibilitySeconds);
  }
  expect(delays).toEqual([1, 1, 2]);
  expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
  expect(h.logger.at('warn').map((w) => w.fields?.reason)).toEqual(['boom', 'boom', 'boom']);
});

it('logs an error naming queue, run, step and message on the last attempt, then the queue dead-letters it', async () => {
  setup({ maxReceiveCount: 2 }, { maxReceiveCount: 2, maxMessageBytes: undefined });
  respond = async () => {
    throw new Error('always');
  };
  const payload = { workflowName: 'wf', workflowRunId: 'wrun_9', workflowStartedAt: 1, stepId: 'step_9', secret: SECRET_MARKER };
  const { messageId } = await queue('__wkf_step_step//./a//b' as ValidQueueName, payload as never);
  await pumpNow('step');
  await h.clock.advance(60_000);
  await pumpNow('step');
  const [error] = h.logger.at('error');
  expect(error!.message).toMatch(/dead-letter/);
  expect(error!.fields).toMatchObject({ queueName: '__wkf_step_step//./a//b', runId: 'wrun_9', stepId: 'step_9', messageId, attempt: 2 });
  await h.clock.advance(60_000);
  expect(await pumpNow('step')).toEqual([]);
  expect(h.queue.deadLetters('step')).toHaveLength(1);
  expect(h.logger.text()).not.toContain(SECRET_MARKER);
});

it('drops a duplicate step message with the same idempotency key, but not a redelivery of the owner', async () => {
  let failFirst = true;
  respond = async () => {
    if (failFirst) {
      failFirst = false;
      throw new Error('retry me');
    }
  };
  const payload = { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' };
  const first = await queue('__wkf_step_s' as ValidQueueName, payload, { idempotencyKey: 'step_1' });
  const second = await queue('__wkf_step_s' as ValidQueueName, payload, { idempotencyKey: 'step_1' });
  expect(first.messageId).not.toBe(second.messageId);
  await pumpNow('step');
  await h.clock.advance(5_000);
  await pumpNow('step');
  expect(calls.map((c) => [c.messageId, c.attempt])).toEqual([
    [first.messageId, 1],
    [first.messageId, 2],
  ]);
  expect(h.queue.messageCount('step')).toBe(0);
  expect(h.logger.at('debug').some((d) => d.message.includes('duplicate') && d.fields?.messageId === second.messageId)).toBe(true);
});

it('does not deduplicate workflow messages', async () => {
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { idempotencyKey: 'k' });
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { idempotencyKey: 'k' });
  await pumpNow();
  expect(calls).toHaveLength(2);
});

it('resolves an offloaded payload, and deletes it only after the final ack', async () => {
  setup({}, { maxReceiveCount: 5, maxMessageBytes: 2048 });
  respond = async () => (calls.length === 1 ? { timeoutSeconds: 1 } : undefined);
  const input = new Uint8Array(8_000).map((_, i) => i % 256);
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', input } as never);
  expect(h.blobs.keys()).toHaveLength(1);
  await pumpNow();
  // Rescheduled: the pointer is reused and the blob kept.
  expect(h.blobs.keys()).toHaveLength(1);
  await h.clock.advance(1_000);
  await pumpNow();
  expect(calls).toHaveLength(2);
  expect(Array.from((calls[1]!.payload as { input: Uint8Array }).input)).toEqual(Array.from(input));
  expect(h.blobs.keys()).toEqual([]);
});

it('acks a message whose offloaded payload is already gone (a duplicate of a finished one)', async () => {
  setup({}, { maxReceiveCount: 5, maxMessageBytes: 2048 });
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', big: 'x'.repeat(5000) } as never);
  await h.blobs.delete(h.blobs.keys()[0]!);
  expect(await pumpNow()).toEqual([{ kind: 'ack' }]);
  expect(calls).toHaveLength(0);
});

it('retries an undecodable message and reports the channel', async () => {
  await h.queue.send('workflow', { body: 'garbage', delaySeconds: 0 });
  const [d] = await pumpNow();
  expect(d).toEqual({ kind: 'retry', visibilitySeconds: 1, channel: 'workflow' });
  expect(calls).toHaveLength(0);
});

it('retries when no handler is registered in this process', async () => {
  await queue('__tenant_wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const [d] = await pumpNow();
  expect(d!.kind).toBe('retry');
  expect(h.logger.at('warn')[0]!.fields?.reason).toMatch(/no queue handler is registered/);
});

it('keeps the message leased while a slow handler runs', async () => {
  setup({ extendLease: true });
  let finish!: () => void;
  respond = () => new Promise<void>((resolve) => (finish = resolve));
  await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const [message] = await receiveNow(h, 'workflow', 30);
  const processing = processor.process('workflow', message!);
  while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 10; i++) {
    await h.clock.advance(15_000);
    expect(await receiveNow(h, 'workflow')).toEqual([]);
  }
  finish();
  const disposition = await processing;
  await settle('workflow', message!, disposition);
  expect(h.queue.messageCount('workflow')).toBe(0);
  expect(h.logger.at('warn')).toEqual([]);
  expect(h.clock.pendingSleeps).toBe(0);
});

describe('each message runs once', () => {
  const stepPayload = { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' };

  /** A message and one copy of it (same body, another transport message), both received. */
  async function messageAndCopy(channel: QueueChannel, queueName: string, payload: unknown, idempotencyKey?: string) {
    const { messageId } = await queue(queueName as ValidQueueName, payload as never, idempotencyKey ? { idempotencyKey } : undefined);
    const [original] = await receiveNow(h, channel);
    await h.queue.send(channel, { body: original!.body, delaySeconds: 0 });
    const [copy] = await receiveNow(h, channel);
    return { messageId, original: original!, copy: copy! };
  }

  it('a copy arriving while the message is in flight waits (sent again with a delay, not counted as a receive); one arriving after it succeeded is acked', async () => {
    let release!: () => void;
    respond = () => new Promise<void>((resolve) => (release = resolve));
    const { original, copy } = await messageAndCopy('step', '__wkf_step_s', stepPayload, 'step_1');
    const running = processor.process('step', original);
    await new Promise((resolve) => setImmediate(resolve));
    const deferred = await processor.process('step', copy);
    expect(deferred).toEqual({ kind: 'ack' });
    await settle('step', copy, deferred);
    release();
    await settle('step', original, await running);
    expect(await receiveNow(h, 'step')).toEqual([]);
    await h.clock.advance(30_000);
    const [again] = await receiveNow(h, 'step');
    // A new message: its receive count starts again, so deferrals never approach the dead-letter threshold.
    expect(again!.receiveCount).toBe(1);
    expect(await processor.process('step', again!)).toEqual({ kind: 'ack' });
    expect(calls.map((c) => c.attempt)).toEqual([1]);
    expect(h.logger.at('warn')).toEqual([]);
  });

  it('across processes, the delivery lease keeps a copy out until it lapses (with the skew margin), without counting a receive', async () => {
    let release!: () => void;
    respond = () => new Promise<void>((resolve) => (release = resolve));
    const { original, copy } = await messageAndCopy('step', '__wkf_step_s', stepPayload, 'step_1');
    // A second process: its own in-process knowledge, the same store.
    const other = createMessageProcessor({
      queue: h.queue,
      blobStore: h.blobs,
      idempotencyStore: h.idempotency,
      deliverer: createInProcessDeliverer(h.registry),
      clock: h.clock,
      logger: h.logger,
      random: () => 0.5,
      settings: SETTINGS,
    });
    const running = processor.process('step', original);
    await new Promise((resolve) => setImmediate(resolve));
    const sends = jest.spyOn(h.queue, 'send');
    expect(await other.process('step', copy)).toEqual({ kind: 'ack' });
    expect(sends).toHaveBeenCalledWith('step', { body: copy.body, delaySeconds: 30 + LEASE_SKEW_MARGIN_MS / 1000 });
    release();
    expect(await running).toMatchObject({ kind: 'ack' });
    expect(calls).toHaveLength(1);
  });

  it('a copy whose deferral cannot be sent is hidden instead (counted, but never run)', async () => {
    let release!: () => void;
    respond = () => new Promise<void>((resolve) => (release = resolve));
    const { original, copy } = await messageAndCopy('step', '__wkf_step_s', stepPayload, 'step_1');
    const running = processor.process('step', original);
    await new Promise((resolve) => setImmediate(resolve));
    jest.spyOn(h.queue, 'send').mockRejectedValueOnce(new Error('SQS down'));
    expect(await processor.process('step', copy)).toEqual({ kind: 'retry', visibilitySeconds: 30, channel: 'step' });
    expect(h.logger.at('warn')[0]!.message).toMatch(/Could not defer/);
    release();
    await running;
    expect(calls).toHaveLength(1);
  });

  it('copies of a workflow message replay the run once', async () => {
    let release!: () => void;
    respond = () => new Promise<void>((resolve) => (release = resolve));
    const { original, copy } = await messageAndCopy('workflow', '__wkf_workflow_wf', { runId: 'wrun_1' });
    const running = processor.process('workflow', original);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await processor.process('workflow', copy)).toEqual({ kind: 'ack' }); // deferred: sent again with a delay
    release();
    await running;
    await h.clock.advance(30_000);
    const [again] = await receiveNow(h, 'workflow');
    expect(await processor.process('workflow', again!)).toEqual({ kind: 'ack' });
    expect(calls).toHaveLength(1);
  });

  it('replays of one run never overlap in a process; other runs are not held up', async () => {
    const active = new Map<string, number>();
    let overlap = false;
    const releases: Array<() => void> = [];
    respond = async (call) => {
      const runId = (call.payload as { runId: string }).runId;
      active.set(runId, (active.get(runId) ?? 0) + 1);
      if (active.get(runId)! > 1) overlap = true;
      await new Promise<void>((resolve) => releases.push(resolve));
      active.set(runId, active.get(runId)! - 1);
    };
    for (const runId of ['wrun_1', 'wrun_1', 'wrun_2']) await queue('__wkf_workflow_wf' as ValidQueueName, { runId });
    const messages = await receiveNow(h, 'workflow');
    const done = messages.map((m) => processor.process('workflow', m));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((c) => (c.payload as { runId: string }).runId).sort()).toEqual(['wrun_1', 'wrun_2']);
    while (calls.length < 3 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(done);
    expect(overlap).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it('clears the run’s wake-up mark before the replay runs', async () => {
    let pendingDuringReplay: string | undefined = 'not called';
    respond = async () => {
      pendingDuringReplay = await h.idempotency.pendingWakeup('wrun_1');
    };
    const body = encodeEnvelope({ v: 1, id: 'msg_wake', queueName: '__wkf_workflow_wf' as ValidQueueName, deploymentId: 'aws:test', wake: true, payload: { runId: 'wrun_1' } });
    await h.idempotency.markWakeup('wrun_1', 'msg_wake', 60);
    await h.queue.send('workflow', { body, delaySeconds: 0 });
    await pumpNow('workflow');
    expect(pendingDuringReplay).toBeUndefined();
  });
});

describe('the consumer never frees a lease it does not hold', () => {
  const payload = { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' };

  it('a gateway 504 while the handler still runs: the retry finds the lease held and waits; the body runs once', async () => {
    // The consumer's view: the first delivery answers 504 (a gateway gave up) while the dispatch keeps running.
    let finish!: () => void;
    respond = () => new Promise<void>((resolve) => (finish = resolve));
    const dispatch = h.registry.lookup('__wkf_step_s')!;
    let bodyRun: Promise<unknown> | undefined;
    const release = jest.spyOn(h.idempotency, 'releaseDelivery');
    processor = createMessageProcessor({
      queue: h.queue,
      blobStore: h.blobs,
      idempotencyStore: h.idempotency,
      deliverer: {
        deliver: async (envelope, attempt) => {
          const outcome = dispatch(envelope, { attempt });
          if (!bodyRun) {
            bodyRun = outcome;
            await new Promise((resolve) => setImmediate(resolve));
            return { kind: 'failed', status: 504, reason: 'HTTP 504: Gateway Timeout' };
          }
          const answer = await outcome;
          return answer.kind === 'busy' ? answer : { kind: 'done' };
        },
        close: async () => undefined,
      },
      clock: h.clock,
      logger: h.logger,
      random: () => 0,
      settings: SETTINGS,
    });
    await queue('__wkf_step_s' as ValidQueueName, payload, { idempotencyKey: 'step_1' });
    const [first] = await pumpNow('step');
    expect(first!.kind).toBe('retry');
    expect(release).not.toHaveBeenCalled();
    await h.clock.advance(1_000);
    // The retry: the handler's lease is still held, so it waits without running the body.
    expect(await pumpNow('step')).toEqual([{ kind: 'ack' }]);
    expect(calls).toHaveLength(1);
    finish();
    await bodyRun;
    expect(calls).toHaveLength(1);
  });
});

describe('deadlines', () => {
  it('a hung delivery is abandoned at the deadline with an error naming message and run; the run’s next wake-up is not held', async () => {
    setup({ maxHandlerSeconds: 60 });
    const hung = new Promise<void>(() => undefined);
    respond = async (call) => ((call.payload as { hang?: boolean }).hang ? hung : undefined);
    const { messageId } = await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', hang: true } as never);
    const [message] = await receiveNow(h, 'workflow');
    const stuck = processor.process('workflow', message!);
    await new Promise((resolve) => setImmediate(resolve));
    await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
    const [next] = await receiveNow(h, 'workflow');
    const waiting = processor.process('workflow', next!);
    await h.clock.advance(60_000);
    expect((await stuck).kind).toBe('retry');
    expect(await waiting).toMatchObject({ kind: 'ack' });
    expect(calls).toHaveLength(2);
    const [error] = h.logger.at('error');
    expect(error!.message).toMatch(/handler deadline/);
    expect(error!.fields).toMatchObject({ messageId, runId: 'wrun_1' });
    // The abandoned message's id no longer counts as in flight: its redelivery runs.
    await h.clock.advance(10_000);
    expect(calls.filter((c) => (c.payload as { hang?: boolean }).hang)).toHaveLength(1);
  });

  it('logs an error with message and run ids when a message nears the dead-letter threshold', async () => {
    setup({ maxReceiveCount: 20 }, { maxReceiveCount: 20, maxMessageBytes: undefined });
    respond = async () => {
      throw new Error('always');
    };
    const { messageId } = await queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_7', secret: SECRET_MARKER } as never);
    for (let i = 0; i < 18; i++) {
      await pumpNow();
      await h.clock.advance(120_000);
    }
    // Receives 1–17 warn; 18 and 19 (the last tenth before the 20th) are errors.
    expect(h.logger.at('warn')).toHaveLength(17);
    expect(h.logger.at('error')).toHaveLength(1);
    expect(h.logger.at('error')[0]!.fields).toMatchObject({ messageId, runId: 'wrun_7', attempt: 18, maxReceiveCount: 20 });
    expect(h.logger.text()).not.toContain(SECRET_MARKER);
  });
});

describe('replay pacing', () => {
  it("a step of the run delivered with success ends the run's paced gap", async () => {
    const local = new LocalCoordination(h.clock, { fromMs: 20, factor: 100, capMs: 10_000, fanOutFrom: 50 });
    const paced = createMessageProcessor({
      queue: h.queue,
      blobStore: h.blobs,
      idempotencyStore: h.idempotency,
      deliverer: createInProcessDeliverer(h.registry),
      clock: h.clock,
      logger: h.logger,
      random: () => 0.5,
      local,
      settings: SETTINGS,
    });
    await queue('__wkf_step_s' as ValidQueueName, { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' }, { idempotencyKey: 'step_1' });
    local.pacing.stepSent('wrun_1'); // what the producer reports when its coalescer is wired
    const first = local.serialized('wrun_1', () => h.clock.sleep(40)); // asks for a 4 s gap
    const next = local.serialized('wrun_1', async () => h.clock.now());
    await new Promise((resolve) => setImmediate(resolve));
    await h.clock.advance(40);
    await first;
    const [message] = await receiveNow(h, 'step');
    expect((await paced.process('step', message!)).kind).toBe('ack');
    expect(await next).toBe(START + 40);
  });
});
