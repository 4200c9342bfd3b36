// Steps run in the process that created them: a step message queued by a
// workflow delivery here claims its key with the delivery lease (one write),
// its run is covered by one delayed safety net (a wake-up of the run, sent
// only when none covers now), and the step runs here at once. The net comes
// back to its live sender and is acked without a run.
import type { Storage, ValidQueueName } from '@workflow/world';
import { createHandlerRegistry } from '../../../../src/application/queue/handler-registry.js';
import type { QueueConfig, QueueServices } from '../../../../src/application/queue/queue-services.js';
import type { RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { LEASE_SKEW_MARGIN_MS } from '../../../../src/domain/delivery/lease.js';
import { gateCommits } from '../../../../src/application/queue/inline-steps.js';
import { encodeEnvelope } from '../../../../src/application/queue/envelope.js';
import { createHarness, fakeRuns, recordedQueueServices, type Harness, until } from './harness.js';

let h: Harness;
let ops: string[];
let worlds: QueueServices[];

function world(config: Partial<QueueConfig> = {}, runs: Storage['runs'] = fakeRuns([])): QueueServices {
  const services = recordedQueueServices(h, ops, config, runs);
  worlds.push(services);
  return services;
}

const WF = '__wkf_workflow_wf' as ValidQueueName;
const STEP = '__wkf_step_s' as ValidQueueName;
const stepPayload = (stepId: string) => ({ workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId, requestedAt: new Date(0) });
/** Lease (the harness's 30 s visibility) + skew margin + 1 s, in whole seconds. */
const NET_DELAY = 30 + LEASE_SKEW_MARGIN_MS / 1000 + 1;
const NET = `send:workflow:${NET_DELAY}`;

interface Call {
  queueName: string;
  payload: unknown;
  attempt: number;
}

/** What the runtime commits through the World's wrapped events.create: `step_created` before queueing, `step_started` first in a step. */
let commits: string[];
const commit = gateCommits(async (_runId: string, data: { eventType: string; correlationId: string }) => void commits.push(`${data.eventType}:${data.correlationId}`));

/**
 * The runtime's handlers: the workflow handler queues `steps` (keyed by step
 * id); the step handler commits `step_started`, then runs its body (`step`).
 */
function mountRuntime(
  steps: string[],
  step: RuntimeHandler = async () => undefined,
  config: Partial<QueueConfig> = {},
  runs?: Storage['runs'],
): { calls: Call[]; runtime: QueueServices } {
  const calls: Call[] = [];
  const runtime = world(config, runs);
  runtime.createQueueHandler('__wkf_workflow_', async (payload, meta) => {
    calls.push({ queueName: meta.queueName, payload, attempt: meta.attempt });
    for (const stepId of steps) {
      await commit('wrun_1', { eventType: 'step_created', correlationId: stepId });
      await runtime.queue(STEP, stepPayload(stepId), { idempotencyKey: stepId });
    }
    return undefined;
  });
  runtime.createQueueHandler('__wkf_step_', async (payload, meta) => {
    await commit('wrun_1', { eventType: 'step_started', correlationId: (payload as { stepId: string }).stepId });
    calls.push({ queueName: meta.queueName, payload, attempt: meta.attempt });
    return step(payload, meta);
  });
  return { calls, runtime };
}

const stepCalls = (calls: Call[]) => calls.filter((c) => c.queueName === STEP);

beforeEach(() => {
  commits = [];
  h = createHarness();
  h.registry = createHandlerRegistry();
  ops = [];
  worlds = [];
});

afterEach(async () => {
  const closing = Promise.all(worlds.map((w) => w.consumer.close()));
  await h.clock.advance(1_000);
  await closing;
});

it('runs a step its workflow delivery queued right here, with the lease its claim took, its run covered by a delayed net', async () => {
  const { calls, runtime } = mountRuntime(['step_1']);
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => stepCalls(calls).length === 1 && ops.includes('ack:workflow'));
  // The step ran without a message of its own: the run's net waits out a lease.
  expect(ops).toEqual(['send:workflow:0', NET, 'ack:workflow']);
  // What a queue delivery would have decoded (the date as its JSON string); the first real delivery.
  expect(stepCalls(calls)[0]).toEqual({ queueName: STEP, payload: { ...stepPayload('step_1'), requestedAt: '1970-01-01T00:00:00.000Z' }, attempt: 1 });

  // The net comes back to its sender, alive and holding nothing of the run: acked without a run or a read.
  await h.clock.advance(NET_DELAY * 1000);
  await until(() => ops.filter((o) => o === 'ack:workflow').length === 2);
  expect(calls.filter((c) => c.queueName === WF)).toHaveLength(1);
  expect(h.queue.messageCount('workflow') + h.queue.messageCount('step')).toBe(0);
});

