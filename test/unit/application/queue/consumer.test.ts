// The polling consumer, wired by createQueueServices: lazy start, in-process
// delivery across world instances, send-before-ack, concurrency, drain, recovery.
import { jest } from '@jest/globals';
import type { Storage, ValidQueueName } from '@workflow/world';
import { createHandlerRegistry } from '../../../../src/application/queue/handler-registry.js';
import type { QueueConfig, QueueServices } from '../../../../src/application/queue/queue-services.js';
import type { RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { createHarness, fakeRuns, recordedQueueServices, receiveNow, type Harness, until } from './harness.js';

let h: Harness;
let ops: string[];
let worlds: QueueServices[];

function world(config: Partial<QueueConfig> = {}, runs: Storage['runs'] = fakeRuns([])): QueueServices {
  const services = recordedQueueServices(h, ops, config, runs);
  worlds.push(services);
  return services;
}

/** The runtime builds its handlers on a separate, "stubbed" world instance. */
function mountRuntime(handler: RuntimeHandler): void {
  const stubbed = world();
  stubbed.createQueueHandler('__wkf_workflow_', handler);
  stubbed.createQueueHandler('__wkf_step_', handler);
}

beforeEach(() => {
  h = createHarness();
  h.registry = createHandlerRegistry();
  ops = [];
  worlds = [];
});

/** close() waits for the current long polls: let the clock reach their end. */
async function closeAll(): Promise<void> {
  const closing = Promise.all(worlds.map((w) => w.consumer.close()));
  await h.clock.advance(1_000);
  await closing;
}

afterEach(closeAll);

it('starts consuming on the first queue() and delivers in process to handlers built on another instance', async () => {
  const seen: unknown[] = [];
  mountRuntime(async (payload) => {
    seen.push(payload);
  });
  const app = world();
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await until(() => seen.length === 1);
  await until(() => ops.includes('ack:workflow'));
  expect(seen).toEqual([{ runId: 'wrun_1' }]);
  expect(h.queue.messageCount('workflow')).toBe(0);
});

it('sends the follow-up for {timeoutSeconds} before acking the delivered message', async () => {
  let n = 0;
  mountRuntime(async () => (++n === 1 ? { timeoutSeconds: 3600 } : undefined));
  await world().queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await until(() => ops.includes('ack:workflow'));
  // Settled within its 5 s receive lease: no lease extension request.
  expect(ops).toEqual(['send:workflow:0', 'send:workflow:900', 'ack:workflow']);
});

it('hides a failing message for its backoff instead of acking it', async () => {
  mountRuntime(async () => {
    throw new Error('down');
  });
  await world().queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await until(() => ops.includes('visibility:workflow:0'));
  // random() = 0 → 0 s: redeliver at once, with a growing attempt.
  expect(ops.slice(0, 2)).toEqual(['send:workflow:0', 'visibility:workflow:0']);
  expect(ops).not.toContain('ack:workflow');
});

it('runs at most `concurrency` messages at a time', async () => {
  let running = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  mountRuntime(async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => release.push(resolve));
    running--;
  });
  const app = world({ concurrency: 2 });
  for (let i = 0; i < 5; i++) await app.queue('__wkf_step_s' as ValidQueueName, { runId: `wrun_${i}` });
  await until(() => release.length === 2);
  for (let i = 0; i < 5; i++) {
    await until(() => release.length > 0);
    release.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => ops.filter((o) => o === 'ack:step').length === 5);
  expect(peak).toBe(2);
});

it('close() aborts the long polls at once, stops polling and waits for in-flight messages', async () => {
  let finish!: () => void;
  let delivered = 0;
  mountRuntime(async () => {
    delivered++;
    if (delivered === 1) await new Promise<void>((resolve) => (finish = resolve));
  });
  const app = world();
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await until(() => delivered === 1);
  let closed = false;
  const closing = app.consumer.close().then(() => (closed = true));
  // No clock advance: the polls are aborted, only the running handler holds close() up.
  await until(() => typeof finish === 'function');
  expect(closed).toBe(false);
  finish();
  await closing;
  expect(ops).toContain('ack:workflow');
  // Polling stopped: a new message stays on the queue.
  await h.queue.send('workflow', { body: 'later', delaySeconds: 0 });
  await h.clock.advance(5_000);
  expect(h.queue.messageCount('workflow')).toBe(1);
  expect(delivered).toBe(1);
});

it('close() returns while idle without waiting for the long poll', async () => {
  const app = world();
  await app.consumer.start();
  await app.consumer.close(); // resolves with the clock standing still: the 1 s polls were aborted
  expect(ops).toEqual([]);
});