it('a sequence runs in process end to end: each step\'s wake-up replays the run here, which creates and runs the next', async () => {
  const done: string[] = [];
  const runtime = world();
  runtime.createQueueHandler('__wkf_workflow_', async () => {
    if (done.length === 3) return undefined;
    const stepId = `step_${done.length + 1}`;
    await commit('wrun_1', { eventType: 'step_created', correlationId: stepId });
    await runtime.queue(STEP, stepPayload(stepId), { idempotencyKey: stepId });
    return undefined;
  });
  runtime.createQueueHandler('__wkf_step_', async (payload) => {
    const { stepId } = payload as { stepId: string };
    await commit('wrun_1', { eventType: 'step_started', correlationId: stepId });
    done.push(stepId);
    await runtime.queue(WF, { runId: 'wrun_1' });
    return undefined;
  });
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => done.length === 3);
  expect(done).toEqual(['step_1', 'step_2', 'step_3']);
  // One workflow message to start and one net for the whole run; no step message.
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET]);
});

it('claimed the key with the lease in one write: a copy of the message elsewhere is busy, a re-queue coalesces', async () => {
  let finish!: () => void;
  const { calls, runtime } = mountRuntime(['step_1'], () => new Promise<undefined>((resolve) => (finish = () => resolve(undefined))));
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => stepCalls(calls).length === 1);
  const { messageId } = await runtime.queue(STEP, stepPayload('step_1'), { idempotencyKey: 'step_1' });
  expect(await h.idempotency.beginDelivery('step_1', messageId!, 'another-delivery', 30, 3600)).toMatchObject({ kind: 'busy' });
  // The re-queue sent nothing: only the workflow message and the run's net exist.
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET]);
  finish();
});

it('sends a step whose run here failed as a queue message at once (its lease given back), and it runs again from there', async () => {
  let runs = 0;
  const { calls, runtime } = mountRuntime(['step_1'], async () => {
    if (++runs === 1) throw new Error('storage down');
    return undefined;
  });
  await runtime.queue(WF, { runId: 'wrun_1' });
  // Backoff for a first failure with the harness's zero jitter: now.
  await until(() => stepCalls(calls).length === 2);
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET, 'send:step:0']);
  expect(stepCalls(calls).map((c) => c.attempt)).toEqual([1, 2]);
  expect(h.logger.at('warn').some((e) => e.message.includes('A step run in process failed'))).toBe(true);
});

it('sends a step whose run here asked for a later redelivery, due then', async () => {
  let runs = 0;
  const { calls, runtime } = mountRuntime(['step_1'], async () => (++runs === 1 ? { timeoutSeconds: 7 } : undefined));
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => ops.includes('send:step:7'));
  await h.clock.advance(7_000);
  await until(() => stepCalls(calls).length === 2);
  // A reschedule starts the attempt count again.
  expect(stepCalls(calls).map((c) => c.attempt)).toEqual([1, 1]);
});

it('does not run the body of a step whose key another message holds (its first commit fails): the holder runs it, the net is acked', async () => {
  await h.idempotency.claimSend('step_1', 'msg_other', 30, 3600);
  await h.idempotency.markSent('step_1', 'msg_other');
  const { calls, runtime } = mountRuntime(['step_1']);
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => ops.includes('ack:workflow') && commits.length === 2);
  await new Promise((resolve) => setImmediate(resolve));
  // The claim raced the first commit (one attempt counted), and lost: no body, no follow-up message.
  expect(commits).toEqual(['step_created:step_1', 'step_started:step_1']);
  expect(stepCalls(calls)).toHaveLength(0);
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET]);
  await h.clock.advance(NET_DELAY * 1000);
  await until(() => ops.filter((o) => o === 'ack:workflow').length === 2);
  expect(stepCalls(calls)).toHaveLength(0);
});

it('runs at most `concurrency` steps here at once; the next wait here for a slot (four per slot), unclaimed; the rest are sent', async () => {
  const gates: Array<() => void> = [];
  const steps = ['step_1', 'step_2', 'step_3', 'step_4', 'step_5', 'step_6'];
  const { calls, runtime } = mountRuntime(steps, () => new Promise<undefined>((resolve) => gates.push(() => resolve(undefined))), { concurrency: 1 });
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => ops.includes('ack:workflow'));
  // One net for the run; only the step beyond the backlog travels as a message.
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET, 'send:step:0']);
  // The waiting steps hold no claim: their keys are free in the store until their slot comes.
  expect(await h.idempotency.claimSend('step_5', 'msg_probe', 30, 3600)).toEqual({ won: true });
  await h.idempotency.abandonClaim('step_5', 'msg_probe');
  // A re-queue here coalesces with a waiting step.
  const before = ops.length;
  await runtime.queue(STEP, stepPayload('step_3'), { idempotencyKey: 'step_3' });
  expect(ops.slice(before)).toEqual([]);
  // The sent one runs through the consumer (its own slot); the others one at a time in the inline slot.
  for (let ran = 0; ran < steps.length; ran++) {
    await until(() => gates.length > 0);
    gates.shift()!();
  }
  await until(() => stepCalls(calls).length === steps.length);
  expect(new Set(stepCalls(calls).map((c) => (c.payload as { stepId: string }).stepId))).toEqual(new Set(steps));
  expect(stepCalls(calls).every((c) => c.attempt === 1)).toBe(true);
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', NET, 'send:step:0']);
});

it('a step waiting here for a slot that another process claimed meanwhile is not run here', async () => {
  const gates: Array<() => void> = [];
  const { calls, runtime } = mountRuntime(['step_1', 'step_2'], () => new Promise<undefined>((resolve) => gates.push(() => resolve(undefined))), { concurrency: 1 });
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => gates.length === 1);
  await h.idempotency.claimSend('step_2', 'msg_elsewhere', 30, 3600);
  await h.idempotency.markSent('step_2', 'msg_elsewhere');
  gates.shift()!();
  await until(() => commits.includes('step_started:step_2'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(stepCalls(calls).map((c) => (c.payload as { stepId: string }).stepId)).toEqual(['step_1']);
});

it('sends steps as messages in Lambda mode, where a step run after the batch could be frozen', async () => {
  const { calls, runtime } = mountRuntime(['step_1'], async () => undefined, { consumer: 'lambda' });
  expect(await runtime.queue(STEP, stepPayload('step_0'), { idempotencyKey: 'step_0' })).toBeDefined();
  // No consumer here: deliver the workflow message through the registered handler.
  const dispatch = h.registry.lookup(WF)!;
  await dispatch({ v: 1, id: 'msg_wf', queueName: WF, deploymentId: 'aws:test', payload: { runId: 'wrun_1' } }, { attempt: 1 });
  expect(ops).toEqual(['send:step:0', 'send:step:0']);
  expect(stepCalls(calls)).toHaveLength(0);
});

it('the step starts before its claim is written, and its body waits for the claim', async () => {
  let claimed!: () => void;
  const claimInline = h.idempotency.claimInline.bind(h.idempotency);
  h.idempotency.claimInline = async (...args) => {
    await new Promise<void>((resolve) => (claimed = resolve));
    return claimInline(...args);
  };
  const { calls, runtime } = mountRuntime(['step_1']);
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => commits.length === 2);
  expect(stepCalls(calls)).toHaveLength(0);
  claimed();
  await until(() => stepCalls(calls).length === 1);
});

it('a step whose claim could not be written is not run here; it is sent as a message, and the workflow delivery is retried', async () => {
  h.idempotency.claimInline = async () => Promise.reject(new Error('DynamoDB down'));
  const { calls, runtime } = mountRuntime(['step_1']);
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => ops.includes('send:step:0'));
  expect(ops.slice(0, 2)).toEqual(['send:workflow:0', NET]);
  expect(ops).not.toContain('ack:workflow');
  // The message runs it through the usual lease.
  await until(() => stepCalls(calls).length === 1);
  expect(h.logger.at('warn').some((e) => e.message.includes('A step run in process failed'))).toBe(false);
});

it('a step the workflow delivery only re-queues (created by an earlier replay) is sent as usual, not run here', async () => {
  const { calls, runtime } = mountRuntime([]);
  runtime.createQueueHandler('__wkf_workflow_', async () => {
    // Every replay re-queues every pending step; this one committed no step_created.
    await runtime.queue(STEP, stepPayload('step_1'), { idempotencyKey: 'step_1' });
    return undefined;
  });
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => ops.includes('ack:step'));
  expect(ops.filter((o) => o.startsWith('send:'))).toEqual(['send:workflow:0', 'send:step:0']);
  expect(stepCalls(calls)).toHaveLength(1);
});