it('receives on a 5 s lease and extends it only for a message still unsettled after half of it, so a poll that dies swallows nothing for long', async () => {
  const receive = jest.spyOn(h.queue, 'receive');
  let finish!: () => void;
  let calls = 0;
  mountRuntime(async () => {
    if (++calls === 2) await new Promise<void>((resolve) => (finish = resolve));
  });
  const app = world({ visibilitySeconds: 60 });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await until(() => ops.includes('ack:workflow'));
  expect(receive.mock.calls.every(([, options]) => options.visibilitySeconds === 5)).toBe(true);
  // Quick: settled inside the receive lease, no extension request.
  expect(ops).toEqual(['send:workflow:0', 'ack:workflow']);

  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_2' });
  await until(() => typeof finish === 'function');
  await h.clock.advance(2_499);
  expect(ops).not.toContain('visibility:workflow:60');
  await h.clock.advance(1);
  await until(() => ops.includes('visibility:workflow:60'));
  finish();
  await until(() => ops.filter((o) => o === 'ack:workflow').length === 2);
  expect(ops.slice(2)).toEqual(['send:workflow:0', 'visibility:workflow:60', 'ack:workflow']);
});

it('close() hands received but unstarted messages back with visibility 0, so the next process takes them at once', async () => {
  let finish!: () => void;
  const seen: string[] = [];
  mountRuntime(async (_payload, meta) => {
    seen.push(meta.queueName);
    await new Promise<void>((resolve) => (finish = resolve));
  });
  const app = world({ concurrency: 1 });
  await app.consumer.start();
  // Both pollers wait with one free slot; both receive, one message waits for the slot.
  await world({ consumer: 'none' }).queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  await world({ consumer: 'none' }).queue('__wkf_step_s' as ValidQueueName, { workflowName: 'wf', workflowRunId: 'wrun_1', workflowStartedAt: 1, stepId: 'step_1' });
  await until(() => seen.length === 1 && typeof finish === 'function');
  await new Promise((resolve) => setImmediate(resolve));
  const closing = app.consumer.close();
  await until(() => ops.some((o) => o.endsWith(':0')));
  finish();
  await closing;
  expect(seen).toHaveLength(1);
  const waitingChannel = seen[0]!.startsWith('__wkf_step_') ? 'workflow' : 'step';
  expect(ops).toContain(`visibility:${waitingChannel}:0`);
  expect(await receiveNow(h, waitingChannel)).toHaveLength(1);
});

it('start() re-enqueues pending and running runs on their workflow queues', async () => {
  // reenqueueActiveRuns reports its count on the console.
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const seen: Array<[string, unknown]> = [];
  mountRuntime(async (payload, meta) => {
    seen.push([meta.queueName, payload]);
  });
  const runs = fakeRuns([
    { runId: 'wrun_1', workflowName: 'a', status: 'pending' },
    { runId: 'wrun_2', workflowName: 'a', status: 'running' },
    { runId: 'wrun_3', workflowName: 'b', status: 'running' },
    { runId: 'wrun_4', workflowName: 'b', status: 'running' },
  ]);
  await world({}, runs).consumer.start();
  await until(() => seen.length === 4);
  expect(seen.sort()).toEqual([
    ['__wkf_workflow_a', { runId: 'wrun_1' }],
    ['__wkf_workflow_a', { runId: 'wrun_2' }],
    ['__wkf_workflow_b', { runId: 'wrun_3' }],
    ['__wkf_workflow_b', { runId: 'wrun_4' }],
  ]);
  expect(log).toHaveBeenCalledWith('[world-aws] Re-enqueued 4 active run(s) on startup');
  log.mockRestore();
});

it('start() logs, not throws, when listing runs fails', async () => {
  const runs = { list: async () => Promise.reject(new Error('storage down')) } as unknown as Storage['runs'];
  await expect(world({}, runs).consumer.start()).resolves.toBeUndefined();
  expect(h.logger.at('error')[0]!.fields).toEqual({ error: 'storage down' });
});

it('does not poll in consumer mode "lambda" or "none"', async () => {
  let delivered = 0;
  mountRuntime(async () => {
    delivered++;
  });
  for (const consumer of ['lambda', 'none'] as const) {
    const app = world({ consumer });
    await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
    await app.consumer.start();
  }
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(delivered).toBe(0);
  expect(h.queue.messageCount('workflow')).toBe(2);
});

it('reports the configured deployment id', async () => {
  await expect(world({ deploymentId: 'dpl_x' }).getDeploymentId()).resolves.toBe('dpl_x');
});