it('a step message queued outside a workflow delivery is sent as usual', async () => {
  const { calls, runtime } = mountRuntime([]);
  await runtime.queue(STEP, stepPayload('step_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  expect(ops).toEqual(['send:step:0', 'ack:step']);
  expect(stepCalls(calls).map((c) => c.attempt)).toEqual([1]);
});

it('close() waits for the steps running here', async () => {
  let finish!: () => void;
  let finished = false;
  const { calls, runtime } = mountRuntime(['step_1'], async () => {
    await new Promise<void>((resolve) => (finish = resolve));
    finished = true;
    return undefined;
  });
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => stepCalls(calls).length === 1);
  let closed = false;
  const closing = runtime.consumer.close().then(() => (closed = true));
  await h.clock.advance(1_000);
  await new Promise((resolve) => setImmediate(resolve));
  expect(closed).toBe(false);
  finish();
  await closing;
  expect(finished).toBe(true);
});

it('a step outlasting its run\'s net: the successor is sent before the net falls due, and the net that comes back here is acked', async () => {
  let finish!: () => void;
  const { calls, runtime } = mountRuntime(['step_1'], () => new Promise<undefined>((resolve) => (finish = () => resolve(undefined))));
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => stepCalls(calls).length === 1 && ops.includes('ack:workflow'));
  await h.clock.advance((NET_DELAY - 10) * 1000);
  await until(() => ops.filter((o) => o === NET).length === 2);
  // The first net is received here: its successor covers the step, so no replay.
  await h.clock.advance(10_000);
  await until(() => ops.filter((o) => o === 'ack:workflow').length === 2);
  expect(calls.filter((c) => c.queueName === WF)).toHaveLength(1);
  finish();
  // The successor comes back once the step is over: acked, and no further net.
  await h.clock.advance(NET_DELAY * 1000);
  await until(() => ops.filter((o) => o === 'ack:workflow').length === 3);
  expect(ops.filter((o) => o === NET)).toHaveLength(2);
  expect(calls.filter((c) => c.queueName === WF)).toHaveLength(1);
});

describe('a net this process did not send (its sender died, or an earlier life of this process)', () => {
  const netOf = (runId: string) => encodeEnvelope({ v: 1, id: 'msg_net_elsewhere', queueName: WF, deploymentId: 'aws:test', net: true, payload: { runId } });
  const runsWith = (status: string): Storage['runs'] => ({ ...fakeRuns([]), get: async (runId: string) => ({ runId, status }) }) as unknown as Storage['runs'];

  it('is acked unrun when the run is finished', async () => {
    const { calls, runtime } = mountRuntime([], async () => undefined, {}, runsWith('completed'));
    await runtime.consumer.start();
    await h.queue.send('workflow', { body: netOf('wrun_1'), delaySeconds: 0 });
    await until(() => ops.includes('ack:workflow'));
    expect(calls).toHaveLength(0);
  });

  it('replays a running run, and a step the dead process held is taken over by a copy once its lease lapses', async () => {
    // What the dead process left: the key claimed with its lease by its inline claim (30 s lease).
    await h.idempotency.claimInline('step_1', 'msg_dead', 'nonce_dead', 30, 3600);
    const { calls, runtime } = mountRuntime([], async () => undefined, {}, runsWith('running'));
    runtime.createQueueHandler('__wkf_workflow_', async (payload, meta) => {
      calls.push({ queueName: meta.queueName, payload, attempt: meta.attempt });
      // The replay re-queues the pending step (created by the dead process's replay).
      await runtime.queue(STEP, stepPayload('step_1'), { idempotencyKey: 'step_1' });
      return undefined;
    });
    await runtime.consumer.start();
    await h.queue.send('workflow', { body: netOf('wrun_1'), delaySeconds: 0 });
    // A copy of the holder, at once; its lease is live, so it waits until the lease counts as lapsed.
    await until(() => ops.includes('send:step:0') && ops.includes('send:step:60'));
    expect(stepCalls(calls)).toHaveLength(0);
    // At 60 s the lease is exactly at its margin (still held); a second later it counts as lapsed.
    await h.clock.advance(61_000);
    await until(() => stepCalls(calls).length === 1);
    // The dead delivery was the first attempt.
    expect(stepCalls(calls).map((c) => c.attempt)).toEqual([2]);
  });
});

it('a follow-up message that could not be sent: the run\'s next net, back here, replays the run instead of being acked', async () => {
  let runs = 0;
  const { calls, runtime } = mountRuntime(['step_1'], async () => {
    if (++runs === 1) throw new Error('storage down');
    return undefined;
  });
  const send = h.queue.send.bind(h.queue);
  h.queue.send = async (channel, message) => {
    if (channel === 'step') throw new Error('SQS down');
    return send(channel, message);
  };
  await runtime.queue(WF, { runId: 'wrun_1' });
  await until(() => h.logger.at('error').some((e) => e.message.includes('Could not send a step run in process')));
  h.queue.send = send;
  await h.clock.advance(NET_DELAY * 1000);
  await until(() => calls.filter((c) => c.queueName === WF).length === 2);
});
